"""The benchmark's baseline counter backend (VOTES_COUNTER_BACKEND=bench.baseline_counters.CountInRequest
in the environment of the server `make bench` starts for it): counters adjusted in the request
with F() + 1, as many forums do, so that the coalesced tally has something to be compared with.
Every voter on a comment then queues on that comment's row lock. It is benchmark code, kept
out of the product's packages; the product's backend is votes.counters.TallyFromRows."""

from collections.abc import Callable

from django.db import transaction
from django.db.models import F

from accounts.models import User
from forum import caching
from forum.models import Comment
from votes.counters import VoteWrite
from votes.models import Vote


class CountInRequest:
    def record(self, *, user: User, comment: Comment, write: Callable[[], VoteWrite]) -> VoteWrite:
        """Lock the reader's vote row, write it, and move the comment's counters from the
        previous choice to the stored one. A voided vote counts neither before nor after."""
        with transaction.atomic():
            previous = (
                Vote.objects.select_for_update()
                .filter(user_id=user.pk, comment_id=comment.pk)
                .values_list("choice", "region", "voided_at")
                .first()
            )
            written = write()
            if previous and previous[2]:
                return written
            changes: dict[str, F] = {}
            if previous and previous[0]:
                field = f"{previous[0]}_{previous[1]}_count"
                changes[field] = F(field) - 1
                changes[f"{previous[0]}_count"] = F(f"{previous[0]}_count") - 1
            if written.stored:
                field, total = f"{written.stored}_{user.region}_count", f"{written.stored}_count"
                changes[field] = (changes.get(field) or F(field)) + 1
                changes[total] = (changes.get(total) or F(total)) + 1
            if changes:
                Comment.objects.filter(pk=comment.pk).update(**changes)
                caching.bump_article_version(comment.article_id)
        return written
