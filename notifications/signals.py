"""The bell's count is put in its cache when a reader signs in, so that their pages read it from
there from the first one on (services.refresh_bell rewrites it after every change)."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from . import services


@receiver(user_logged_in, dispatch_uid="notifications.count_bell_on_sign_in")
def count_bell_on_sign_in(sender, request, user, **kwargs) -> None:
    services.count_bell(user_id=user.pk)
