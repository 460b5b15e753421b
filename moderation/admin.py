from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.dateformat import time_format
from django.utils.functional import lazy
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from accounts.models import ReportingStanding, User
from accounts.selectors import account_summary
from forum.admin import ThreadFilter, thread_context
from forum.models import Comment

from . import audit, selectors, services
from .models import AuditEntry, Decision, QueueItem

# Moderators land on the queue: the admin's index leads with a link to it.
admin.site.index_template = "moderation/admin_index.html"


def _reject_and_suspend_label() -> str:
    """Worded when the page is drawn, in the moderator's language (a lazy ngettext with ``%``
    applied would be worded once, at import, in English)."""
    return ngettext(
        "Reject the selected comments and suspend their authors for %(days)d day",
        "Reject the selected comments and suspend their authors for %(days)d days",
        services.SUSPEND_DAYS,
    ) % {"days": services.SUSPEND_DAYS}


class ModeratorFilter(admin.SimpleListFilter):
    """Filter by moderator, listing only those who appear in the trail (not every reader)."""

    title = gettext_lazy("moderator")
    parameter_name = "actor"

    def lookups(self, request: HttpRequest, model_admin):
        actors = User.objects.filter(pk__in=AuditEntry.objects.filter(actor__isnull=False).values("actor"))
        named = [(str(user.pk), user.username) for user in actors.order_by("username")]
        return [("none", _("The site itself")), *named]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "none":
            return queryset.filter(actor__isnull=True)
        if self.value() and self.value().isdigit():
            return queryset.filter(actor_id=int(self.value()))
        return queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit trail, read-only for everyone: nobody adds, changes or deletes an entry here."""

    list_display = ("created_at", "actor", "what", "target_repr", "why")
    list_filter = (ModeratorFilter, "action", "reason_code", "created_at")
    list_select_related = ("actor",)
    search_fields = ("target_repr", "reason")
    date_hierarchy = "created_at"
    fields = ("created_at", "actor", "what", "target_type", "target_id", "target_repr", "why", "details")
    readonly_fields = fields

    # Both worded in the viewer's language from the stored codes (moderation.audit).
    @admin.display(description=gettext_lazy("what"), ordering="action")
    def what(self, entry: AuditEntry) -> str:
        return audit.what_text(entry)

    @admin.display(description=gettext_lazy("why"))
    def why(self, entry: AuditEntry) -> str:
        return audit.reason_text(entry) or "—"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False


# --- The moderation queue ---------------------------------------------------------------------


class QueueActionForm(ActionForm):
    """The bulk actions' form, with the reason a rejection needs."""

    reason = forms.ChoiceField(
        label=gettext_lazy("Reason for rejecting:"), choices=Decision.RejectReason.choices, required=False
    )


