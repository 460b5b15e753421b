"""Reads for the moderation desk and for authors: the queue, and a reader's own comments."""

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from accounts.models import ReportingStanding, User
from forum.models import Comment
from votes.models import VoteBurstComment

from .models import Decision, QueueItem, Report


def open_reports() -> QuerySet[Report]:
    return Report.objects.filter(resolved_at__isnull=True)


def reporters_toward_hold(comment: Comment) -> int:
    """How many distinct readers' open reports count toward holding the comment: reports from
    readers in good standing when they reported, whose earlier report on it (if any) was not
    already decided. Decisions close every open report, so only reports made after the last one
    count; a reader whose report was decided reporting again does not count again."""
    decided_reporters = Report.objects.filter(comment=comment, resolved_at__isnull=False).values("reporter")
    return (
        open_reports()
        .filter(comment=comment, reporter_standing=ReportingStanding.GOOD)
        .exclude(reporter__in=decided_reporters)
        .values("reporter")
        .distinct()
        .count()
    )


def reported_comment_ids(*, reader: User) -> QuerySet[Report]:
    """The ids of the comments the reader has an open report on (settings.FORUM_READER_REPORTED_COMMENTS):
    the article page marks them as reported, as the report page says (``open_report_of``). Lazy,
    so forum.page_cache asks it within its one query of the reader's state."""
    return open_reports().filter(reporter=reader).values("comment_id")


def open_report_of(*, reporter, comment_id: int) -> Report | None:
    """The reader's open report on this comment, if they made one (the report page says so)."""
    return open_reports().filter(reporter=reporter, comment_id=comment_id).first()


def awaiting_decision() -> Q:
    """What puts a comment in the queue: held or pending, or still in view but reported or flagged
    for unusual voting. A hidden comment has been decided; a placeholder (taken back by its author
    while it had replies) has no words left to decide on."""
    reported = Exists(open_reports().filter(comment=OuterRef("pk")))
    return Q(status__in=[Comment.Status.HELD, Comment.Status.PENDING]) | Q(
        Q(status=Comment.Status.VISIBLE, deleted_at__isnull=True) & (Q(unusual_voting_at__isnull=False) | reported)
    )


def flagged_only() -> Q:
    """In the queue for unusual voting alone: in view, flagged, and not reported."""
    return Q(status=Comment.Status.VISIBLE, unusual_voting_at__isnull=False) & ~Exists(
        open_reports().filter(comment=OuterRef("pk"))
    )


def _open_burst_members() -> QuerySet[VoteBurstComment]:
    """Members of a burst whose flag from it still stands and that are in the queue for it
    alone: what approving the burst's item decides."""
    return (
        VoteBurstComment.objects.filter(
            comment__status=Comment.Status.VISIBLE, comment__unusual_voting_at=F("flagged_at")
        )
        .exclude(Exists(open_reports().filter(comment=OuterRef("comment_id"))))
        .order_by("comment_id")
    )


def queue(*, burst: int | None = None) -> QuerySet[QueueItem]:
    """Every comment awaiting a decision, with its open reports' count (all, and those from
    readers in good standing), whether a brigade of new accounts reported it, the time the first
    report came in, and the time it has waited since (subqueries, not joins: one query per page
    whatever the number of reports). The reports themselves come with ``with_open_reports``,
    one query per page.

    The comments of one burst of unusual voting (votes.models.VoteBurst) that are in the queue for
    it alone are one item: the first of them stands for the burst (``burst_item``), the others are
    left out. With ``burst``, that burst's comments are listed one by one instead."""
    per_comment = open_reports().filter(comment=OuterRef("pk")).order_by().values("comment")
    good = per_comment.filter(reporter_standing=ReportingStanding.GOOD)
    current_burst = VoteBurstComment.objects.filter(
        comment=OuterRef("pk"), flagged_at=OuterRef("unusual_voting_at")
    ).values("burst_id")[:1]
    items = (
        QueueItem.objects.filter(awaiting_decision())
        .annotate(
            open_report_count=Coalesce(
                Subquery(per_comment.annotate(n=Count("*")).values("n"), output_field=IntegerField()), Value(0)
            ),
            good_report_count=Coalesce(
                Subquery(good.annotate(n=Count("*")).values("n"), output_field=IntegerField()), Value(0)
            ),
            brigaded=Exists(open_reports().filter(comment=OuterRef("pk"), brigade=True)),
            first_report_at=Subquery(
                open_reports().filter(comment=OuterRef("pk")).order_by("created_at").values("created_at")[:1]
            ),
            burst_id=Subquery(current_burst),
        )
        .annotate(waiting_since=Coalesce("first_report_at", "unusual_voting_at", "created_at"))
    )
    if burst is not None:
        return items.filter(burst_id=burst).annotate(burst_item=Value(False))
    earlier_member = _open_burst_members().filter(burst_id=OuterRef("burst_id"), comment_id__lt=OuterRef("pk"))
    return items.exclude(flagged_only() & Q(burst_id__isnull=False) & Exists(earlier_member)).annotate(
        burst_item=ExpressionWrapper(flagged_only() & Q(burst_id__isnull=False), output_field=BooleanField())
    )


def with_flags(queryset: QuerySet) -> QuerySet:
    """Prefetch what tripped each comment's unusual-voting flag into ``current_flag`` (its
    membership of a burst, with the burst), and each such burst's comments still in the queue
    for it alone into ``open_members``: two queries for the page."""
    membership = VoteBurstComment.objects.filter(comment__unusual_voting_at=F("flagged_at")).select_related("burst")
    members = (
        _open_burst_members()
        .select_related("comment")
        .only(
            "id", "burst_id", "comment_id", "votes", "flagged_at", "comment__id", "comment__body", "comment__language"
        )
    )
    return queryset.prefetch_related(
        Prefetch("vote_burst_memberships", queryset=membership, to_attr="current_flag"),
        Prefetch("current_flag__burst__members", queryset=members, to_attr="open_members"),
    )


def with_their_bursts(comment_ids: list[int]) -> list[int]:
    """The comments, and for each that stands for a burst of unusual voting in the queue, the
    burst's other comments in the queue for it alone: what approving those items decides."""
    bursts = (
        Comment.objects.filter(flagged_only(), pk__in=comment_ids)
        .filter(vote_burst_memberships__flagged_at=F("unusual_voting_at"))
        .values("vote_burst_memberships__burst_id")
    )
    members = _open_burst_members().filter(burst_id__in=bursts).values_list("comment_id", flat=True)
    return sorted({*comment_ids, *members})


def with_open_reports(queryset: QuerySet) -> QuerySet:
    """Prefetch each comment's open reports, oldest first, into ``open_reports``: one query for
    the page, on any database (no PostgreSQL-only aggregate)."""
    reports = (
        open_reports()
        .only("id", "comment_id", "reason", "detail", "reported_body", "reporter_standing", "brigade", "created_at")
        .order_by("created_at", "id")
    )
    return queryset.prefetch_related(Prefetch("reports", queryset=reports, to_attr="open_reports"))


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
