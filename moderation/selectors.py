"""Reads for the moderation desk and for authors: the queue, and a reader's own comments."""

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.models import User
from forum.models import Comment

from .models import Decision, QueueItem, Report


def open_reports() -> QuerySet[Report]:
    return Report.objects.filter(resolved_at__isnull=True)


def open_report_of(*, reporter, comment_id: int) -> Report | None:
    """The reader's open report on this comment, if they made one (the report page says so)."""
    return open_reports().filter(reporter=reporter, comment_id=comment_id).first()


def awaiting_decision() -> Q:
    """What puts a comment in the queue: held or pending, or still in view but reported or flagged
    for unusual voting. A hidden comment has been decided."""
    reported = Exists(open_reports().filter(comment=OuterRef("pk")))
    return Q(status__in=[Comment.Status.HELD, Comment.Status.PENDING]) | Q(
        Q(status=Comment.Status.VISIBLE) & (Q(unusual_voting_at__isnull=False) | reported)
    )


def queue() -> QuerySet[QueueItem]:
    """Every comment awaiting a decision, with its open reports' count and the time the first came
    in, and the time it has waited since (subqueries, not joins: one query per page whatever the
    number of reports). The reasons come with ``with_open_reports``, one query per page."""
    per_comment = open_reports().filter(comment=OuterRef("pk")).order_by().values("comment")
    return (
        QueueItem.objects.filter(awaiting_decision())
        .annotate(
            open_report_count=Coalesce(
                Subquery(per_comment.annotate(n=Count("*")).values("n"), output_field=IntegerField()), Value(0)
            ),
            first_report_at=Subquery(
                open_reports().filter(comment=OuterRef("pk")).order_by("created_at").values("created_at")[:1]
            ),
        )
        .annotate(waiting_since=Coalesce("first_report_at", "unusual_voting_at", "created_at"))
    )


def with_open_reports(queryset: QuerySet) -> QuerySet:
    """Prefetch each comment's open reports (reason only) into ``open_reports``: one query for
    the page, on any database (no PostgreSQL-only aggregate)."""
    return queryset.prefetch_related(
        Prefetch("reports", queryset=open_reports().only("id", "comment_id", "reason"), to_attr="open_reports")
    )


def report_reasons(comment: Comment) -> list[str]:
    """The distinct reasons of the comment's open reports, as labels, most frequent first."""
    counts: dict[str, int] = {}
    for report in getattr(comment, "open_reports", []):
        counts[report.reason] = counts.get(report.reason, 0) + 1
    ordered = sorted(counts, key=lambda code: (-counts[code], code))
    return [f"{Report.Reason(code).label} ({counts[code]})" for code in ordered]


def comments_of(*, author: User) -> QuerySet[Comment]:
    """The author's own comments, whatever their status, with the reason of the latest
    rejection (shown while the comment is hidden) and the article for links."""
    latest_rejection = Decision.objects.filter(comment=OuterRef("pk"), outcome=Decision.Outcome.REJECTED).order_by(
        "-created_at", "-id"
    )
    return (
        Comment.objects.filter(author=author)
        .select_related("article")
        .annotate(rejection_reason=Subquery(latest_rejection.values("reason")[:1]))
    )


def rejection_reason_text(comment: Comment) -> str:
    """What the author is told about why their comment is hidden ("" when it is not)."""
    if comment.status != Comment.Status.HIDDEN:
        return ""
    code = getattr(comment, "rejection_reason", None)
    if code:
        return str(Decision.RejectReason(code).label)
    return ""
