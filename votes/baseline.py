"""The benchmark's baseline only (settings.VOTES_SYNCHRONOUS_COUNTERS): counters adjusted in the
request with F() + 1, as many forums do, so that `make bench` can compare. Every voter on a
comment then queues on that comment's row lock. Never on in production."""

from django.db.models import F

from forum.models import Comment
from forum.versions import bump_article_version

from .models import Vote


def count_in_request(vote: Vote) -> None:
    """Move the comment's counters from the reader's previous vote to this one (no choice: taken back)."""
    previous = (
        Vote.objects.select_for_update()
        .filter(user_id=vote.user_id, comment_id=vote.comment_id)
        .values_list("choice", "region")
        .first()
    )
    changes: dict[str, F] = {}
    if previous and previous[0]:
        field = f"{previous[0]}_{previous[1]}_count"
        changes[field] = F(field) - 1
        changes[f"{previous[0]}_count"] = F(f"{previous[0]}_count") - 1
    if vote.choice:
        field = f"{vote.choice}_{vote.region}_count"
        total = f"{vote.choice}_count"
        changes[field] = (changes.get(field) or F(field)) + 1
        changes[total] = (changes.get(total) or F(total)) + 1
    if changes:
        Comment.objects.filter(pk=vote.comment_id).update(**changes)
        bump_article_version(vote.comment.article_id)
