import time
from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.utils import timezone

from accounts.email_addresses import refresh_email_verified
from accounts.models import User
from forum.models import Article, Comment, Section

# The TOTP secret of every staff account made here (tests compute its codes with totp_code).
STAFF_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(secret: str = STAFF_TOTP_SECRET, *, at: float | None = None) -> str:
    """The code an authenticator app with ``secret`` shows at ``at`` (now): RFC 6238, 30 s steps."""
    return format_hotp_value(hotp_value(secret, int((time.time() if at is None else at) // 30)))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"reader{n}")
    display_name = factory.Sequence(lambda n: f"Reader {n}")
    country = "US"
    # Readers made here have verified their address, so tests of voting, commenting and reporting
    # mean what they did before verification existed; tests of the unverified path pass False.
    email_verified = True
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy's hook signature
        if create:
            obj.save()

    @factory.post_generation
    def two_factor(obj, create, extracted, **kwargs):  # noqa: N805
        """Staff have two-factor authentication, as the admin requires (accounts.two_factor);
        ``two_factor=False`` makes one without, ``two_factor=True`` a reader with it."""
        wanted = (obj.is_staff or obj.is_superuser) if extracted is None else extracted
        if create and wanted:
            TOTP.activate(obj, STAFF_TOTP_SECRET)


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Article {n}")
    slug = factory.Sequence(lambda n: f"article-{n}")
    dateline = factory.LazyFunction(lambda: timezone.localdate())
    body = "An opening paragraph.\n\n## A subheading\n\n- one point\n- another point\n"
    discussion_prompt = "What do you think?"
    status = Article.Status.PUBLISHED
    comments_open = True


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    article = factory.SubFactory(ArticleFactory)
    author = factory.SubFactory(UserFactory)
    section = factory.LazyAttribute(lambda o: Section.JAPAN if o.author.country == "JP" else Section.WORLD)
    # As forum.services.post_comment sets it: voices from the world are signed.
    signed = factory.LazyAttribute(lambda o: Section(o.section).signs_comments)
    body = factory.Sequence(lambda n: f"Comment number {n}.")


class EstablishedReaderFactory(UserFactory):
    """A reader in good standing for reports: the account is older than
    FORUM_REPORT_TRUST_ACCOUNT_AGE_DAYS, so their reports count toward a hold."""

    date_joined = factory.LazyFunction(lambda: timezone.now() - timedelta(days=30))


def verify_email_of(user: User) -> None:
    """As if the reader had followed their verification link (the tests about that follow it)."""
    EmailAddress.objects.filter(user=user).update(verified=True)
    refresh_email_verified(user=user)
