"""What the page's scripts (static/js/api.js) send: the API, with the reader's session cookie and
the CSRF token the signed-in page carries, in a client that checks CSRF as a browser's request is
checked."""

import json
import re

from django.test import Client
from django.urls import reverse

from accounts.models import User
from forum.models import Article

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class PageScript:
    """A signed-in reader's open article page, calling the API as its script does."""

    def __init__(self, user: User, article: Article, **client_options) -> None:
        self.client = Client(enforce_csrf_checks=True, **client_options)
        self.client.force_login(user)
        self.token = self.page_token(article)

    def page_token(self, article: Article) -> str:
        page = self.client.get(article.get_absolute_url()).content.decode()
        return TOKEN.search(page).group(1)

    def call(self, method: str, url: str, data: dict | None = None, *, token: str | None = None):
        """``method`` on ``url`` with a JSON body, the X-CSRFToken header and the session."""
        options = {"headers": {"X-CSRFToken": self.token if token is None else token, "Accept": "application/json"}}
        if data is not None:
            options.update(data=json.dumps(data), content_type="application/json")
        return getattr(self.client, method.lower())(url, **options)

    def vote(self, comment_id: int, choice: str | None, **options):
        """PUT the choice, or DELETE (None) to take the vote back."""
        url = reverse("api_vote", args=[comment_id])
        if choice is None:
            return self.call("DELETE", url, **options)
        return self.call("PUT", url, {"choice": choice}, **options)

    def edit(self, comment_id: int, data: dict, **options):
        return self.call("PATCH", reverse("api_comment", args=[comment_id]), data, **options)

    def delete(self, comment_id: int, **options):
        return self.call("DELETE", reverse("api_comment", args=[comment_id]), **options)

    def report(self, comment_id: int, data: dict, **options):
        return self.call("POST", reverse("api_report", args=[comment_id]), data, **options)
