"""Writes of the moderation desk: readers' reports, and moderators' decisions on the queue.

Every decision is taken under a lock on the comment rows and only on comments still awaiting one,
so when two moderators decide the same comment at once, exactly one decision is recorded and the
other is told it was already decided. Every decision is audited (moderation.audit.record).
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ReportingStanding, User
from accounts.selectors import reporting_standing
from forum.models import Comment
from forum.services import report_refusal, set_comment_status

from . import selectors
from .audit import record
from .models import AuditEntry, Decision, Report
from .sanctions import suspend_reader

logger = logging.getLogger(__name__)


# --- Reader reports ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportResult:
    report: Report
    created: bool  # False: the reader's open report on this comment already existed; nothing changed
    held: bool  # this report put the comment on hold


def report_comment(*, reporter: User, comment: Comment, reason: str, detail: str = "") -> ReportResult:
    """Report a comment. A reader's second open report on a comment changes nothing.

    The comment is held out of view when REPORTS_TO_HOLD distinct qualifying readers have open
    reports on it: readers in good standing (accounts.selectors.reporting_standing) whose
    report on it was not already decided. So a comment a moderator approved is held again only
    by as many new qualifying reporters as the first hold took, never by the reports already
    decided nor by their authors reporting again. Other reports reach the queue, marked with
    the reporter's standing; a burst of them from new accounts is marked as a brigade.
    Raises PermissionDenied for one's own comment or an account too new to take part."""
    if refusal := report_refusal(user=reporter, comment=comment):
        raise PermissionDenied(refusal)
    if reason not in Report.Reason.values:
        raise ValueError(f"unknown report reason {reason!r}")
    standing = reporting_standing(user=reporter)
    with transaction.atomic():
        # Reports on one comment take turns, so the count below sees every report before it and
        # exactly one report crosses the threshold.
        locked = Comment.objects.select_for_update().only("id", "status", "body", "article_id").get(pk=comment.pk)
        existing = selectors.open_reports().filter(reporter=reporter, comment=locked).first()
        if existing is not None:
            return ReportResult(report=existing, created=False, held=False)
        try:
            with transaction.atomic():
                report = Report.objects.create(
                    reporter=reporter,
                    comment=locked,
                    reason=reason,
                    detail=detail,
                    reporter_standing=standing,
                    reported_body=locked.body,
                )
        except IntegrityError:  # the same reader's report in another request, just committed
            existing = selectors.open_reports().get(reporter=reporter, comment=locked)
            return ReportResult(report=existing, created=False, held=False)
        if standing == ReportingStanding.NEW_ACCOUNT:
            _mark_brigade(locked, report)
        held = False
        if locked.status == Comment.Status.VISIBLE and standing == ReportingStanding.GOOD:
            reporters = selectors.reporters_toward_hold(locked)
            if reporters >= settings.REPORTS_TO_HOLD:
                set_comment_status(comments=[locked], status=Comment.Status.HELD)
                locked.status = Comment.Status.HELD
                record(
                    actor=None,
                    action=AuditEntry.Action.HOLD,
                    targets=[locked],
                    reason_code=AuditEntry.ReasonCode.REPORTED,
                    reason_params={"count": reporters},
                )
                held = True
    return ReportResult(report=report, created=True, held=held)


def _mark_brigade(comment: Comment, report: Report) -> None:
    """Mark the open reports from new accounts on the comment as a brigade once there are
    FORUM_REPORT_BRIGADE_REPORTS of them within FORUM_REPORT_BRIGADE_WINDOW_MINUTES. Under the
    comment's lock, so the reports counted are every one before this."""
    if settings.FORUM_REPORT_BRIGADE_REPORTS <= 0:
        return
    since = report.created_at - timedelta(minutes=settings.FORUM_REPORT_BRIGADE_WINDOW_MINUTES)
    burst = selectors.open_reports().filter(
        comment=comment, reporter_standing=ReportingStanding.NEW_ACCOUNT, created_at__gte=since
    )
    if burst.count() >= settings.FORUM_REPORT_BRIGADE_REPORTS:
        burst.filter(brigade=False).update(brigade=True)
        report.brigade = True


# --- Decisions on the queue -------------------------------------------------------------------


@dataclass
class Outcome:
    decided: list[Comment] = field(default_factory=list)
    already_decided: list[int] = field(default_factory=list)  # ids another moderator decided first


def _settle(*, moderator: User, comments: list[Comment], outcome: str, reason: str = "", now=None) -> None:
    """What every decision on comments does besides their status: their open reports are closed
    with the outcome, the decision is recorded, and an unusual-voting flag is cleared. So the
    comments leave the queue, and only reports made after it count toward holding them again
    (selectors.reporters_toward_hold). The caller holds the comments' row locks."""
    now = now or timezone.now()
    ids = [comment.pk for comment in comments]
    Comment.objects.filter(pk__in=ids).update(unusual_voting_at=None)
    selectors.open_reports().filter(comment__in=ids).update(resolved_at=now, decision=outcome)
    Decision.objects.bulk_create(
        Decision(comment=comment, moderator=moderator, outcome=outcome, reason=reason) for comment in comments
    )
    for comment in comments:
        comment.unusual_voting_at = None


