"""Reads for reader accounts."""

from datetime import datetime
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .models import User


def moment_text(moment: datetime) -> str:
    """A date and time as the reader reads them: in the active time zone and the locale's format."""
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def reader_data_export(*, user: User) -> dict[str, Any]:
    """Everything the forum holds about the reader, as one JSON-ready document (GDPR Art. 15/20).

    Read through the user's reverse relations (comments, votes, reports made), so accounts imports
    no other app. Who imposed a sanction is left out: moderators are not named to readers.
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
    comments = [
        {
            "id": row["id"],
            "article": row["article__slug"],
            "article_title": row["article__title"],
            "section": row["section"],
            "body": row["body"],
            "status": row["status"],
            "created_at": _iso(row["created_at"]),
            "edited_at": _iso(row["edited_at"]),
            "agree_count": row["agree_count"],
            "disagree_count": row["disagree_count"],
        }
        for row in user.comments.order_by("created_at", "id").values(
            "id",
            "article__slug",
            "article__title",
            "section",
            "body",
            "status",
            "created_at",
            "edited_at",
            "agree_count",
            "disagree_count",
        )
    ]
    votes = [
        {
            "comment": row["comment_id"],
            "article": row["comment__article__slug"],
            "choice": row["choice"],  # null: a vote taken back (the row stays, see votes.models.Vote)
            "region": row["region"],
            "created_at": _iso(row["created_at"]),
            "updated_at": _iso(row["updated_at"]),
        }
        for row in user.votes.order_by("created_at", "id").values(
            "comment_id", "comment__article__slug", "choice", "region", "created_at", "updated_at"
        )
    ]
    reports = [
        {
            "comment": row["comment_id"],
            "article": row["comment__article__slug"],
            "reason": row["reason"],
            "detail": row["detail"],
            "created_at": _iso(row["created_at"]),
            "resolved_at": _iso(row["resolved_at"]),
            "decision": row["decision"],
        }
        for row in user.reports_made.order_by("created_at", "id").values(
            "comment_id", "comment__article__slug", "reason", "detail", "created_at", "resolved_at", "decision"
        )
    ]
    sanctions = [
        {
            "kind": row["kind"],
            "starts_at": _iso(row["starts_at"]),
            "ends_at": _iso(row["ends_at"]),
            "reason": row["reason"],
            "lifted_at": _iso(row["lifted_at"]),
            "lift_reason": row["lift_reason"],
        }
        for row in user.sanctions.order_by("starts_at", "id").values(
            "kind", "starts_at", "ends_at", "reason", "lifted_at", "lift_reason"
        )
    ]
    return {
        "exported_at": timezone.now().isoformat(),
        "profile": profile,
        "comments": comments,
        "votes": votes,
        "reports": reports,
        "sanctions": sanctions,
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
