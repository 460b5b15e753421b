"""Who may do what through the API: anonymous, a reader, the comment's author and a moderator,
against every operation, with the exact status each gets. Moderators get no power here."""

import pytest

from forum.models import Comment
from notifications.models import Notification
from tests.api.conftest import client_for, comment_url, comments_url, vote_url
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "reader", "author", "moderator")

# operation -> (method, target, body) ; target names the fixture-built object the URL points at
OPERATIONS = {
    "list articles": ("get", "articles", None),
    "read article": ("get", "article", None),
    "list comments": ("get", "comments", None),
    "post comment": ("post", "comments", {"body": "A new thought."}),
    "post on closed article": ("post", "closed comments", {"body": "Too late?"}),
    "read comment": ("get", "comment", None),
    "edit comment": ("patch", "comment", {"body": "Reworded."}),
    "delete comment": ("delete", "comment", None),
    "vote": ("put", "vote", {"choice": "agree"}),
    "retract vote": ("delete", "vote", None),
    "read hidden comment": ("get", "hidden comment", None),
    "edit hidden comment": ("patch", "hidden comment", {"body": "Reworded."}),
    "delete hidden comment": ("delete", "hidden comment", None),
    "vote on hidden comment": ("put", "hidden vote", {"choice": "agree"}),
    "read draft article": ("get", "draft article", None),
    "read perception gap": ("get", "perception", None),
    "perception gap of a draft": ("get", "draft perception", None),
    "read profile": ("get", "me", None),
    "change profile": ("patch", "me", {"display_name": "New name"}),
    "sign out": ("delete", "token", None),
    "export own data": ("get", "export", None),
    "delete account, wrong password": ("delete", "me", {"password": "not the password"}),
    "delete own account": ("delete", "me", {"password": "correct horse battery"}),
    "report comment": ("post", "report", {"reason": "spam"}),
    "report hidden comment": ("post", "hidden report", {"reason": "spam"}),
    "list replies": ("get", "replies", None),
    "reply": ("post", "replies", {"body": "An answer."}),
    "list replies of a hidden comment": ("get", "hidden replies", None),
    "reply to a hidden comment": ("post", "hidden replies", {"body": "An answer."}),
    "list own comments": ("get", "my comments", None),
    "two-factor status": ("get", "two-factor", None),
    "two-factor key to set up": ("get", "totp", None),
    "turn two-factor on, wrong code": ("post", "totp", {"setup_token": "not ours", "otp": "000000"}),
    "turn two-factor off, wrong code": ("delete", "two-factor", {"otp": "000000"}),
    "new recovery codes, wrong code": ("post", "recovery codes", {"otp": "000000"}),
    "list notifications": ("get", "notifications", None),
    "unread notifications": ("get", "unread", None),
    "mark notifications read": ("post", "read all", None),
    "mark the author's notification read": ("post", "notification read", None),
    "read e-mail preference": ("get", "mail preference", None),
    "set e-mail preference": ("put", "mail preference", {"reply_mail": "off"}),
    "list mutes": ("get", "mutes", None),
    "mute the comment's author": ("post", "mutes", {"comment": "the comment's id"}),
    "unmute a mute not one's own": ("delete", "unknown mute", None),
}

