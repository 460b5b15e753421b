"""Moderation's forms: a reader's report, and the admin's intermediate action pages (a period and a
reason for a sanction)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Report
from .sanctions import SUSPENSION_DAYS

CUSTOM = "custom"
# sanctions.SUSPENSION_DAYS, written out (not formatted at import) so each label is translated per request.
PERIODS = [
    (str(days), label) for days, label in zip(SUSPENSION_DAYS, (_("1 day"), _("7 days"), _("30 days")), strict=True)
]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=1000,
        help_text=_("Recorded in the audit trail."),
    )


class SuspensionForm(ReasonForm):
    period = forms.ChoiceField(
        label=_("Period"),
        choices=[
            *PERIODS,
            (CUSTOM, _("Until a date and time")),
        ],
        initial=str(SUSPENSION_DAYS[1]),
        widget=forms.RadioSelect,
    )
    until = forms.DateTimeField(
        label=_("Until"),
        required=False,
        help_text=_("For a custom period, e.g. 2026-12-31 18:00 (site time)."),
    )
    field_order = ["period", "until", "reason"]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("period") == CUSTOM:
            until = data.get("until")
            if until is None:
                self.add_error("until", _("Give the date and time the suspension ends."))
            elif until <= timezone.now():
                self.add_error("until", _("The end must be in the future."))
        return data

    def period_kwargs(self) -> dict:
        """suspend_reader's days= or until=."""
        if self.cleaned_data["period"] == CUSTOM:
            return {"until": self.cleaned_data["until"]}
        return {"days": int(self.cleaned_data["period"])}


class ReportForm(forms.Form):
    # No reason chosen in advance: a preselected "Spam" got sent by readers who meant another.
    reason = forms.ChoiceField(
        label=_("Why are you reporting this comment?"),
        choices=[("", _("Choose a reason")), *Report.Reason.choices],
        error_messages={"required": _("Choose why you are reporting this comment.")},
    )
    detail = forms.CharField(
        label=_("Anything the moderators should know (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
    )


class PickForm(forms.Form):
    note = forms.CharField(
        label=_("Editors' note"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"size": 80}),
        help_text=_("Optional, up to 200 characters: shown to readers with the pick."),
    )
