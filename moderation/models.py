from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import ReportingStanding
from forum.models import Comment


class AuditEntry(models.Model):
    """One moderation decision or staff change, as it was taken: who, when, what, to which
    object, and why.

    The why is a code with parameters (``reason_code``, ``reason_params``), rendered in the
    viewer's language by moderation.audit.reason_text; ``reason`` holds words a moderator typed
    (a sanction's reason), or the text of an entry older than the codes that no code matched.

    Append-only: written by moderation.audit.record and never changed or deleted afterwards
    (the admin offers no change or delete to anyone, superusers included).
    """

    class Action(models.TextChoices):
        APPROVE = "approve", _("Approved")
        REJECT = "reject", _("Rejected")
        HOLD = "hold", _("Held for review")
        HIDE = "hide", _("Hidden")
        RESTORE = "restore", _("Restored")
        MOVE = "move", _("Moved to another section")
        CLOSE = "close", _("Closed comments")
        OPEN = "open", _("Opened comments")
        CLOSE_SECTION = "close_section", _("Closed one section's comments")
        OPEN_SECTION = "open_section", _("Opened one section's comments")
        RELEASE = "release", _("Released from review")
        REWRITE = "rewrite", _("Rewrote a comment")
        REATTRIBUTE = "reattribute", _("Changed a comment's author")
        MOVE_ARTICLE = "move_article", _("Moved to another article")
        DELETE_COMMENT = "delete_comment", _("Deleted a comment")
        PUBLISH = "publish", _("Published an article")
        UNPUBLISH = "unpublish", _("Withdrew an article")
        EDIT_ARTICLE = "edit_article", _("Edited an article")
        DELETE_ARTICLE = "delete_article", _("Deleted an article")
        ACCOUNT_CHANGED = "account_changed", _("Changed a reader's account")
        DEACTIVATE = "deactivate", _("Deactivated an account")
        REACTIVATE = "reactivate", _("Reactivated an account")
        PASSWORD_SET = "password_set", _("Set a reader's password")
        DELETE_ACCOUNT = "delete_account", _("Deleted an account")
        SANCTION = "sanction", _("Sanctioned a reader")
        LIFT_SANCTION = "lift_sanction", _("Lifted a sanction")
        WORD_ADDED = "word_added", _("Added a word rule")
        WORD_CHANGED = "word_changed", _("Changed a word rule")
        WORD_REMOVED = "word_removed", _("Removed a word rule")
        VOID_VOTES = "void_votes", _("Voided a reader's votes")
        PICK = "pick", _("Picked as an editors' pick")
        PICK_NOTE = "pick_note", _("Changed an editors' pick's note")
        UNPICK = "unpick", _("Removed from the editors' picks")
        BADGE_OFFERED = "badge_offered", _("Offered a badge")
        BADGE_CHANGED = "badge_changed", _("Changed a badge")
        BADGE_REMOVED = "badge_removed", _("Removed a badge")

    class ReasonCode(models.TextChoices):
        """Why, as a code; moderation.audit.reason_text words it (with ``reason_params``)."""

        REPORTED = "reported", _("Reported by readers")  # {count}
        TIMED = "timed", _("Closed by time")  # {days}
        REJECT_REASON = "reject_reason", _("Rejection reason")  # {reason}: a Decision.RejectReason
        ADMIN_ACTION = "admin_action", _("A bulk action in the admin")
        ADMIN_FORM = "admin_form", _("The change form in the admin")
        ADMIN_LIST = "admin_list", _("The editable list in the admin")
        ADMIN_PASSWORD = "admin_password", _("The set-password form in the admin")

    # None: the site itself acted (a timed closing, a hold after reports).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moderator"),
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    # The object acted on, by type and id, and as it read then (it may be gone since).
    target_type = models.CharField(_("object type"), max_length=50)
    target_id = models.CharField(_("object id"), max_length=64)
    target_repr = models.CharField(_("object"), max_length=200)
    reason_code = models.CharField(_("reason code"), max_length=20, choices=ReasonCode.choices, blank=True)
    reason_params = models.JSONField(_("reason parameters"), default=dict, blank=True)
    # A moderator's own words (a sanction's reason), or an old entry's text no code matched.
    reason = models.TextField(_("reason as written"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.target_repr}"


# --- Reader reports, decisions and the queue -------------------------------------------------
# (Sanctions, word lists and vote voids live in their own block/modules.)


class Report(models.Model):
    """A reader's report of a comment. Open until a moderator decides on the comment; a reader
    has at most one open report per comment (a partial unique constraint). Only reports from
    readers in good standing when they reported count toward a hold; the others reach the queue,
    marked with the reporter's standing."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam")
        ABUSE = "abuse", _("Abuse or harassment")
        HATE = "hate", _("Hate")
        PERSONAL_INFORMATION = "personal_information", _("Personal information")
        OFF_TOPIC = "off_topic", _("Off topic")
        MISINFORMATION = "misinformation", _("Misinformation")
        OTHER = "other", _("Other")

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        # The reader's data export (accounts) reads a reader's reports through this name.
        related_name="reports_made",
        verbose_name=_("reporter"),
    )
    comment = models.ForeignKey(
        "forum.Comment", on_delete=models.CASCADE, related_name="reports", verbose_name=_("comment")
    )
    reason = models.CharField(_("reason"), max_length=30, choices=Reason.choices)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    # The comment's text as the reporter read it: its author may edit it after the report
    # (forum.CommentRevision keeps every earlier text; this names the one reported).
    reported_body = models.TextField(_("text when reported"), blank=True, default="", editable=False)
    # The reporter's standing when they reported (accounts.selectors.reporting_standing).
    reporter_standing = models.CharField(
        _("reporter's standing"),
        max_length=20,
        choices=ReportingStanding.choices,
        default=ReportingStanding.GOOD,
        editable=False,
    )
    # One of a burst of reports from new accounts on this comment (FORUM_REPORT_BRIGADE_*).
    brigade = models.BooleanField(_("part of a brigade"), default=False, editable=False)
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    # Set when a moderator decides on the comment; the decision says which way.
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=10, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "comment"],
                condition=models.Q(resolved_at__isnull=True),
                name="report_one_open_per_reader",
            )
        ]
        indexes = [
            models.Index(fields=["comment"], condition=models.Q(resolved_at__isnull=True), name="report_open_idx")
        ]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.comment_id}"


class Decision(models.Model):
    """A moderator's decision on a comment from the queue, with the reason the author is told."""

    class Outcome(models.TextChoices):
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    # The reasons a moderator picks from when rejecting; the author sees the label.
    class RejectReason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        ABUSE = "abuse", _("Abuse or harassment of other readers")
        HATE = "hate", _("Hate speech")
        PERSONAL_INFORMATION = "personal_information", _("It reveals personal information")
        OFF_TOPIC = "off_topic", _("Off topic for this article")
        MISINFORMATION = "misinformation", _("Misinformation")
        RULES = "rules", _("It breaks the community rules")

    comment = models.ForeignKey(
        "forum.Comment", on_delete=models.CASCADE, related_name="decisions", verbose_name=_("comment")
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("moderator"),
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    reason = models.CharField(_("reason"), max_length=30, choices=RejectReason.choices, blank=True)
    created_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.comment_id}"


class QueueItem(Comment):
    """A comment awaiting a moderator's decision: the queue's face in the admin (a proxy, so it
    has its own admin page and permissions). moderation.selectors.queue() decides what is in it."""

    class Meta:
        proxy = True
        verbose_name = _("comment awaiting a decision")
        verbose_name_plural = _("moderation queue")


class WordRule(models.Model):
    """A phrase on one of the word lists: a comment containing a banned phrase is refused (the
    reader is told the rule's note, never the phrase); one containing a suspect phrase is posted
    pending a moderator's decision. An allowed phrase is an innocent word that contains a listed
    one (ばかり for バカ, Scunthorpe): a match inside it does not count. Matching: moderation.words."""

    class List(models.TextChoices):
        BANNED = "banned", pgettext_lazy("word list", "Banned")
        SUSPECT = "suspect", _("Suspect")
        ALLOWED = "allowed", _("Allowed (an innocent word containing a listed one)")

    phrase = models.CharField(_("phrase"), max_length=100)
    list = models.CharField(_("list"), max_length=10, choices=List.choices)
    note = models.CharField(
        _("note"),
        max_length=200,
        blank=True,
        help_text=_("Shown to a reader whose comment is refused, e.g. “insults”. Never shows the phrase."),
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        ordering = ["list", "phrase"]
        constraints = [models.UniqueConstraint(fields=["phrase", "list"], name="word_rule_unique_phrase")]
        verbose_name = _("word rule")
        verbose_name_plural = _("word rules")

    def __str__(self) -> str:
        return f"{self.get_list_display()}: {self.phrase}"
