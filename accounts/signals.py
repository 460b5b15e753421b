"""Signal receivers of the accounts app: cached API tokens forgotten when revoked (see
accounts.authentication)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from rest_framework.authtoken.models import Token

from .authentication import forget_tokens
from .models import User


@receiver(post_delete)
def forget_deleted_token(sender, instance, **kwargs) -> None:
    # No sender filter: the admin deletes TokenProxy instances, whose signals name the proxy.
    if isinstance(instance, Token):
        forget_tokens([instance.key])


@receiver(post_save, sender=User)
def forget_tokens_of_changed_user(sender, instance: User, update_fields=None, **kwargs) -> None:
    if kwargs.get("created") or (update_fields is not None and set(update_fields) <= {"last_login"}):
        return  # a new reader has no token yet; signing in changes nothing a token's user carries
    forget_tokens(Token.objects.filter(user_id=instance.pk).values_list("key", flat=True))
