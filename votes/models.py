from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from accounts.models import Region
from forum.models import Article, Comment

__all__ = [
    "Region",
    "COUNTED",
    "counted_through",
    "VoteQuerySet",
    "Vote",
    "ReconciliationWatermark",
    "DeletedVote",
    "DirtyComment",
    "TallyRound",
    "VoteBurst",
    "VoteBurstComment",
]


# The one counting rule: a vote row counts when it holds a choice (not taken back) and no moderator
# voided it. Every count of votes (the tally, the reconciliation, the recount, the counts a vote's
# answer shows, the reader's own-vote overlay) goes through this, never a copy of it.
COUNTED = models.Q(choice__isnull=False, voided_at__isnull=True)


def counted_through(relation: str) -> models.Q:
    """COUNTED seen from another model through ``relation`` (Comment: ``counted_through("votes")``)."""
    return models.Q(**{f"{relation}__{lookup}": value for lookup, value in COUNTED.children})


class VoteQuerySet(models.QuerySet):
    def counted(self) -> "VoteQuerySet":
        """The votes that count (COUNTED)."""
        return self.filter(COUNTED)


class Vote(models.Model):
    """One reader's vote on one comment: the source of truth the counters are derived from.

    Taking a vote back keeps the row with no choice, so the change has a timestamp the
    reconciliation can find (a deleted row would leave no trace to reconcile from).
    """

    class Choice(models.TextChoices):
        AGREE = "agree", _("I agree")
        DISAGREE = "disagree", _("I disagree")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes", verbose_name=_("voter")
    )
    # Indexed by the (comment, choice, region) index below, which also serves the tally.
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="votes", db_index=False, verbose_name=_("comment")
    )
    choice = models.CharField(_("choice"), max_length=10, choices=Choice.choices, null=True, blank=True)
    # Where the voter lived when they voted: the split shown beside each count.
    region = models.CharField(_("voter's region"), max_length=10, choices=Region.choices)
    created_at = models.DateTimeField(_("first voted at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed at"), db_index=True)
    # Voided by a moderator (a spammer's votes): the row stays as evidence and the tally leaves
    # it out. Voting again does not clear it (cast_vote's upsert never writes these fields).
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True, editable=False)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("voided by"),
    )

    objects = VoteQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "comment"], name="one_vote_per_reader_per_comment"),
        ]
        indexes = [models.Index(fields=["comment", "choice", "region"], name="vote_tally_idx")]
        verbose_name = _("vote")
        verbose_name_plural = _("votes")

    def __str__(self) -> str:
        choice = self.get_choice_display() if self.choice else _("no vote")
        return _("%(voter)s: %(choice)s on comment %(comment)s") % {
            "voter": self.user,
            "choice": choice,
            "comment": self.comment_id,
        }


class ReconciliationWatermark(models.Model):
    """A single row: the reconciliation has re-tallied every comment voted on before this time.

    Each run looks at votes changed since then (less a grace period for transactions still open
    and clocks that disagree), so it costs as much as the recent votes, not the whole table.
    """

    reconciled_until = models.DateTimeField(_("reconciled until"))

    class Meta:
        verbose_name = _("vote reconciliation watermark")
        verbose_name_plural = _("vote reconciliation watermarks")

    def __str__(self) -> str:
        return f"reconciled until {self.reconciled_until:%Y-%m-%d %H:%M:%S}"


class DeletedVote(models.Model):
    """A comment whose vote rows went away without the tally hearing of it: written by database
    triggers (migration 0003), never by the application, and emptied by the reconciliation.

    The reconciliation finds changed votes by their ``updated_at``; a deleted row has none left to
    find. So the database itself records the comment of every deleted vote row, whoever deletes
    it: an account deletion and its cascade, the admin, a queryset delete, an operator's SQL.
    It also records a row changed without a new ``updated_at`` (a vote voided in place, or moved
    to another comment), which the watermark would miss the same way.
    """

    # No foreign key: the comment may be deleted in the same transaction, and a record must never
    # make a delete fail.
    comment_id = models.BigIntegerField(_("comment id"))
    recorded_at = models.DateTimeField(_("recorded at"), db_default=Now())

    class Meta:
        verbose_name = _("deleted vote")
        verbose_name_plural = _("deleted votes")

    def __str__(self) -> str:
        return f"votes removed from comment {self.comment_id}"