#                          anonymous reader author moderator
EXPECTED = {
    "list articles":          (200, 200, 200, 200),
    "read article":           (200, 200, 200, 200),
    "list comments":          (200, 200, 200, 200),
    "post comment":           (401, 201, 201, 201),
    "post on closed article": (401, 403, 403, 403),
    "read comment":           (200, 200, 200, 200),
    "edit comment":           (401, 403, 200, 403),
    "delete comment":         (401, 403, 204, 403),
    "vote":                   (401, 200, 403, 200),
    "retract vote":           (401, 200, 403, 200),
    "read hidden comment":    (404, 404, 404, 404),
    "edit hidden comment":    (401, 404, 404, 404),
    "delete hidden comment":  (401, 404, 404, 404),
    "vote on hidden comment": (401, 404, 404, 404),
    "read draft article":     (404, 404, 404, 404),
    "read perception gap":    (200, 200, 200, 200),
    "perception gap of a draft": (404, 404, 404, 404),
    "read profile":           (401, 200, 200, 200),
    "change profile":         (401, 200, 200, 200),
    "sign out":               (401, 204, 204, 204),
    "export own data":        (401, 200, 200, 200),
    "delete account, wrong password": (401, 403, 403, 403),
    "delete own account":     (401, 204, 204, 204),
    "report comment":         (401, 201, 403, 201),
    "report hidden comment":  (401, 404, 404, 404),
    "list replies":           (200, 200, 200, 200),
    "reply":                  (401, 201, 201, 201),
    "list replies of a hidden comment": (404, 404, 404, 404),
    "reply to a hidden comment": (401, 404, 404, 404),
    "list own comments":      (401, 200, 200, 200),
    # the moderator has two-factor authentication (staff must); the readers have not
    "two-factor status":      (401, 200, 200, 200),
    "two-factor key to set up": (401, 200, 200, 200),
    "turn two-factor on, wrong code": (401, 403, 403, 403),
    "turn two-factor off, wrong code": (401, 409, 409, 403),
    "new recovery codes, wrong code": (401, 409, 409, 403),
    "list notifications":     (401, 200, 200, 200),
    "unread notifications":   (401, 200, 200, 200),
    "mark notifications read": (401, 200, 200, 200),
    "mark the author's notification read": (401, 404, 200, 404),
    "read e-mail preference": (401, 200, 200, 200),
    "set e-mail preference":  (401, 200, 200, 200),
    "list mutes":             (401, 200, 200, 200),
    "mute the comment's author": (401, 201, 403, 201),
    "unmute a mute not one's own": (401, 404, 404, 404),
}  # fmt: skip


@pytest.fixture
def world(moderators_group):
    author = UserFactory(username="author", country="GB")
    moderator = UserFactory(username="moderator", country="JP", is_staff=True)
    moderator.groups.add(moderators_group)
    article = ArticleFactory(slug="open-article")
    closed = ArticleFactory(slug="closed-article", comments_open=False)
    draft = ArticleFactory(slug="draft-article", status="draft")
    comment = CommentFactory(article=article, author=author)
    hidden = CommentFactory(article=article, author=author, status=Comment.Status.HIDDEN)
    reply = CommentFactory(article=article, author=UserFactory(country="DE"), parent=comment, reply_to=comment)
    told = Notification.objects.create(recipient=author, reply=reply, kind=Notification.Kind.REPLY)
    users = {"anonymous": None, "reader": UserFactory(username="reader"), "author": author, "moderator": moderator}
    urls = {
        "articles": "/api/v1/articles/",
        "article": f"/api/v1/articles/{article.slug}/",
        "draft article": f"/api/v1/articles/{draft.slug}/",
        "perception": f"/api/v1/articles/{article.slug}/perception/",
        "draft perception": f"/api/v1/articles/{draft.slug}/perception/",
        "comments": comments_url(article, section="world"),
        "closed comments": comments_url(closed),
        "comment": comment_url(comment),
        "vote": vote_url(comment),
        "hidden comment": comment_url(hidden),
        "hidden vote": vote_url(hidden),
        "me": "/api/v1/me/",
        "token": "/api/v1/auth/token/",
        "export": "/api/v1/me/export/",
        "report": comment_url(comment) + "report/",
        "hidden report": comment_url(hidden) + "report/",
        "replies": comment_url(comment) + "replies/",
        "hidden replies": comment_url(hidden) + "replies/",
        "my comments": "/api/v1/me/comments/",
        "two-factor": "/api/v1/me/two-factor/",
        "totp": "/api/v1/me/two-factor/totp/",
        "recovery codes": "/api/v1/me/two-factor/recovery-codes/",
        "notifications": "/api/v1/me/notifications/",
        "unread": "/api/v1/me/notifications/unread/",
        "read all": "/api/v1/me/notifications/read/",
        "notification read": f"/api/v1/me/notifications/{told.pk}/read/",
        "mail preference": "/api/v1/me/notifications/email/",
        "mutes": "/api/v1/me/mutes/",
        "unknown mute": "/api/v1/me/mutes/999999/",
    }
    return users, urls, comment


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_permission_matrix(world, operation, role):
    """Each role gets exactly the status the matrix states for each operation."""
    users, urls, comment = world
    method, target, body = OPERATIONS[operation]
    if body and body.get("comment") == "the comment's id":
        body = {"comment": comment.pk}
    client = client_for(users[role])
    response = getattr(client, method)(urls[target], body, format="json")

    expected = EXPECTED[operation][ROLES.index(role)]
    assert response.status_code == expected, response.content
    if expected >= 400:
        # The one error shape: a detail, and on a refusal by rule its code (api/errors.py).
        assert set(response.json()) <= {"detail", "code"} and response.json()["detail"]
    if operation in {"edit comment", "delete comment"} and expected == 403:
        comment.refresh_from_db()
        assert comment.body != "Reworded."


