"""What the forum knows of an address without keeping it readable for moderators: its domain, and
whether that domain is on the disposable list (accounts.models.DisposableEmailDomain) that sign-up
and a change of address refuse."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import DisposableEmailDomain

DISPOSABLE_EMAIL = "disposable_email"  # the refusal's code, for the API's apps
DISPOSABLE_REFUSED = _(
    "Addresses at this domain are not accepted: it gives out throwaway mailboxes. Use an address you keep."
)


def email_domain(email: str) -> str:
    """The domain of an address, as the disposable list compares it ("Taro@Mail.Example.JP." is
    "mail.example.jp")."""
    return email.rpartition("@")[2].strip().strip(".").lower()


def _domain_and_parents(domain: str) -> list[str]:
    """mail.example.jp -> mail.example.jp, example.jp, jp: a listed domain refuses its subdomains."""
    labels = domain.split(".")
    return [".".join(labels[i:]) for i in range(len(labels))]


def is_disposable(email: str) -> bool:
    domain = email_domain(email)
    return bool(domain) and DisposableEmailDomain.objects.filter(domain__in=_domain_and_parents(domain)).exists()


def ensure_email_domain_accepted(email: str) -> None:
    """Raises ValidationError (code ``disposable_email``) for an address at a listed domain."""
    if is_disposable(email):
        raise ValidationError(DISPOSABLE_REFUSED, code=DISPOSABLE_EMAIL)
