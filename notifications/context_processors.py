"""The header's bell (templates/base.html): a signed-in reader's unread notifications."""

from django.http import HttpRequest

from . import selectors


class _UnreadCount:
    """Called by the template only where it shows the bell (a signed-in reader's header), once:
    a signed-out page, or one that never shows the header, reads nothing."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self.count: int | None = None

    def __call__(self) -> int:
        if self.count is None:
            user = self.request.user
            self.count = selectors.unread_count(user=user) if user.is_authenticated else 0
        return self.count


def bell(request: HttpRequest) -> dict:
    return {"unread_notifications": _UnreadCount(request)}
