"""Writes and rules for readers' accounts. Views, API views and the admin call these."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from rest_framework.authtoken.models import Token

from .authentication import forget_tokens
from .models import AccountDeletion, Badge, Mute, Sanction, User
from .selectors import active_badge, has_verified_email, moment_text
from .time_zones import validate_time_zone


@dataclass(frozen=True)
class NewAccount:
    user: User
    api_token: Token | None


def sign_up(*, user: User, with_api_token: bool = False) -> NewAccount:
    """Store a new reader, built and checked by accounts.forms.SignUpForm (``save(commit=False)``:
    the name rules, Django's password validators), and for an app its API token, in one
    transaction. The web page and the API both sign up through here.

    A username another sign-up took after the form's check (at the same moment) raises
    ValidationError for the username with code "unique", the form's own check's code; nothing is stored.
    """
    try:
        with transaction.atomic():
            user.save()
            token = Token.objects.create(user=user) if with_api_token else None
    except IntegrityError as race:
        user.pk = None
        raise ValidationError(
            {"username": ValidationError(User._meta.get_field("username").error_messages["unique"], code="unique")}
        ) from race
    return NewAccount(user=user, api_token=token)


def revoke_api_tokens(*, user: User) -> int:
    """Sign the reader out of every app: their token stops working at once. Returns how many."""
    deleted, _by_model = Token.objects.filter(user=user).delete()
    return deleted


@transaction.atomic
def change_password(*, user: User, password: str | None) -> None:
    """Set a new password (None: no password sign-in at all) and revoke the reader's API tokens:
    whoever knew the old password may have signed an app in with it. (Saving a new password
    revokes them anyway, see accounts.signals; an unusable password needs the explicit call.)

    Sessions elsewhere end by themselves (a session carries a hash of the password it signed in
    with); a view keeping the reader's own session calls update_session_auth_hash afterwards.
    """
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save(update_fields=["password"])
    revoke_api_tokens(user=user)


@transaction.atomic
def deactivate_user(*, user: User) -> None:
    """Close the account: no sign-in (sessions and tokens refuse an inactive reader) and no
    token left to work again should it be reactivated. Idempotent."""
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    revoke_api_tokens(user=user)


def sanction_refusal(*, user: User) -> str | None:
    """Why a banned or suspended reader may not vote or comment, saying until when; None when
    neither. Reads only the standing copied onto the user row: no query."""
    if user.is_banned:
        return _("Your account is banned: you can no longer vote or comment.")
    if user.suspended_until is not None and user.suspended_until > timezone.now():
        return _("Your account is suspended until %(when)s: until then you cannot vote or comment.") % {
            "when": moment_text(user.suspended_until)
        }
    return None


class Refusal(str):
    """A refusal's message that carries a code an app can act on (the API answers it as the error
    body's "code", the pages add what the reader can do about it, e.g. re-send a link)."""

    code: str

    def __new__(cls, message: str, code: str) -> "Refusal":
        refusal = super().__new__(cls, message)
        refusal.code = code
        return refusal


EMAIL_UNVERIFIED = "email_unverified"


def refusal_code(refusal: BaseException) -> str:
    """The code of a PermissionDenied raised with a Refusal, or "" for any other refusal."""
    return getattr(refusal.args[0], "code", "") if refusal.args else ""


def email_refusal(*, user: User) -> Refusal | None:
    """Why a reader without a verified e-mail address may not vote, comment or report; None when
    they may (verified, staff, or FORUM_REQUIRE_VERIFIED_EMAIL off)."""
    if not settings.FORUM_REQUIRE_VERIFIED_EMAIL or user.is_staff or has_verified_email(user=user):
        return None
    return Refusal(
        _(
            "To vote, comment or report, verify your e-mail address: follow the link in the e-mail we sent you. "
            "No e-mail? Re-send it, or change the address, under “E-mail address” on your profile."
        ),
        EMAIL_UNVERIFIED,
    )


def taking_part_refusal(*, user: User) -> str | None:
    """Why the reader may not vote, comment or report, saying until when; None when they may.

    A sanction (ban or suspension) refuses first. Then a reader needs a verified e-mail address
    (email_refusal, a Refusal with its code). Then new accounts wait: accounts minted in bulk
    could otherwise vote the moment they exist; the wait makes each one cost time as well as a
    sign-up. Staff are exempt from the address and the wait.
    """
    if refusal := sanction_refusal(user=user):
        return refusal
    if refusal := email_refusal(user=user):
        return refusal
    wait = timedelta(seconds=settings.NEW_ACCOUNT_WAIT_SECONDS)
    if not wait or user.is_staff:
        return None
    allowed_from = user.date_joined + wait
    now = timezone.now()
    if now >= allowed_from:
        return None
    minutes = max(1, round((allowed_from - now).total_seconds() / 60))
    return ngettext(
        "New accounts can vote and comment a little while after signing up: you can from %(when)s "
        "(in %(minutes)d minute).",
        "New accounts can vote and comment a little while after signing up: you can from %(when)s "
        "(in %(minutes)d minutes).",
        minutes,
    ) % {"when": formats.time_format(timezone.localtime(allowed_from), "H:i T"), "minutes": minutes}


def ensure_country_change_allowed(*, user: User, country: str, for_update: bool = False) -> bool:
    """A reader's country (their section and voting region) changes at most once per
    COUNTRY_CHANGE_DAYS, so a reader cannot hop between the Japan and world counts. The
    country chosen at sign-up is not a change. Returns whether ``country`` is a change; raises
    ValidationError saying when a change is possible again."""
    rows = User.objects.filter(pk=user.pk)
    if for_update:
        rows = rows.select_for_update()
    stored = rows.values_list("country", "country_changed_at").first()
    if stored is None or (stored[0] or "") == (country or ""):
        return False
    changed_at = stored[1]
    if changed_at is None:
        return True
    allowed_from = changed_at + timedelta(days=settings.COUNTRY_CHANGE_DAYS)
    if timezone.now() < allowed_from:
        raise ValidationError(
            _("You can change your country once every %(days)d days; the next change is possible on %(date)s.")
            % {
                "days": settings.COUNTRY_CHANGE_DAYS,
                "date": formats.date_format(timezone.localtime(allowed_from), "DATE_FORMAT"),
            },
            code="country_change_too_soon",
        )
    return True


# What other readers see of a reader beside their words (User.public_name and the country).
BYLINE_FIELDS = frozenset({"username", "display_name", "country"})


def byline_changed(*, user: User) -> None:
    """Tell the apps that show readers' bylines (settings.ACCOUNTS_BYLINE_HOOKS: the forum's
    pages) that this reader's changed. Called in the transaction of the change; the hooks act
    after its commit."""
    for path in settings.ACCOUNTS_BYLINE_HOOKS:
        import_string(path)(user=user)


@transaction.atomic
def update_profile(*, user: User, display_name: str, country: str, time_zone: str | None = None) -> User:
    """Change the reader's display name and country (and time zone, unless None: "" is automatic).
    Comments already posted keep their section; the new country applies to later comments and
    votes. Raises ValidationError (see ensure_country_change_allowed, validate_time_zone); the row
    lock makes two changes at once count as two."""
    changes_country = ensure_country_change_allowed(user=user, country=country, for_update=True)
    user.display_name = display_name
    user.country = country
    fields = ["display_name", "country"]
    if time_zone is not None:
        validate_time_zone(time_zone)
        user.time_zone = time_zone
        fields.append("time_zone")
    if changes_country:
        user.country_changed_at = timezone.now()
        fields.append("country_changed_at")
    user.save(update_fields=fields)
    # Always: the profile form has set the new values on ``user`` already, so whether they differ
    # from the stored ones is no longer known here (and a profile is saved seldom).
    byline_changed(user=user)
    return user


# Said by the page and the API when the password given to confirm a deletion is not the reader's.
WRONG_PASSWORD_NOT_DELETED = gettext_lazy("The password is not right; your account is not deleted.")


# The account that stands as the author of what a deleted reader leaves behind for others: the
# placeholder of a comment of theirs that other readers replied to (no text, no name). Not a name
# anyone can sign up with (usernames take letters, digits and @.+-_ only), and it cannot sign in.
DEPARTED_USERNAME = "~departed"


def departed_reader() -> User:
    """The account standing for deleted readers (DEPARTED_USERNAME), made the first time."""
    user, created = User.objects.get_or_create(username=DEPARTED_USERNAME, defaults={"is_active": False})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def account_leaving(*, user: User) -> None:
    """Tell the apps holding what the reader wrote that their account is about to be deleted
    (settings.ACCOUNTS_DELETION_HOOKS: the forum keeps other readers' replies to them), in the
    transaction of the deletion, before the cascade (accounts imports no other app)."""
    for path in settings.ACCOUNTS_DELETION_HOOKS:
        import_string(path)(user=user)


def delete_account(*, user: User, via: str) -> None:
    """Erase the reader: their account, comments, votes and token go in one transaction.

    The caller has confirmed the reader's password (accounts.sign_in_limits.password_confirmed,
    under the sign-in limits, which need the request).

    The comments go too (not kept under "a deleted reader"): a comment's words are the reader's
    personal data. Other readers' votes on those comments go with them. Other readers' replies
    do not: first the hooks (account_leaving) keep a comment that others answered as a
    placeholder without the reader's words or name.

    The vote rows are deleted by the cascade; the database records which comments lost votes
    (votes.models.DeletedVote) and the next reconciliation counts them out, so no other app is
    called from here. The token cascades; sessions elsewhere end because their user is gone
    (the caller signs the current one out). The only trace left is an AccountDeletion row that
    says when and from where, not whose.
    """
    with transaction.atomic():
        account_leaving(user=user)
        user.delete()
        AccountDeletion.objects.create(via=via)


def is_premoderated(*, user: User) -> bool:
    """The reader's new comments wait for a moderator (forum.services.post_comment asks)."""
    return user.is_premoderated


class StaffCannotBeSanctioned(PermissionDenied):
    """Sanctions are for readers; staff accounts are managed by a superuser."""


def refresh_standing(*, user: User) -> None:
    """Copy the reader's active sanctions onto their row (suspended_until, is_banned,
    is_premoderated), the only place the hot paths read them. Locks the row so two moderators
    acting at once leave it matching the sanctions."""
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk").first()
    active = list(Sanction.objects.filter(user=user).active().values_list("kind", "ends_at"))
    suspensions = [ends for kind, ends in active if kind == Sanction.Kind.SUSPEND and ends is not None]
    user.suspended_until = max(suspensions, default=None)
    user.is_banned = any(kind == Sanction.Kind.BAN for kind, _ends in active)
    user.is_premoderated = any(kind == Sanction.Kind.PREMODERATE for kind, _ends in active)
    User.objects.filter(pk=user.pk).update(
        suspended_until=user.suspended_until, is_banned=user.is_banned, is_premoderated=user.is_premoderated
    )
    # An update() sends no signal: the API's cached token users must learn the new standing now.
    forget_tokens(Token.objects.filter(user_id=user.pk).values_list("key", flat=True))


@transaction.atomic
def impose_sanction(
    *, user: User, kind: str, reason: str, imposed_by: User | None, ends_at: datetime | None = None
) -> Sanction:
    """Record a sanction and update the reader's standing. A suspension needs an end in the
    future; a ban and pre-moderation last until lifted. Raises ValidationError or
    StaffCannotBeSanctioned."""
    if user.is_staff or user.is_superuser:
        raise StaffCannotBeSanctioned(_("Staff accounts cannot be sanctioned."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give a reason."), code="reason_required")
    now = timezone.now()
    if kind == Sanction.Kind.SUSPEND:
        if ends_at is None or ends_at <= now:
            raise ValidationError(_("A suspension must end in the future."), code="ends_in_past")
    elif kind in (Sanction.Kind.BAN, Sanction.Kind.PREMODERATE):
        ends_at = None
    else:
        raise ValidationError(_("Unknown sanction."), code="invalid")
    sanction = Sanction.objects.create(
        user=user, kind=kind, starts_at=now, ends_at=ends_at, reason=reason, imposed_by=imposed_by
    )
    refresh_standing(user=user)
    return sanction


@transaction.atomic
def lift_sanction(*, sanction: Sanction, lifted_by: User | None, reason: str) -> bool:
    """End a sanction now. Returns False when it was already lifted (two moderators at once:
    one lifting is recorded). Raises ValidationError without a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give a reason."), code="reason_required")
    changed = Sanction.objects.filter(pk=sanction.pk, lifted_at__isnull=True).update(
        lifted_at=timezone.now(), lifted_by=lifted_by, lift_reason=reason
    )
    if changed:
        sanction.refresh_from_db()
        refresh_standing(user=sanction.user)
    return bool(changed)


# --- Badges -------------------------------------------------------------------------------------
# Staff offer a badge (through moderation.badges, which audits it: accounts imports no other
# app); the reader accepts or declines it on their profile. A badge holder's comments are signed
# in both sections, so nothing is signed before the reader agreed (Badge.accepted_at).


def signs_with_badge(*, user) -> bool:
    """Whether the reader's new comments are signed for their badge: they hold one and accepted it
    (forum.services.signs_new_comment asks). One query the first time per user object."""
    return active_badge(user=user) is not None


def _badge_shown_changed(badge: Badge) -> None:
    """An active badge appeared or went: it shows beside the holder's signed comments."""
    byline_changed(user=badge.user)


@transaction.atomic
def offer_badge(
    *, user: User, kind: str, description: str, title: str = "", given_by: User | None
) -> tuple[Badge, bool]:
    """Offer the reader a badge, or change the one they hold or were offered (its kind, title or
    description; an accepted badge stays accepted: the reader agreed to be named, and the new
    wording shows beside their signed comments). Returns the badge and whether it is new. Raises
    ValidationError (a custom badge without a title, an empty description)."""
    description, title = (description or "").strip(), (title or "").strip()
    if kind not in Badge.Kind.values:
        raise ValidationError(_("Choose a kind of badge."), code="invalid_kind")
    if not description:
        raise ValidationError(_("Give the badge a short description."), code="description_required")
    if kind == Badge.Kind.CUSTOM and not title:
        raise ValidationError(_("A custom badge needs a title."), code="title_required")
    if kind != Badge.Kind.CUSTOM:
        title = ""
    badge, created = Badge.objects.select_for_update().get_or_create(
        user=user, defaults={"kind": kind, "title": title, "description": description, "given_by": given_by}
    )
    if not created:
        badge.kind, badge.title, badge.description = kind, title, description
        badge.full_clean(exclude=["user"])
        badge.save(update_fields=["kind", "title", "description"])
        if badge.is_active:
            _badge_shown_changed(badge)
    return badge, created


@transaction.atomic
def remove_badge(*, badge: Badge) -> bool:
    """Take the badge away (staff). Comments already posted keep how they were posted (signed);
    from now on they follow where the reader lives, and no badge shows beside them."""
    deleted, _rows = Badge.objects.filter(pk=badge.pk).delete()
    if deleted and badge.is_active:
        _badge_shown_changed(badge)
    return bool(deleted)


@transaction.atomic
def accept_badge(*, user: User) -> Badge | None:
    """The reader accepts the badge offered to them: their comments are signed with it from now
    on, in both sections. Returns the badge, or None when none is offered (or it was accepted)."""
    changed = Badge.objects.filter(user=user, accepted_at__isnull=True).update(accepted_at=timezone.now())
    badge = Badge.objects.select_related("user").filter(user=user).first()
    if changed and badge is not None:
        _badge_shown_changed(badge)
    _forget_cached_badge(user)
    return badge if changed else None


@transaction.atomic
def decline_badge(*, user: User) -> bool:
    """The reader declines the badge offered to them, or gives up the one they hold: their comments
    follow where they live again (those already posted keep how they were posted)."""
    badge = Badge.objects.select_related("user").filter(user=user).first()
    if badge is None:
        return False
    Badge.objects.filter(pk=badge.pk).delete()
    if badge.is_active:
        _badge_shown_changed(badge)
    _forget_cached_badge(user)
    return True


def _forget_cached_badge(user: User) -> None:
    """The user object caches its badge once read; a change must not be read stale after."""
    if User.badge.related.is_cached(user):
        User.badge.related.delete_cached_value(user)


# --- Mutes ------------------------------------------------------------------------------------

MUTE_SELF = "mute_self"


@dataclass(frozen=True)
class Muted:
    mute: Mute
    created: bool  # False: the reader had already muted this voice (nothing changed)


def mute_reader_refusal(*, reader: User, muted_id: int) -> Refusal | None:
    """Why ``reader`` may not mute the reader ``muted_id``; None when they may. Anyone else may be
    muted, staff included: refusing a moderator would tell who wrote an unsigned comment."""
    if muted_id == reader.pk:
        return Refusal(_("You cannot mute yourself."), MUTE_SELF)
    return None


def mute_reader(*, reader: User, muted_id: int, signed: bool, from_comment_id: int | None) -> Muted:
    """``reader`` mutes one voice of the reader ``muted_id``: their signed comments, or their
    unsigned ones (``signed``), as the comment it was done from (``from_comment_id``) spoke.
    Muting a voice already muted changes nothing. Raises PermissionDenied (a Refusal) for oneself.
    The muted reader is never told: nothing they see changes."""
    if refusal := mute_reader_refusal(reader=reader, muted_id=muted_id):
        raise PermissionDenied(refusal)
    mute, created = Mute.objects.get_or_create(
        reader=reader, muted_id=muted_id, signed=signed, defaults={"muted_from_comment_id": from_comment_id}
    )
    return Muted(mute, created)


def unmute(*, reader: User, mute_id: int) -> bool:
    """Take back one of ``reader``'s mutes; False when they have no such mute (already undone)."""
    deleted, _by_model = Mute.objects.filter(reader=reader, pk=mute_id).delete()
    return bool(deleted)


def unmute_voice(*, reader: User, muted_id: int, signed: bool) -> bool:
    """Take back ``reader``'s mute of that voice of the reader ``muted_id``; False when there was none."""
    deleted, _by_model = Mute.objects.filter(reader=reader, muted_id=muted_id, signed=signed).delete()
    return bool(deleted)
