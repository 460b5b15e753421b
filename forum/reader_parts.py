"""The reader parts of a comment on the article page: the byline, the vote buttons with their
counts, and Reply, Report, Mute, Edit and Delete (the "controls"); for a reader who muted its
author, the collapse around the comment ("You muted this reader. Show": the byline opens it, the
controls close it). They are what one reader may see of a comment that another may not;
everything else of its markup (forum/templates/forum/comment_list.html) is the same for every
reader and only marks their places.

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
from .services import DISCUSSION_CLOSED, SECTION_CLOSED, SIGN_IN

PART_NAMES = ("byline", "votes", "controls")

BYLINE = '<p class="byline"><span class="author">{name}</span>{country}{badge}{hint}</p>'
# A badge holder's badge (only ever on a signed comment: forum.selectors.shown_author); the same
# markup as forum/badge.html.
BADGE = (
    ' <span class="badge badge-{kind}"><span class="badge-label">{label}</span>'
    ' <span class="badge-description">{description}</span></span>'
)
COUNTRY = ', <span class="country">{country}</span>'
UNSIGNED_HINT = ' <span class="hint">{unsigned}</span>'
# An unsigned reply names nobody, but says where its voice is from, as a reaction's section does.
REGION_BYLINE = '<p class="byline"><span class="author region-voice">{reader_in_japan}</span></p>'

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
# Reply: without JavaScript a link to the thread's page with a form answering this comment; the
# page's script opens the same form under the comment instead (static/js/article.js).
REPLY = (
    '<p class="reply-control">'
    '<a class="reply-link" href="{reply_url}#reply-form" data-reply-url="{reply_url}">{reply}</a></p>'
)
# Refused: disabled, and why beside it (a closed section), or in the page's shell (a sanction, an
# unverified address: each reader's own reason, which a shared rendering cannot know).
REPLY_REFUSED = (
    '<p class="reply-control"><button type="button" class="reply-button" disabled aria-describedby="why-{pk}">'
    '{reply}</button> <span class="reply-refusal" id="why-{pk}">{why}</span></p>'
)
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
        "editors_pick": gettext("Editors' pick"),
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
        "reader_in_japan": gettext("A reader in Japan"),
        "reply": gettext("Reply"),
        "reply_refused": gettext("You cannot reply for now: the reason is shown above the comments."),
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
            region = REGION_BYLINE.format(reader_in_japan=self.t["reader_in_japan"]) if comment.is_reply else ""
            return opening + region
        return opening + BYLINE.format(
            name=escape(by.public_name),
            country=COUNTRY.format(country=escape(by.country.name)) if by.country else "",
            badge=BADGE.format(
                kind=escape(by.badge.kind), label=escape(by.badge.label), description=escape(by.badge.description)
            )
            if by.badge
            else "",
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

    def reply(self, comment: Comment) -> str:
        refusal = comment.reply_refusal  # forum.services.comment_refusal, asked in prepare
        if refusal is None or getattr(refusal, "code", "") == SIGN_IN:  # signed out: the thread page invites
            return REPLY.format(reply_url=escape(comment.reply_url), reply=self.t["reply"])
        if getattr(refusal, "code", "") == DISCUSSION_CLOSED:
            return ""
        why = escape(refusal) if getattr(refusal, "code", "") == SECTION_CLOSED else self.t["reply_refused"]
        return REPLY_REFUSED.format(pk=comment.pk, reply=self.t["reply"], why=why)

    def controls(self, comment: Comment) -> str:
        reply = self.reply(comment)
        if comment.reported_by_me:
            report = REPORTED.format(reported=self.t["reported"])
        elif comment.can_report:
            report = REPORT.format(report_url=escape(comment.report_url), report=self.t["report"])
        else:
            report = ""
        if getattr(comment, "can_mute", False):
            report += self.mute(comment)
        if not comment.can_delete:
            return reply + report + self.muted_close(comment)
        edit = EDIT.format(edit_url=escape(comment.edit_url), edit=self.t["edit"]) if comment.can_edit else ""
        owner = OWNER_CONTROLS.format(edit=edit, delete_url=escape(comment.delete_url), delete=self.t["delete"])
        return reply + report + owner + self.muted_close(comment)

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
