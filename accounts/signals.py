"""Signal receivers of the accounts app: cached API tokens forgotten when revoked (see
accounts.authentication), tokens revoked by a new password however it was set, and the verified
state of the reader's e-mail address copied onto the user row."""

from allauth.account import signals as allauth_signals
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from rest_framework.authtoken.models import Token, TokenProxy

from .authentication import forget_tokens
from .email_addresses import refresh_email_verified
from .models import User


# One receiver per sender, never one for every model: Django can only delete a model's rows in one
# statement (a "fast delete") when nothing listens to its deletes, and a receiver without a
# sender listens to every model's, so each cascade (an account's votes) went row by row.
# TokenProxy too: the admin deletes tokens through it, and its signals name the proxy.
@receiver(post_delete, sender=Token, dispatch_uid="accounts.token_deleted")
@receiver(post_delete, sender=TokenProxy, dispatch_uid="accounts.token_proxy_deleted")
def forget_deleted_token(sender, instance: Token, **kwargs) -> None:
    forget_tokens([instance.key])


@receiver(post_save, sender=User)
def tokens_follow_the_user(sender, instance: User, created: bool, update_fields=None, **kwargs) -> None:
    """A saved reader's cached tokens are forgotten, so the next request reads the user anew; a new
    password ends the tokens altogether, whoever set it (accounts.services.change_password, but also
    `manage.py changepassword` or any code that calls set_password and saves).

    ``_password`` is Django's own mark of a password set since the user was loaded; it holds until
    save() has told the validators (password_changed), after post_save. A hash upgrade at sign-in
    clears it before saving, so signing in with an old-format hash keeps the tokens.
    """
    if created or (update_fields is not None and set(update_fields) <= {"last_login"}):
        return  # a new reader has no token yet; signing in changes nothing a token's user carries
    tokens = Token.objects.filter(user_id=instance.pk)
    if instance._password is not None and (update_fields is None or "password" in update_fields):
        tokens.delete()  # each deletion forgets its cached entry (forget_deleted_token)
    else:
        forget_tokens(tokens.values_list("key", flat=True))


@receiver(allauth_signals.email_confirmed)
@receiver(allauth_signals.email_changed)
@receiver(allauth_signals.email_removed)
def copy_email_verified(sender, **kwargs) -> None:
    """allauth verified, changed or removed an address: the user row follows (User.email_verified)."""
    address = kwargs.get("email_address") or kwargs.get("to_email_address")
    user = kwargs.get("user") or (address.user if address is not None else None)
    if user is not None:
        refresh_email_verified(user=User.objects.get(pk=user.pk))
