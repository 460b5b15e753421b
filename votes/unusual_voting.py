"""Unusual voting: a burst of votes from young accounts, found after each tally batch.

A comment that got at least FORUM_UNUSUAL_VOTES votes from accounts younger than
FORUM_UNUSUAL_ACCOUNT_AGE_HOURS (when they voted) in the last FORUM_UNUSUAL_WINDOW_MINUTES is
flagged, once (Comment.unusual_voting_at): it stays in view and waits in the moderation queue.
What tripped it is kept as data (VoteBurst): how many such votes, from how many accounts, between
which times, under which rule. Comments flagged on one article while its last burst is recent
(within the window) join that burst, so fifty readers voting on thirty comments of one article
make one queue item, not thirty.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Max, Min, OuterRef, Q, Subquery
from django.db.models.expressions import CombinedExpression
from django.utils import timezone

from forum.models import Article, Comment

from .models import COUNTED, Vote, VoteBurst, VoteBurstComment

logger = logging.getLogger(__name__)


def _young_votes(since: datetime | CombinedExpression) -> Q:
    """Counted votes cast since ``since`` by an account younger than the age when it voted (as
    seen from a Vote)."""
    return COUNTED & Q(
        created_at__gte=since,
        user__date_joined__gt=F("created_at") - timedelta(hours=settings.FORUM_UNUSUAL_ACCOUNT_AGE_HOURS),
    )


def flag_unusual_voting(*, comment_ids: list[int]) -> int:
    """Flag the batch's comments that a burst of young accounts voted on, and record the burst.

    A fixed number of statements whatever the batch's size: one when nothing is flagged, a few
    more (flag, bursts, members, totals) when something is. Returns how many were flagged."""
    if settings.FORUM_UNUSUAL_VOTES <= 0 or not comment_ids:
        return 0
    now = timezone.now()
    since = now - timedelta(minutes=settings.FORUM_UNUSUAL_WINDOW_MINUTES)
    young = Vote.objects.filter(_young_votes(since), comment_id=OuterRef("pk")).order_by().values("comment_id")
    candidates = {
        row["pk"]: row
        for row in Comment.objects.filter(pk__in=comment_ids, unusual_voting_at__isnull=True)
        .annotate(young=Subquery(young.annotate(n=Count("pk")).values("n")))
        .filter(young__gte=settings.FORUM_UNUSUAL_VOTES)
        .values("pk", "article_id", "young")
    }
    if not candidates:
        return 0
    with transaction.atomic():
        # Only the comments this call flags (another tally may flag one at the same moment).
        Comment.objects.filter(pk__in=candidates, unusual_voting_at__isnull=True).update(unusual_voting_at=now)
        flagged = list(
            Comment.objects.filter(pk__in=candidates, unusual_voting_at=now).order_by("pk").values_list("pk", flat=True)
        )
        if flagged:
            _record_bursts([candidates[pk] for pk in flagged], now=now, since=since)
    if flagged:
        logger.warning("Flagged %d comments for unusual voting.", len(flagged))
    return len(flagged)


def _record_bursts(flagged: list[dict], *, now, since) -> None:
    """Add the flagged comments to their article's recent burst, or to a new one, then count
    each touched burst's totals again from the votes."""
    articles = {row["article_id"] for row in flagged}
    # Two tallies flagging comments of one article at once take turns on the article's row, so
    # the second sees the burst the first made and joins it. NO KEY UPDATE: a comment or vote
    # written meanwhile (a foreign-key check, KEY SHARE) does not wait for it.
    list(Article.objects.select_for_update(no_key=True).filter(pk__in=articles).order_by("pk").values_list("pk"))
    recent: dict[int, VoteBurst] = {}
    for burst in VoteBurst.objects.filter(article_id__in=articles, last_flagged_at__gte=since).order_by(
        "last_flagged_at", "id"
    ):
        recent[burst.article_id] = burst  # the latest per article
    new = [
        VoteBurst(
            article_id=article_id,
            first_flagged_at=now,
            last_flagged_at=now,
            votes=0,
            young_accounts=0,
            first_vote_at=now,
            last_vote_at=now,
            votes_threshold=settings.FORUM_UNUSUAL_VOTES,
            account_age_hours=settings.FORUM_UNUSUAL_ACCOUNT_AGE_HOURS,
            window_minutes=settings.FORUM_UNUSUAL_WINDOW_MINUTES,
        )
        for article_id in sorted(articles - recent.keys())
    ]
    for burst in VoteBurst.objects.bulk_create(new):
        recent[burst.article_id] = burst
    VoteBurstComment.objects.bulk_create(
        VoteBurstComment(burst=recent[row["article_id"]], comment_id=row["pk"], votes=row["young"], flagged_at=now)
        for row in flagged
    )
    # Each burst's totals over all its comments: young votes cast from one window before its first
    # flag until now, the distinct accounts that cast them, the first and the last.
    member = "comment__vote_burst_memberships__burst"
    window = timedelta(minutes=settings.FORUM_UNUSUAL_WINDOW_MINUTES)
    totals = (
        Vote.objects.filter(
            _young_votes(F(f"{member}__first_flagged_at") - window), **{f"{member}__in": list(recent.values())}
        )
        .values(member)
        .annotate(n=Count("pk"), accounts=Count("user", distinct=True), first=Min("created_at"), last=Max("created_at"))
        .order_by()
    )
    by_pk = {burst.pk: burst for burst in recent.values()}
    for row in totals:
        burst = by_pk[row[member]]
        burst.votes, burst.young_accounts = row["n"], row["accounts"]
        burst.first_vote_at, burst.last_vote_at = row["first"], row["last"]
        burst.last_flagged_at = now
    VoteBurst.objects.bulk_update(
        list(recent.values()), ["votes", "young_accounts", "first_vote_at", "last_vote_at", "last_flagged_at"]
    )
