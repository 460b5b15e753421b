from allauth.mfa.models import Authenticator
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField

from .folding import name_skeleton
from .time_zones import validate_time_zone
from .validators import DisplayNameValidator

JAPAN = "JP"


class Region(models.TextChoices):
    """Where a reader lives, for the forum: it picks their comments' section and splits their votes."""

    JAPAN = "japan", _("Japan")
    WORLD = "world", _("World")


class ReportingStanding(models.TextChoices):
    """Whether a reader's reports count toward holding a comment (accounts.selectors.reporting_standing),
    and if not, why. Stored on each report, so the queue shows what the reporter was then."""

    GOOD = "good", _("In good standing")
    NEW_ACCOUNT = "new_account", _("New account")
    UNVERIFIED_EMAIL = "unverified_email", _("E-mail not verified")
    SANCTIONED = "sanctioned", _("Suspended or banned")


class ReaderManager(UserManager):
    def bulk_create(self, objs, *args, **kwargs):
        """bulk_create skips save(): store the names as save() does (NFKC, their skeletons), or a
        second reader made in bulk would collide on the empty username skeleton."""
        objs = list(objs)
        for user in objs:
            user.normalize_names()
        return super().bulk_create(objs, *args, **kwargs)


class User(AbstractUser):
    """A reader. The country decides which comment section their comments land in."""

    display_name = models.CharField(
        _("display name"),
        max_length=60,
        blank=True,
        help_text=_("Shown with your comments."),
        validators=[DisplayNameValidator()],
    )
    # The names as they read (accounts.folding.name_skeleton): two accounts whose names fold
    # alike would look like one reader ("alice" and Cyrillic "аlice"), so the username's is unique
    # and a new name may not take another account's (accounts.names). Kept by save() below.
    # A username's skeleton ends in "#<id>" for an account that already shared it with an older
    # one when skeletons were introduced (migration 0006): it keeps its name, nobody may copy it.
    username_skeleton = models.TextField(_("username as it reads"), unique=True, editable=False)
    display_name_skeleton = models.TextField(_("display name as it reads"), blank=True, editable=False, db_index=True)
    country = CountryField(_("country"), blank=True)
    # When the reader last changed their country after signing up (None: never); see
    # accounts.services.ensure_country_change_allowed.
    country_changed_at = models.DateTimeField(_("country changed at"), null=True, blank=True, editable=False)
    # Empty: automatic (accounts/time_zones.py): Tokyo time for readers in Japan, else the browser's zone.
    time_zone = models.CharField(
        _("time zone"), max_length=64, blank=True, default="", db_default="", validators=[validate_time_zone]
    )
    # The reader's standing, copied from their active sanctions (accounts.Sanction) by
    # accounts.services.refresh_standing. The user row is loaded with every request anyway, so
    # the vote and comment paths check a sanction without a query of their own.
    suspended_until = models.DateTimeField(_("suspended until"), null=True, blank=True, editable=False)
    is_banned = models.BooleanField(_("banned"), default=False, editable=False)
    is_premoderated = models.BooleanField(_("pre-moderated"), default=False, editable=False)
    # Whether the reader's address (allauth's EmailAddress, the record) is verified, copied here by
    # accounts.email_addresses.refresh_email_verified: the vote and comment paths read the user
    # row they already have, not the address table.
    email_verified = models.BooleanField(_("e-mail verified"), default=False, editable=False)
    # What moderators may know of a reader's address and sign-in without the address itself: the
    # verified address's domain (set with email_verified) and how they last signed in ("password",
    # or a provider's id such as "line" or "google"; accounts.sign_in_methods).
    email_domain = models.CharField(
        _("e-mail domain"), max_length=253, blank=True, default="", db_default="", editable=False
    )
    sign_in_method = models.CharField(
        _("sign-in method"), max_length=40, blank=True, default="", db_default="", editable=False
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            # "Hanako" and "hanako" are one reader: sign-in matches either (accounts.backends),
            # so two accounts must never differ by case alone. Usernames are stored NFKC-
            # normalised (save below), so full-width and other compatibility forms fold too.
            models.UniqueConstraint(
                Lower("username"),
                name="accounts_user_username_lower_uniq",
                violation_error_code="unique",
                violation_error_message=_("A user with that username already exists."),
            )
        ]

    objects = ReaderManager()

    def normalize_names(self) -> None:
        """The username in NFKC ("ｈａｎａｋｏ", full-width, is "hanako") and both names' skeletons."""
        self.username = self.normalize_username(self.username)
        skeleton = name_skeleton(self.username)
        if self.username_skeleton.partition("#")[0] != skeleton:  # a grandfathered "#<id>" stays
            self.username_skeleton = skeleton
        self.display_name_skeleton = name_skeleton(self.display_name)

    def save(self, *args, **kwargs) -> None:
        # Whoever saves (a form, the admin, a command, the API), the names are stored as they read.
        self.normalize_names()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            # A save of the names alone (accounts.services.update_profile) writes their skeletons too.
            extra = {"username": "username_skeleton", "display_name": "display_name_skeleton"}
            kwargs["update_fields"] = [*update_fields, *(extra[f] for f in update_fields if f in extra)]
        super().save(*args, **kwargs)

    @property
    def public_name(self) -> str:
        return self.display_name or self.username

    @property
    def is_in_japan(self) -> bool:
        return self.country == JAPAN

    @property
    def region(self) -> Region:
        """Japan for readers whose profile country is Japan, the world for everyone else (or no country)."""
        return Region.JAPAN if self.is_in_japan else Region.WORLD


