"""An object's History page in the admin, with the audit's entries worded in the reader's
language (moderation.audit.record writes them to LogEntry as codes, not as text)."""

from django.http import HttpRequest

from .audit import log_message_text


class AuditedHistoryMixin:
    """For the admins of objects the audit records (comments, articles, readers)."""

    def history_view(self, request: HttpRequest, object_id: str, extra_context: dict | None = None):
        response = super().history_view(request, object_id, extra_context)
        for log in getattr(response, "context_data", {}).get("action_list") or []:
            worded = log_message_text(log.change_message)
            if worded is not None:
                # The template calls get_change_message; this entry's is worded here instead of
                # Django's "No fields changed." for a message it does not know.
                log.get_change_message = lambda worded=worded: worded
        return response