class VoteBurst(models.Model):
    """Unusual voting on one article, as the tally found it (votes.unusual_voting): comments that
    each got at least ``votes_threshold`` votes from accounts younger than ``account_age_hours``
    within ``window_minutes``. Comments flagged on the same article while a burst is recent join
    it, so the moderation queue shows one item per burst, not one per comment. The numbers are
    data, rendered in the moderator's language by the queue."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="vote_bursts", verbose_name=_("article")
    )
    comments = models.ManyToManyField(
        Comment, through="VoteBurstComment", related_name="vote_bursts", verbose_name=_("comments")
    )
    first_flagged_at = models.DateTimeField(_("first flagged at"))
    last_flagged_at = models.DateTimeField(_("last flagged at"), db_index=True)
    # What tripped it: votes from young accounts on its comments, how many accounts cast them,
    # and when the first and the last of those votes were cast.
    votes = models.PositiveIntegerField(_("votes from young accounts"))
    young_accounts = models.PositiveIntegerField(_("young accounts"))
    first_vote_at = models.DateTimeField(_("first vote at"))
    last_vote_at = models.DateTimeField(_("last vote at"))
    # The rule as it stood (FORUM_UNUSUAL_*), so the item reads right after the settings change.
    votes_threshold = models.PositiveIntegerField(_("votes that flag a comment"))
    account_age_hours = models.PositiveIntegerField(_("young account age (hours)"))
    window_minutes = models.PositiveIntegerField(_("window (minutes)"))

    class Meta:
        ordering = ["-last_flagged_at", "-id"]
        verbose_name = _("unusual voting")
        verbose_name_plural = _("unusual voting")

    def __str__(self) -> str:
        return f"unusual voting on article {self.article_id} at {self.first_flagged_at:%Y-%m-%d %H:%M}"


class VoteBurstComment(models.Model):
    """A comment of a burst: its own votes from young accounts, and the flag it got (equal to the
    comment's ``unusual_voting_at`` while that flag stands; a decision clears it)."""

    burst = models.ForeignKey(
        VoteBurst, on_delete=models.CASCADE, related_name="members", verbose_name=_("unusual voting")
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="vote_burst_memberships", verbose_name=_("comment")
    )
    votes = models.PositiveIntegerField(_("votes from young accounts"))
    flagged_at = models.DateTimeField(_("flagged at"))

    class Meta:
        verbose_name = _("comment with unusual voting")
        verbose_name_plural = _("comments with unusual voting")
        constraints = [models.UniqueConstraint(fields=["burst", "comment"], name="vote_burst_comment_once")]
        indexes = [models.Index(fields=["comment", "flagged_at"], name="vote_burst_comment_flag_idx")]

    def __str__(self) -> str:
        return f"comment {self.comment_id} in burst {self.burst_id}"


class DirtyComment(models.Model):
    """A comment voted on since its last tally, on deployments without Redis (the embedded
    default): written in the vote's own transaction, popped by a tally round
    (votes.coalescing.DatabaseMarks). Many votes on one comment leave one row.

    No foreign key: a vote on a comment deleted meanwhile must not fail for its mark.
    """

    comment_id = models.BigIntegerField(primary_key=True)
    marked_at = models.DateTimeField(db_default=Now())

    def __str__(self) -> str:
        return f"comment {self.comment_id} to tally"


class TallyRound(models.Model):
    """A single row, the database's twin of the Redis protocol's ``scheduled`` and
    ``round_started`` keys (votes.coalescing): the token of the round on its way, until when it
    holds the flag (a lost message frees it), and when the last round started."""

    token = models.CharField(max_length=32, blank=True, default="")
    held_until = models.DateTimeField(null=True)
    round_started = models.FloatField(default=0)

    def __str__(self) -> str:
        return f"tally round {self.token or '(none)'}"