class AccountDeletion(models.Model):
    """A reader deleted their own account: when, and from where. Deliberately nothing else: the
    audit may show moderators that an account was deleted, never whose it was."""

    class Via(models.TextChoices):
        WEB = "web", _("the website")
        API = "api", _("the API")

    deleted_at = models.DateTimeField(_("deleted at"), auto_now_add=True)
    via = models.CharField(_("deleted through"), max_length=3, choices=Via.choices)

    class Meta:
        ordering = ["-deleted_at", "-id"]
        verbose_name = _("account deletion")
        verbose_name_plural = _("account deletions")

    def __str__(self) -> str:
        return _("Account deletion #%(number)s") % {"number": self.pk}


class Mute(models.Model):
    """A reader muted another: the muted reader's comments and replies collapse for them, and
    the muted reader's replies do not notify them. The muted reader is never told. A reader can
    mute the author of an unsigned comment too: the row names them, the reader is never shown it
    (their list of muted readers names an unsigned voice by the comment they muted it from)."""

    reader = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mutes", verbose_name=_("reader"))
    muted = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", verbose_name=_("muted reader"))
    # The comment the reader muted them from: how their list names someone it may not name.
    muted_from_comment_id = models.PositiveBigIntegerField(_("muted from comment"), null=True, blank=True)
    # The voice muted: the muted reader's signed comments, or their unsigned ones. A mute collapses
    # only the comments in the voice it was made from, so that it never ties an unsigned voice to a
    # name (a reader who moved out of Japan, or was given a badge, has spoken in both).
    signed = models.BooleanField(_("signed voice"), default=False)
    created_at = models.DateTimeField(_("muted at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["reader", "muted", "signed"], name="accounts_mute_once_per_voice"),
            models.CheckConstraint(condition=~models.Q(reader=models.F("muted")), name="accounts_mute_not_self"),
        ]
        verbose_name = _("mute")
        verbose_name_plural = _("mutes")

    def __str__(self) -> str:
        return f"{self.reader_id} → {self.muted_id}"


class Badge(models.Model):
    """A badge staff give a reader (エキスパート / Expert, 記者 / Journalist, or a title of their
    own), with a short public description, as Yahoo!ニュース's エキスパート. A badge holder's comments
    and replies are signed in both sections, shown with the badge, so the badge is only offered:
    it is active once the reader accepts it on their profile (``accepted_at``), which is when they
    agree to be named. Until then, and after it is removed, their comments follow where they live.
    Comments keep how they were posted (forum.models.Comment.signed_by_badge)."""

    class Kind(models.TextChoices):
        EXPERT = "expert", _("Expert")
        JOURNALIST = "journalist", _("Journalist")
        CUSTOM = "custom", _("Custom title")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="badge", verbose_name=_("reader"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.EXPERT)
    title = models.CharField(
        _("custom title"), max_length=40, blank=True, help_text=_("Only for a custom badge: what it says.")
    )
    description = models.CharField(
        _("public description"),
        max_length=120,
        help_text=_("Shown to every reader beside the badge, e.g. “Economist, University of Tokyo”."),
    )
    given_at = models.DateTimeField(_("offered at"), default=timezone.now, editable=False)
    given_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("offered by"),
    )
    # When the reader accepted the badge, agreeing that their comments are signed with it: None
    # while it is only offered.
    accepted_at = models.DateTimeField(_("accepted by the reader at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-given_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="custom", title=""), name="accounts_badge_custom_has_title"
            ),
        ]
        verbose_name = _("badge")
        verbose_name_plural = _("badges")

    def __str__(self) -> str:
        return f"{self.label} · {self.user}"

    def clean(self) -> None:
        if self.kind == self.Kind.CUSTOM and not self.title.strip():
            raise ValidationError({"title": _("A custom badge needs a title.")}, code="title_required")

    @property
    def label(self) -> str:
        """What the badge says: its kind, or the custom title."""
        return self.title if self.kind == self.Kind.CUSTOM else str(self.get_kind_display())

    @property
    def is_active(self) -> bool:
        return self.accepted_at is not None


