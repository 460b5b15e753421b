"""Reads for reader accounts."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .models import Badge, ReportingStanding, User


def moment_text(moment: datetime) -> str:
    """A date and time as the reader reads them: in the active time zone and the locale's format."""
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _export_rows(rows: QuerySet, fields: dict[str, str]) -> list[dict[str, Any]]:
    """``rows`` as export entries, {name in the export: field path}; dates and times in ISO 8601."""
    return [
        {name: _iso(value) if isinstance(value, datetime) else value for name, value in zip(fields, row, strict=True)}
        for row in rows.values_list(*fields.values())
    ]


# What the export reads of an article to name it as readers could see it (forum's
# Article.public_slug and public_title): an article back in draft is named by its last public
# title, never by one given since. Read through the related row, so accounts imports no other app.
ARTICLE_NAME_FIELDS = ("status", "published_at", "title", "slug", "last_public_title", "last_public_slug")


def _export_objects(
    user: User, relation: str, article_path: str, fields: dict[str, str], *, title: bool
) -> list[dict[str, Any]]:
    """The reader's rows of ``relation`` (e.g. "votes"), oldest first, with their article (at
    ``article_path``, e.g. "comment__article") in the same query, as export entries: the row's
    first field, the article's public slug (and title), then the other fields {name: attribute};
    null where the article never was public."""
    rows = getattr(user, relation).order_by("created_at", "id")
    owner = user._meta.get_field(relation).field.name  # the related manager sets it on each row
    related = [f"{article_path}__{name}" for name in ARTICLE_NAME_FIELDS]
    columns = [owner, *(attribute.removesuffix("_id") for attribute in fields.values())]
    entries = []
    for row in rows.select_related(article_path).only(*columns, *related):
        article = row
        for step in article_path.split("__"):
            article = getattr(article, step)
        values = {name: getattr(row, attribute) for name, attribute in fields.items()}
        first = next(iter(values))  # the row's own id first, then its article, then the rest
        entry = {first: values.pop(first), "article": article.public_slug or None}
        if title:
            entry["article_title"] = article.public_title or None
        entry |= {name: _iso(value) if isinstance(value, datetime) else value for name, value in values.items()}
        entries.append(entry)
    return entries


def reader_data_export(*, user: User) -> dict[str, Any]:
    """Everything the forum holds about the reader, as one JSON-ready document (GDPR Art. 15/20).

    Read through the user's reverse relations (comments and their earlier texts, votes, reports
    made), so accounts imports no other app. Replies are comments too, with their thread's ids.
    Who imposed a sanction is left out: moderators are not named to readers. An
    article is named as readers last saw it, never by a title it was given after it left view.
    """
    profile = {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "country": user.country.code or "",
        "date_joined": _iso(user.date_joined),
        "last_login": _iso(user.last_login),
    }
    comment_fields = ["section", "signed", "body", "status", "created_at", "edited_at", "agree_count", "disagree_count"]
    return {
        "exported_at": timezone.now().isoformat(),
        "profile": profile,
        "comments": _export_objects(
            user,
            "comments",
            "article",
            # A reply names its thread's comment (parent) and the comment it answers (reply_to);
            # both null on a comment that starts a thread.
            {"id": "id"}
            | {name: name for name in comment_fields}
            | {"parent": "parent_id", "reply_to": "reply_to_id", "deleted_at": "deleted_at"},
            title=True,
        ),
        # The earlier texts of the reader's comments, kept at each edit (theirs, or staff's
        # rewrite: by_moderator). Read through the comments, so accounts imports no other app;
        # who at the forum rewrote one is left out, as for sanctions.
        "comment_revisions": _export_rows(
            user.comments.filter(revisions__isnull=False).order_by("revisions__edited_at", "revisions__id"),
            {
                "comment": "id",
                "body": "revisions__body",
                "language": "revisions__language",
                "replaced_at": "revisions__edited_at",
                "by_moderator": "revisions__by_moderator",
            },
        ),
        # A vote taken back has "choice": null (the row stays, see votes.models.Vote).
        "votes": _export_objects(
            user,
            "votes",
            "comment__article",
            {"comment": "comment_id"} | {name: name for name in ["choice", "region", "created_at", "updated_at"]},
            title=False,
        ),
        "reports": _export_objects(
            user,
            "reports_made",
            "comment__article",
            {"comment": "comment_id"}
            | {name: name for name in ["reason", "detail", "created_at", "resolved_at", "decision"]},
            title=False,
        ),
        "sanctions": _export_rows(
            user.sanctions.order_by("starts_at", "id"),
            {name: name for name in ["kind", "starts_at", "ends_at", "reason", "lifted_at", "lift_reason"]},
        ),
        # Who offered it is left out, as for sanctions.
        "badge": next(
            iter(
                _export_rows(
                    Badge.objects.filter(user=user),
                    {name: name for name in ["kind", "title", "description", "given_at", "accepted_at"]},
                )
            ),
            None,
        ),
        # The voices the reader muted, by the comment each was muted from: never the muted
        # reader's id, which would name the author of an unsigned comment.
        "mutes": _export_rows(
            user.mutes.order_by("created_at", "id"),
            {"signed": "signed", "muted_from_comment": "muted_from_comment_id", "created_at": "created_at"},
        ),
    }


