"""The reader parts of a comment on the article page: the byline, the vote buttons with their
counts, and Report, Mute, Edit and Delete; for a reader who muted its author, the collapse around
the comment ("You muted this reader. Show": the byline opens it, the controls close it). They are
what one reader may see of a comment that another may not; everything else of its markup
(forum/templates/forum/comment_list.html) is the same for every reader and only marks their places.

The parts are small templates filled from data: format strings below, filled from what
forum.page_cache.prepare set on each comment for one viewer (whose votes, whose comment, what the
refusal rules let them do). They are Python rather than Django templates because a signed-in page
renders those of every comment its reader wrote, voted on or reported, on every request: a Django
template cost ~0.35 ms a comment, these ~0.01 ms. The same code renders every comment's parts when
a page is rendered whole (the shared renderings, staff), so a shared page with a reader's parts laid
in equals the page rendered for that reader alone (tests/forum/test_page_cache.py).

Every value is escaped here; the slots <!--csrf--> and <!--next--> are filled once per response
(forum.page_cache.fill_slots).
"""

from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext

from .models import Comment

PART_NAMES = ("byline", "votes", "controls")

BYLINE = '<p class="byline"><span class="author">{name}</span>{country}{hint}</p>'
COUNTRY = ', <span class="country">{country}</span>'
UNSIGNED_HINT = ' <span class="hint">{unsigned}</span>'

VOTE = (
    '\n    <span class="vote">'
    '\n      <button type="submit" name="choice" value="{choice}" class="vote-button {choice}"'
    ' aria-pressed="{pressed}"{disabled}>'
    '\n        {label} <span class="count" data-count="{choice}">{count}</span>'
    "\n      </button>"
    '\n      <span class="breakdown" data-breakdown="{choice}"><span class="visually-hidden">{by_region}</span>'
    ' {japan} <span data-count="{choice}_japan">{japan_count}</span>'
    ' · {world} <span data-count="{choice}_world">{world_count}</span></span>'
    "\n    </span>"
)
VOTES = (
    '<form class="votes" method="post" action="{vote_url}" data-counts-url="{counts_url}">{csrf}{agree}{disagree}'
    '{note}\n    <span class="vote-status" role="status" aria-live="polite"></span>\n  </form>'
)
CSRF_INPUT = '\n    <input type="hidden" name="csrfmiddlewaretoken" value="<!--csrf-->">'
SIGN_IN_INVITE = (
    '\n    <a class="vote-invite" href="{sign_in_url}?next=<!--next-->%23comment-{pk}">{sign_in_to_vote}</a>'
)
OWN_NOTE = '\n    <span class="vote-note">{own_comment}</span>'

REPORTED = '<p class="report reported">{reported}</p>'
REPORT = '<p class="report"><a class="report-link" href="{report_url}" data-report-dialog>{report}</a></p>'
OWNER_CONTROLS = (
    '\n  <p class="owner-controls">{edit}'
    '\n    <a class="delete-link" href="{delete_url}" data-delete-url="{delete_url}">{delete}</a>'
    "\n  </p>"
)
EDIT = '\n    <a class="edit-link" href="{edit_url}" data-edit-url="{edit_url}">{edit}</a>'
# Mute (or, on a muted reader's comment, Unmute): a form that works without JavaScript; the page's
# script sends it through the API (static/js/mute.js).
MUTE = '\n  <form class="{action}-form" method="post" action="{url}">{csrf}<button>{label}</button></form>'
# A muted reader's comment, collapsed for the reader who muted them: the byline opens it, the
# controls close it, so its replies (nested after the controls) stay in view.
MUTED_OPEN = (
    '<details class="muted-comment"><summary><span class="muted-note">{muted}</span> '
    '<span class="muted-show">{show}</span></summary>'
)
MUTED_CLOSE = "\n  </details>"