class SanctionQuerySet(models.QuerySet):
    def active(self, at=None) -> "SanctionQuerySet":
        """In force at ``at`` (now): not lifted, started, and not yet ended."""
        at = at or timezone.now()
        return self.filter(lifted_at__isnull=True, starts_at__lte=at).filter(
            models.Q(ends_at__isnull=True) | models.Q(ends_at__gt=at)
        )


class Sanction(models.Model):
    """A moderator's measure against a reader, kept as history: a lifted or expired sanction
    stays, with who lifted it and when. The user's standing fields summarise the active ones."""

    class Kind(models.TextChoices):
        SUSPEND = "suspend", _("Suspended")
        BAN = "ban", pgettext_lazy("sanction kind", "Banned")
        PREMODERATE = "premoderate", _("Pre-moderated")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sanctions", verbose_name=_("reader"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True, help_text=_("Empty: until lifted."))
    reason = models.TextField(_("reason"))
    imposed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("imposed by")
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("lifted by")
    )
    lift_reason = models.TextField(_("reason for lifting"), blank=True)

    objects = SanctionQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions")

    def __str__(self) -> str:
        return _("%(kind)s: %(reader)s") % {"kind": self.get_kind_display(), "reader": self.user}

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.lifted_at is None and self.starts_at <= now and (self.ends_at is None or self.ends_at > now)


class DisposableEmailDomain(models.Model):
    """A domain whose addresses sign-up and a change of address refuse (throwaway mailboxes);
    its subdomains too. Moderators keep the list in the admin."""

    domain = models.CharField(
        _("domain"),
        max_length=253,
        unique=True,
        help_text=_("For example mailinator.com. Its subdomains are refused too."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        ordering = ["domain"]
        verbose_name = _("disposable e-mail domain")
        verbose_name_plural = _("disposable e-mail domains")

    def __str__(self) -> str:
        return self.domain

    def save(self, *args, **kwargs) -> None:
        self.domain = self.domain.strip().strip(".").lower()
        super().save(*args, **kwargs)


class TwoFactorAuthenticator(Authenticator):
    """allauth.mfa's authenticator (a TOTP app, a set of recovery codes) as the admin shows it, under
    names translated like the rest of the admin."""

    class Meta:
        proxy = True
        verbose_name = _("two-factor authenticator")
        verbose_name_plural = _("two-factor authenticators")