class WhyFilter(admin.SimpleListFilter):
    """Why a comment is in the queue: reports from readers in good standing, reports only from
    others, a brigade of new accounts, unusual voting, or waiting for approval."""

    title = gettext_lazy("why it is here")
    parameter_name = "why"

    def lookups(self, request: HttpRequest, model_admin):
        return [
            ("reports", _("Reports from readers in good standing")),
            ("other_reports", _("Reports only from new or sanctioned accounts")),
            ("brigade", _("Brigade of new accounts")),
            ("unusual_voting", _("Unusual voting")),
            ("pending", _("Awaiting approval (held or pending)")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        match self.value():
            case "reports":
                return queryset.filter(good_report_count__gt=0)
            case "other_reports":
                return queryset.filter(open_report_count__gt=0, good_report_count=0)
            case "brigade":
                return queryset.filter(brigaded=True)
            case "unusual_voting":
                return queryset.filter(unusual_voting_at__isnull=False)
            case "pending":
                return queryset.filter(status__in=[Comment.Status.HELD, Comment.Status.PENDING])
        return queryset


class BurstFilter(admin.SimpleListFilter):
    """``?burst=<id>``: one burst of unusual voting's comments listed one by one (the queue shows
    a burst as one item; its "review one by one" link leads here). Read by get_queryset."""

    title = gettext_lazy("unusual voting")
    parameter_name = "burst"

    def lookups(self, request: HttpRequest, model_admin):
        burst = QueueAdmin.burst_asked(request)
        return [(str(burst), _("This burst, comment by comment"))] if burst is not None else []

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset  # the queue was built for the burst already


@admin.register(QueueItem)
class QueueAdmin(admin.ModelAdmin):
    """Every comment awaiting a decision (moderation.selectors.queue), those with the most
    reports from readers in good standing first. Each row has its own Approve / Reject / Reject
    and suspend buttons; the same three are bulk actions. A decided comment leaves the queue;
    one decided meanwhile by another moderator is reported as already decided.

    Three columns besides the buttons (the comment with who, where and its status under it; why
    it is here; since when), so that at 1280 px with the admin's sidebar open the text keeps
    400 px and the buttons stay in view (static/css/moderation-queue.css)."""

    list_display = ("text", "reports", "waiting_since_display", "decide")
    list_display_links = None
    list_filter = (WhyFilter, BurstFilter, ThreadFilter, "article", "section", "status")
    # A reply is shown under its thread's comment and the reply it answers (forum.admin.thread_context).
    list_select_related = ("author", "article", "parent", "reply_to")
    search_fields = ("body", "author__username")
    list_per_page = 50
    show_full_result_count = False  # one count query, not two
    actions = ("approve_selected", "reject_selected", "reject_and_suspend_selected")
    action_form = QueueActionForm
    sortable_by = ("reports", "waiting_since_display")

    class Media:
        css = {"all": ["css/moderation-queue.css"]}

    @staticmethod
    def burst_asked(request: HttpRequest) -> int | None:
        value = request.GET.get(BurstFilter.parameter_name, "")
        return int(value) if value.isdigit() else None

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        items = selectors.queue(burst=self.burst_asked(request))
        return selectors.with_flags(selectors.with_open_reports(items))

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        title = _("Moderation queue: comments awaiting a decision")
        return super().changelist_view(request, {"title": title, **(extra_context or {})})

    def get_ordering(self, request: HttpRequest) -> list[str]:
        return ["-good_report_count", "-open_report_count", "waiting_since", "id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # "Change" here means deciding (the buttons and actions). A comment's own page stays
        # read-only: readers' words are changed nowhere but in the comment admin, by superusers.
        if obj is not None:
            return False
        return super().has_change_permission(request)

    def get_actions(self, request: HttpRequest):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    # -- columns --

    @admin.display(description=gettext_lazy("comment"))
    def text(self, item: QueueItem) -> str:
        if item.burst_item and (flag := _flag_of(item)):
            return self._burst_text(item, flag)
        body = item.body if len(item.body) <= 300 else item.body[:299] + "…"
        account = account_summary(item.author)
        return format_html(
            '{}<div class="queue-text" lang="{}">{}</div>'
            '<div class="queue-meta">{}{} · {} · {} · <strong>{}</strong></div>',
            thread_context(item),
            item.language,
            body,
            item.author.username,
            format_html(' <span class="queue-account">({})</span>', account) if account else "",
            item.article.title,
            item.get_section_display(),
            item.get_status_display(),
        )

    BURST_COMMENTS_SHOWN = 8

    def _burst_text(self, item: QueueItem, flag) -> str:
        """A burst's item: the article, and its comments in the queue for it, each with its own
        votes from young accounts."""
        members = flag.burst.open_members
        shown = members[: self.BURST_COMMENTS_SHOWN]
        more = len(members) - len(shown)
        lines = format_html_join(
            "",
            '<li><span lang="{}">{}</span> <span class="queue-meta">({})</span></li>',
            (
                (
                    member.comment.language,
                    member.comment.body if len(member.comment.body) <= 120 else member.comment.body[:119] + "…",
                    ngettext("%(count)d vote", "%(count)d votes", member.votes) % {"count": member.votes},
                )
                for member in shown
            ),
        )
        return format_html(
            '<div class="queue-text"><strong>{}</strong><ul class="queue-burst">{}</ul>{}</div>'
            '<div class="queue-meta">{} · <a href="?burst={}">{}</a></div>',
            ngettext(
                "Unusual voting on %(count)d comment of this article:",
                "Unusual voting on %(count)d comments of this article:",
                len(members),
            )
            % {"count": len(members)},
            lines,
            ngettext("…and %(count)d more", "…and %(count)d more", more) % {"count": more} if more else "",
            item.article.title,
            flag.burst_id,
            _("Review them one by one"),
        )

    @admin.display(description=gettext_lazy("why it is here"), ordering="good_report_count")
    def reports(self, item: QueueItem) -> str:
        parts = []
        if item.open_report_count:
            parts.append(
                format_html(
                    '<p class="queue-count">{}</p>',
                    ngettext(
                        "%(count)d open report, %(good)d from readers in good standing",
                        "%(count)d open reports, %(good)d from readers in good standing",
                        item.open_report_count,
                    )
                    % {"count": item.open_report_count, "good": item.good_report_count},
                )
            )
            parts.append(format_html("<p>{}</p>", ", ".join(selectors.report_reasons(item))))
        if item.brigaded:
            parts.append(format_html('<p><span class="queue-badge">{}</span></p>', _("Brigade of new accounts")))
        if lines := self._report_lines(item):
            parts.append(format_html('<ul class="queue-reports">{}</ul>', lines))
        if item.unusual_voting_at:
            parts.append(format_html('<p class="queue-flag">{}</p>', _flag_text(item, own=not item.burst_item)))
        if not parts:
            parts.append(format_html("<p>{}</p>", item.get_status_display()))
        return format_html_join("", "{}", ((part,) for part in parts))

    @staticmethod
    def _report_lines(item: QueueItem) -> str:
        """Each open report that says more than the reasons' summary above: its reason, the
        reporter's detail, the reporter's standing when not good, and the text the reporter read
        when its author has edited it since (Report.reported_body; empty on reports older than it)."""

        def edited_since(report) -> bool:
            return bool(report.reported_body) and report.reported_body != item.body

        return format_html_join(
            "",
            "<li><strong>{}</strong>{}{}{}</li>",
            (
                (
                    report.get_reason_display(),
                    format_html(' <span class="queue-standing">({})</span>', report.get_reporter_standing_display())
                    if report.reporter_standing != ReportingStanding.GOOD
                    else "",
                    format_html('<br><q class="queue-detail">{}</q>', report.detail) if report.detail else "",
                    format_html(
                        '<br><span class="queue-reported-label">{}</span>'
                        '<blockquote class="queue-reported-text" lang="{}">{}</blockquote>',
                        _("Edited since it was reported. The text when reported:"),
                        item.language,
                        report.reported_body,
                    )
                    if edited_since(report)
                    else "",
                )
                for report in getattr(item, "open_reports", [])
                if report.detail or report.reporter_standing != ReportingStanding.GOOD or edited_since(report)
            ),
        )

    @admin.display(description=gettext_lazy("waiting since"), ordering="waiting_since")
    def waiting_since_display(self, item: QueueItem):
        return item.waiting_since

    @admin.display(description=gettext_lazy("decide"))
    def decide(self, item: QueueItem) -> str:
        # Buttons of the list's own form, posting to this item's decision URL (no nested forms).
        url = reverse("admin:moderation_queueitem_decide", args=[item.pk])
        flag = _flag_of(item) if item.burst_item else None
        if flag is not None and len(flag.burst.open_members) > 1:
            # A burst's item approves its comments together; rejecting is one comment at a time.
            return format_html(
                '<div class="queue-decide">'
                '<button type="submit" formaction="{url}" name="decision" value="approve_burst">{approve}</button>'
                '<a href="?burst={burst}">{one_by_one}</a></div>',
                url=url,
                burst=flag.burst_id,
                approve=_("Approve all %(count)d") % {"count": len(flag.burst.open_members)},
                one_by_one=_("Reject one by one"),
            )
        options = format_html_join(
            "", '<option value="{}">{}</option>', ((value, label) for value, label in Decision.RejectReason.choices)
        )
        return format_html(
            '<div class="queue-decide">'
            '<button type="submit" formaction="{url}" name="decision" value="approve">'
            "{approve}</button>"
            '<label>{reason_label}<select name="reason-{pk}">{options}</select></label>'
            '<button type="submit" formaction="{url}" name="decision" value="reject">'
            "{reject}</button>"
            '<button type="submit" formaction="{url}" name="decision" value="reject_suspend">'
            "{suspend}</button></div>",
            url=url,
            pk=item.pk,
            options=options,
            approve=_("Approve"),
            reject=_("Reject"),
            suspend=_("Reject and suspend %(days)d days") % {"days": services.SUSPEND_DAYS},
            reason_label=_("Reason"),
        )

    # -- one item --

    def get_urls(self):
        decide = self.admin_site.admin_view(require_POST(self.decide_view))
        return [path("<int:object_id>/decide/", decide, name="moderation_queueitem_decide"), *super().get_urls()]

    def decide_view(self, request: HttpRequest, object_id: int) -> HttpResponseRedirect:
        if not self.has_change_permission(request):
            raise PermissionDenied
        get_object_or_404(QueueItem, pk=object_id)
        decision = request.POST.get("decision")
        reason = request.POST.get(f"reason-{object_id}", "")
        if decision not in ("approve", "approve_burst", "reject", "reject_suspend"):
            self.message_user(request, _("Choose approve, reject or reject and suspend."), messages.ERROR)
        elif decision == "approve_burst":
            self._decide(request, "approve", selectors.with_their_bursts([object_id]), "")
        else:
            self._decide(request, decision, [object_id], reason)
        back = request.META.get("HTTP_REFERER", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = reverse("admin:moderation_queueitem_changelist")
        return HttpResponseRedirect(back)

    # -- bulk --

    @admin.action(description=gettext_lazy("Approve the selected comments"), permissions=["change"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        # A burst's item stands for its comments: approving it approves them all.
        self._decide(request, "approve", selectors.with_their_bursts(list(queryset.values_list("pk", flat=True))), "")

    @admin.action(
        description=gettext_lazy("Reject the selected comments (with the reason chosen)"), permissions=["change"]
    )
    def reject_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._decide(request, "reject", list(queryset.values_list("pk", flat=True)), request.POST.get("reason", ""))

    @admin.action(description=lazy(_reject_and_suspend_label, str)(), permissions=["change"])
    def reject_and_suspend_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._decide(
            request, "reject_suspend", list(queryset.values_list("pk", flat=True)), request.POST.get("reason", "")
        )

    def _decide(self, request: HttpRequest, decision: str, ids: list[int], reason: str) -> None:
        if decision != "approve" and reason not in Decision.RejectReason.values:
            self.message_user(request, _("Choose a reason for rejecting."), messages.ERROR)
            return
        if decision == "approve":
            outcome = services.approve_comments(moderator=request.user, comment_ids=ids)
            done = ngettext("%(count)d comment approved.", "%(count)d comments approved.", len(outcome.decided))
        elif decision == "reject":
            outcome = services.reject_comments(moderator=request.user, comment_ids=ids, reason=reason)
            done = ngettext("%(count)d comment rejected.", "%(count)d comments rejected.", len(outcome.decided))
        else:
            outcome = services.reject_and_suspend(moderator=request.user, comment_ids=ids, reason=reason)
            done = ngettext(
                "%(count)d comment rejected and its author suspended.",
                "%(count)d comments rejected and their authors suspended.",
                len(outcome.decided),
            )
        if outcome.decided:
            self.message_user(request, done % {"count": len(outcome.decided)}, messages.SUCCESS)
        if outcome.already_decided:
            already = ngettext(
                "%(count)d comment was already decided by another moderator; nothing was changed on it.",
                "%(count)d comments were already decided by another moderator; nothing was changed on them.",
                len(outcome.already_decided),
            )
            self.message_user(request, already % {"count": len(outcome.already_decided)}, messages.WARNING)


def _flag_of(item: QueueItem):
    """The comment's membership of the burst that flagged it (with the burst), if any."""
    flags = getattr(item, "current_flag", None)
    return flags[0] if flags else None


def _flag_text(item: QueueItem, *, own: bool) -> str:
    """What tripped the unusual-voting flag, in the moderator's language; with ``own``, the
    comment's own votes from young accounts too (not on a burst's item, which stands for many)."""
    flag = _flag_of(item)
    if flag is None:  # flagged before bursts were recorded
        return _("Unusual voting")
    burst = flag.burst
    window = {
        "start": time_format(localtime(burst.first_vote_at), "H:i"),
        "end": time_format(localtime(burst.last_vote_at), "H:i"),
    }
    text = ngettext(
        "Unusual voting: %(votes)d vote from %(accounts)d accounts younger than %(hours)d hours, "
        "cast %(start)s–%(end)s",
        "Unusual voting: %(votes)d votes from %(accounts)d accounts younger than %(hours)d hours, "
        "cast %(start)s–%(end)s",
        burst.votes,
    ) % {"votes": burst.votes, "accounts": burst.young_accounts, "hours": burst.account_age_hours, **window}
    rule = ngettext(
        "(flagged at %(threshold)d such votes on a comment within %(minutes)d minute)",
        "(flagged at %(threshold)d such votes on a comment within %(minutes)d minutes)",
        burst.window_minutes,
    ) % {"threshold": burst.votes_threshold, "minutes": burst.window_minutes}
    if own:
        mine = ngettext("This comment: %(count)d such vote.", "This comment: %(count)d such votes.", flag.votes) % {
            "count": flag.votes
        }
        return format_html("<strong>{}</strong><br>{}<br>{}", text, rule, mine)
    return format_html("<strong>{}</strong><br>{}", text, rule)


# Sanctions, word lists and vote voids; articles' and comments' actions and saves: their own
# modules, registered with the same admin site.
from . import badge_admin, forum_admin, rules_admin  # noqa: E402, F401