def labels() -> dict[str, str]:
    """The comment markup's labels, translated once per rendering instead of once per comment."""
    return {
        "unsigned": gettext("(unsigned for other readers)"),
        "edited": gettext("edited"),
        "edited_by_moderator": gettext("edited by a moderator"),
        "agree": gettext("I agree"),
        "disagree": gettext("I disagree"),
        "agree_by_region": gettext("agree votes by region:"),
        "disagree_by_region": gettext("disagree votes by region:"),
        "japan": gettext("Japan"),
        "world": gettext("World"),
        "sign_in_to_vote": gettext("Sign in to vote"),
        "own_comment": gettext("You cannot vote on your own comment."),
        "edit": gettext("Edit"),
        "delete": gettext("Delete"),
        "report": gettext("Report"),
        "reported": gettext("You reported this comment."),
        "mute": gettext("Mute"),
        "unmute": gettext("Unmute"),
        "muted": gettext("You muted this reader."),
        "show": gettext("Show"),
    }


class PartRenderer:
    """Renders prepared comments' reader parts for one viewer, in the current language."""

    def __init__(self, viewer):
        self.signed_in = viewer.is_authenticated
        self.t = {key: escape(text) for key, text in labels().items()}
        self.sign_in_url = escape(reverse("login"))

    def muted_open(self) -> str:
        return MUTED_OPEN.format(muted=self.t["muted"], show=self.t["show"])

    def byline(self, comment: Comment) -> str:
        opening = self.muted_open() if getattr(comment, "muted_by_me", False) else ""
        by = comment.shown_author  # forum.selectors.shown_author: the one rule of who is named
        if by is None:
            return opening
        return opening + BYLINE.format(
            name=escape(by.public_name),
            country=COUNTRY.format(country=escape(by.country.name)) if by.country else "",
            hint="" if by.signed else UNSIGNED_HINT.format(unsigned=self.t["unsigned"]),
        )

    def _vote(self, comment: Comment, choice: str, disabled: str) -> str:
        t = self.t
        return VOTE.format(
            choice=choice,
            pressed="true" if comment.my_choice == choice else "false",
            disabled=disabled,
            label=t[choice],
            count=getattr(comment, f"{choice}_count"),
            by_region=t[f"{choice}_by_region"],
            japan=t["japan"],
            world=t["world"],
            japan_count=getattr(comment, f"{choice}_japan_count"),
            world_count=getattr(comment, f"{choice}_world_count"),
        )

    def votes(self, comment: Comment) -> str:
        disabled = " disabled" if comment.cannot_vote else ""
        if not self.signed_in:
            note = SIGN_IN_INVITE.format(
                sign_in_url=self.sign_in_url, pk=comment.pk, sign_in_to_vote=self.t["sign_in_to_vote"]
            )
        elif comment.mine:
            note = OWN_NOTE.format(own_comment=self.t["own_comment"])
        else:
            note = ""
        return VOTES.format(
            vote_url=escape(comment.vote_url),
            counts_url=escape(comment.counts_url),
            csrf=CSRF_INPUT if self.signed_in else "",
            agree=self._vote(comment, "agree", disabled),
            disagree=self._vote(comment, "disagree", disabled),
            note=note,
        )

    def controls(self, comment: Comment) -> str:
        if comment.reported_by_me:
            report = REPORTED.format(reported=self.t["reported"])
        elif comment.can_report:
            report = REPORT.format(report_url=escape(comment.report_url), report=self.t["report"])
        else:
            report = ""
        if getattr(comment, "can_mute", False):
            report += self.mute(comment)
        if not comment.can_delete:
            return report + self.muted_close(comment)
        edit = EDIT.format(edit_url=escape(comment.edit_url), edit=self.t["edit"]) if comment.can_edit else ""
        owner = OWNER_CONTROLS.format(edit=edit, delete_url=escape(comment.delete_url), delete=self.t["delete"])
        return report + owner + self.muted_close(comment)

    def mute(self, comment: Comment) -> str:
        muted = getattr(comment, "muted_by_me", False)
        return MUTE.format(
            url=escape(comment.unmute_url if muted else comment.mute_url),
            action="unmute" if muted else "mute",
            csrf=CSRF_INPUT,
            label=self.t["unmute" if muted else "mute"],
        )

    @staticmethod
    def muted_close(comment: Comment) -> str:
        return MUTED_CLOSE if getattr(comment, "muted_by_me", False) else ""

    def parts(self, comments, names: tuple[str, ...] = PART_NAMES) -> dict[tuple[int, str], str]:
        """The named reader parts of these prepared comments, by (comment id, part name)."""
        render = {name: getattr(self, name) for name in names}
        return {(comment.pk, name): part(comment) for comment in comments for name, part in render.items()}