def test_matrix_covers_every_operation_in_the_schema(anonymous_client):
    """Every operation the schema declares is one the matrix checks, so none escapes it."""
    schema = anonymous_client.get("/api/schema/?format=json").json()
    declared = {(method, path) for path, item in schema["paths"].items() for method in item}
    matrix_paths = {
        ("get", "/api/v1/articles/"),
        ("get", "/api/v1/articles/{slug}/"),
        ("get", "/api/v1/articles/{slug}/comments/"),
        ("get", "/api/v1/articles/{slug}/perception/"),
        ("post", "/api/v1/articles/{slug}/comments/"),
        ("get", "/api/v1/comments/{comment_id}/"),
        ("patch", "/api/v1/comments/{comment_id}/"),
        ("delete", "/api/v1/comments/{comment_id}/"),
        ("put", "/api/v1/comments/{comment_id}/vote/"),
        ("delete", "/api/v1/comments/{comment_id}/vote/"),
        ("get", "/api/v1/me/"),
        ("patch", "/api/v1/me/"),
        ("delete", "/api/v1/me/"),
        ("get", "/api/v1/me/export/"),
        ("post", "/api/v1/comments/{comment_id}/report/"),
        ("get", "/api/v1/comments/{comment_id}/replies/"),
        ("post", "/api/v1/comments/{comment_id}/replies/"),
        ("get", "/api/v1/me/comments/"),
        ("delete", "/api/v1/auth/token/"),
        # open to everyone by design; test_accounts_api covers their answers
        ("post", "/api/v1/auth/token/"),
        ("post", "/api/v1/auth/sign-up/"),
        # e-mail and password reset: tests/accounts/test_email.py covers their answers
        ("post", "/api/v1/auth/email/verify/"),
        ("post", "/api/v1/auth/password-reset/"),
        ("post", "/api/v1/auth/password-reset/confirm/"),
        ("post", "/api/v1/me/email/"),
        ("post", "/api/v1/me/email/resend/"),
        # sign-in with a provider, open to everyone by design: test_social_api covers their answers
        ("post", "/api/v1/auth/social/token/"),
        ("post", "/api/v1/auth/social/sign-up/"),
        # the reader's own linked providers (IsAuthenticated): test_social_api covers their answers
        ("get", "/api/v1/me/social/"),
        ("post", "/api/v1/me/social/"),
        ("delete", "/api/v1/me/social/{provider}/"),
        ("get", "/api/v1/me/two-factor/"),
        ("delete", "/api/v1/me/two-factor/"),
        ("get", "/api/v1/me/two-factor/totp/"),
        ("post", "/api/v1/me/two-factor/totp/"),
        ("post", "/api/v1/me/two-factor/recovery-codes/"),
        # the sign-in's code step: open to everyone by design; test_two_factor_api covers its answers
        ("post", "/api/v1/auth/token/two-factor/"),
        ("get", "/api/v1/me/notifications/"),
        ("get", "/api/v1/me/notifications/unread/"),
        ("post", "/api/v1/me/notifications/read/"),
        ("post", "/api/v1/me/notifications/{notification_id}/read/"),
        ("get", "/api/v1/me/notifications/email/"),
        ("put", "/api/v1/me/notifications/email/"),
        # the reader's own badge (IsAuthenticated): tests/forum/test_badges.py covers its answers
        ("get", "/api/v1/me/badge/"),
        ("post", "/api/v1/me/badge/"),
        ("delete", "/api/v1/me/badge/"),
        ("get", "/api/v1/me/mutes/"),
        ("post", "/api/v1/me/mutes/"),
        ("delete", "/api/v1/me/mutes/{mute_id}/"),
    }
    assert declared == matrix_paths
