"""Reads for votes."""

from collections.abc import Iterable

from accounts.models import User
from forum.models import Comment, CommentQuerySet

from .models import Vote


def choices_of(*, user: User, comment_ids: Iterable[int]) -> dict[int, str]:
    """The reader's current choice per comment, for the comments on one page (one query)."""
    if not user.is_authenticated:
        return {}
    return dict(
        Vote.objects.filter(user=user, comment_id__in=list(comment_ids), choice__isnull=False).values_list(
            "comment_id", "choice"
        )
    )


def current_choice(*, user: User, comment: Comment) -> str | None:
    return Vote.objects.filter(user=user, comment=comment).values_list("choice", flat=True).first()


def comments_to_vote_on() -> CommentQuerySet:
    """What a vote reads: the comment's author, status and counters, and its article's state and
    address, without the texts (a vote is the most frequent request the forum answers)."""
    return (
        Comment.objects.readable()
        .select_related("article")
        .defer("body", "article__body", "article__body_html", "article__discussion_prompt")
    )


def votes_of(*, user: User):
    """The reader's standing votes, newest first, with each comment's article (one query a page):
    what "My votes" lists. Votes taken back keep their row without a choice and are left out, as
    are votes on comments no longer readable."""
    readable = Comment.objects.readable()
    return (
        Vote.objects.filter(user=user, choice__isnull=False, comment__in=readable)
        .select_related("comment__article")
        .only(
            "choice",
            "updated_at",
            "comment__body",
            "comment__section",
            "comment__article__title",
            "comment__article__slug",
        )
        .order_by("-updated_at", "-pk")
    )