def standing_of(*, user: User) -> dict[str, Any]:
    """The reader's standing as the profile page and GET /api/v1/me/ show it."""
    now = timezone.now()
    suspended_until = user.suspended_until if user.suspended_until and user.suspended_until > now else None
    if user.is_banned:
        status, message = "banned", _("Your account is banned: you can no longer vote or comment.")
    elif suspended_until:
        status = "suspended"
        message = _("Your account is suspended until %(when)s.") % {"when": moment_text(suspended_until)}
    elif user.is_premoderated:
        status, message = "premoderated", _("Your new comments are reviewed by a moderator before they appear.")
    else:
        status, message = "good", _("Your account is in good standing.")
    return {
        "status": status,
        "suspended_until": suspended_until,
        "premoderated": user.is_premoderated,
        "message": message,
    }


def has_verified_email(*, user: User) -> bool:
    """Whether the reader proved they own their e-mail address (followed its verification link):
    the one rule that voting, commenting and reporting (accounts.services.taking_part_refusal) and
    report trust (reporting_standing below) ask. Reads the copy on the user row
    (accounts.email_addresses.refresh_email_verified): no query."""
    return user.email_verified


def reporting_standing(*, user: User, at: datetime | None = None) -> ReportingStanding:
    """Whether the reader's reports count toward holding a comment, and if not why: the one
    place that decides "good standing" for reports.

    A reader in good standing is not suspended or banned, has a verified e-mail address, and
    has had their account for FORUM_REPORT_TRUST_ACCOUNT_AGE_DAYS: accounts made for a brigade
    are young, so a few sign-ups cannot hide a comment. Reads only the user row: no query.
    """
    at = at or timezone.now()
    if user.is_banned or (user.suspended_until is not None and user.suspended_until > at):
        return ReportingStanding.SANCTIONED
    if user.date_joined > at - timedelta(days=settings.FORUM_REPORT_TRUST_ACCOUNT_AGE_DAYS):
        return ReportingStanding.NEW_ACCOUNT
    if not has_verified_email(user=user):
        return ReportingStanding.UNVERIFIED_EMAIL
    return ReportingStanding.GOOD


def account_summary(user: User) -> str:
    """What moderators see of a reader's address and sign-in: the verified address's domain and the
    last sign-in method ("example.jp · password"), never the address itself; empty if neither is known."""
    method = _("password") if user.sign_in_method == "password" else user.sign_in_method
    return " · ".join(part for part in (user.email_domain, method) if part)


def badge_of(*, user) -> Badge | None:
    """The reader's badge, offered or accepted; None when they have none. Read through the user
    object (its ``badge``), so a list that selected ``author__badge`` asks no query."""
    if user is None or not getattr(user, "pk", None):
        return None
    return getattr(user, "badge", None)  # the reverse one-to-one raises an AttributeError when absent


def active_badge(*, user) -> Badge | None:
    """The reader's badge when they accepted it (it signs their comments and shows beside them)."""
    badge = badge_of(user=user)
    return badge if badge is not None and badge.is_active else None