def approve_released(*, moderator: User, comments: list[Comment]) -> None:
    """Staff showed held or pending comments again outside the queue (the comment's admin form,
    the admin's Restore action, moderation.staff_edits): they are approved as the queue's Approve
    approves, reports closed and the decision recorded, so they leave the queue and the same
    reports cannot hold them again. The caller locks the comments, changes their status and
    audits the release."""
    if comments:
        _settle(moderator=moderator, comments=comments, outcome=Decision.Outcome.APPROVED)


def _decide(*, moderator: User, comment_ids: list[int], outcome: str, reason: str = "") -> Outcome:
    result = Outcome()
    ids = sorted({int(pk) for pk in comment_ids})
    now = timezone.now()
    with transaction.atomic():
        # Lock the rows (in id order: no deadlock between two bulk decisions), then look again:
        # under READ COMMITTED this statement sees whatever a moderator who held the lock
        # before us committed, so an item already decided is no longer awaiting one.
        list(Comment.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
        awaiting = {
            comment.pk: comment
            for comment in Comment.objects.filter(selectors.awaiting_decision(), pk__in=ids).select_related(
                "author", "article"
            )
        }
        result.already_decided = [pk for pk in ids if pk not in awaiting]
        if not awaiting:
            return result
        decided = [awaiting[pk] for pk in ids if pk in awaiting]
        status = Comment.Status.VISIBLE if outcome == Decision.Outcome.APPROVED else Comment.Status.HIDDEN
        set_comment_status(comments=decided, status=status)
        for comment in decided:
            comment.status = status
        _settle(moderator=moderator, comments=decided, outcome=outcome, reason=reason, now=now)
        if outcome == Decision.Outcome.APPROVED:
            record(actor=moderator, action=AuditEntry.Action.APPROVE, targets=decided)
        else:
            label = str(Decision.RejectReason(reason).label)
            record(
                actor=moderator,
                action=AuditEntry.Action.REJECT,
                targets=decided,
                reason_code=AuditEntry.ReasonCode.REJECT_REASON,
                reason_params={"reason": reason},
            )
            transaction.on_commit(lambda: _tell_authors(decided, label))
        result.decided = decided
    return result


def approve_comments(*, moderator: User, comment_ids: list[int]) -> Outcome:
    """Approve: the comment is shown, its open reports are closed, an unusual-voting flag cleared."""
    return _decide(moderator=moderator, comment_ids=comment_ids, outcome=Decision.Outcome.APPROVED)


def reject_comments(*, moderator: User, comment_ids: list[int], reason: str) -> Outcome:
    """Reject: the comment is hidden with a reason from Decision.RejectReason, its open reports
    are closed, and its author is told (on "My comments", in the API, and by e-mail)."""
    if reason not in Decision.RejectReason.values:
        raise ValueError(f"unknown rejection reason {reason!r}")
    return _decide(moderator=moderator, comment_ids=comment_ids, outcome=Decision.Outcome.REJECTED, reason=reason)


SUSPEND_DAYS = 7  # reject-and-suspend's default suspension


def reject_and_suspend(*, moderator: User, comment_ids: list[int], reason: str, days: int = SUSPEND_DAYS) -> Outcome:
    """Reject the comments and suspend their authors for ``days``, in one transaction."""

    with transaction.atomic():
        result = reject_comments(moderator=moderator, comment_ids=comment_ids, reason=reason)
        label = str(Decision.RejectReason(reason).label)
        authors = {comment.author_id: comment.author for comment in result.decided}
        for author in authors.values():
            suspend_reader(
                moderator=moderator,
                reader=author,
                days=days,
                reason=label,
                reason_code=AuditEntry.ReasonCode.REJECT_REASON,
                reason_params={"reason": reason},
            )
    return result


def _tell_authors(comments: list[Comment], reason: str) -> None:
    """E-mail each author whose comment was rejected, where the site has e-mail. After the
    commit; a mail server that fails loses the e-mail, not the decision (the author still sees
    it on "My comments")."""
    for comment in comments:
        if not comment.author.email:
            continue
        subject = _("Your comment was removed")
        body = _(
            "Your comment on “%(article)s” was removed by a moderator.\n\nReason: %(reason)s\n\n"
            "“%(excerpt)s”\n\nYour comments and their status: %(url)s"
        ) % {
            # As readers saw it: a title given after it left view was never public.
            "article": comment.article.public_title or _("an article that is not published"),
            "reason": reason,
            "excerpt": comment.body[:200],
            "url": reverse("my_comments"),
        }
        try:
            send_mail(subject, body, None, [comment.author.email])
        except Exception:
            logger.warning("could not e-mail the author of comment %s about its rejection", comment.pk, exc_info=True)
