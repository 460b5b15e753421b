"""How each reader last signed in, for moderators (User.sign_in_method): "password", or the id of
the identity provider (allauth.socialaccount's provider id: "line", "yahoo_japan", "google",
"apple" ...). Recorded from the sign-in signals, whichever view signed the reader in, and by the
API's token sign-in, which signs nobody into a session."""

from allauth.account import signals as allauth_signals
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .models import User

PASSWORD = "password"  # noqa: S105  (a method's name)
# Backends that sign in with a password (the site's form, the admin's, a password re-check).
PASSWORD_BACKENDS = ("accounts.backends.UsernameBackend", "django.contrib.auth.backends.ModelBackend")


def record_sign_in_method(*, user: User, method: str) -> None:
    """One UPDATE when the method changed, none otherwise; no save(), so no signal forgets the
    reader's cached API tokens for it."""
    method = method[:40]
    if user.sign_in_method != method:
        User.objects.filter(pk=user.pk).update(sign_in_method=method)
        user.sign_in_method = method


@receiver(user_logged_in, dispatch_uid="accounts.sign_in_method_password")
def record_password_sign_in(sender, request, user: User, **kwargs) -> None:
    if getattr(user, "backend", None) in PASSWORD_BACKENDS:
        record_sign_in_method(user=user, method=PASSWORD)


@receiver(allauth_signals.user_logged_in, dispatch_uid="accounts.sign_in_method_provider")
def record_provider_sign_in(sender, request, user: User, **kwargs) -> None:
    """allauth's own signal, sent after Django's, names the social login when there is one."""
    sociallogin = kwargs.get("sociallogin")
    if sociallogin is not None:
        record_sign_in_method(user=user, method=sociallogin.account.provider)
