"""E-mail: verification at sign-up, the verified-address rule for voting, commenting and
reporting, re-sending and changing the address, and password reset, on the pages and the API.
Mail goes out through the Celery task to a real SMTP server the tests start (tests/mailbox.py)."""

import logging
import smtplib
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from kombu.exceptions import OperationalError
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import ReportingStanding, User
from accounts.tasks import send_account_mail
from moderation.models import Report
from tests.factories import CommentFactory, EstablishedReaderFactory, UserFactory
from tests.mailbox import body_of, link_in
from votes.models import Vote

PASSWORD = "correct horse battery"
NEW_PASSWORD = "plum blossom 1994 spring"


def _path(url: str) -> str:
    return urlsplit(url).path


def _sign_up(client: Client, username: str, email: str) -> None:
    response = client.post(
        reverse("sign_up"),
        {"username": username, "email": email, "password1": PASSWORD, "password2": PASSWORD, "country": "JP"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def _confirm(client: Client, url: str) -> None:
    page = client.get(_path(url))
    assert page.status_code == 200 and b'type="submit"' in page.content
    assert client.post(_path(url)).status_code == 302


# --- Sign-up, verification and the rule ---------------------------------------------------------


def test_sign_up_mails_a_link_that_verifies_the_address_and_then_the_reader_votes(mail_worker, mailbox):
    comment = CommentFactory()
    client = Client()
    _sign_up(client, "hanako", "Hanako@Example.jp")
    reader = User.objects.get(username="hanako")
    assert not reader.email_verified and reader.email == ""
    refused = client.put(reverse("api_vote", args=[comment.pk]), {"choice": "agree"}, "application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "email_unverified"

    message = mailbox.wait_for("hanako@example.jp")
    assert "/accounts/confirm-email/" in body_of(message)
    _confirm(client, link_in(message, "/accounts/confirm-email/"))

    reader.refresh_from_db()
    assert reader.email_verified and reader.email == "hanako@example.jp"
    voted = client.put(reverse("api_vote", args=[comment.pk]), {"choice": "agree"}, "application/json")
    assert voted.status_code == 200
    assert Vote.objects.get(user=reader, comment=comment).choice == "agree"


@pytest.mark.django_db
def test_an_unverified_reader_reads_but_is_refused_vote_comment_and_report_with_a_resend_link(client):
    comment = CommentFactory()
    reader = UserFactory(email_verified=False)
    client.force_login(reader)
    assert client.get(comment.article.get_absolute_url()).status_code == 200

    for url, data in [
        (reverse("vote", args=[comment.pk]), {"choice": "agree"}),
        (reverse("post_comment", args=[comment.article.slug]), {"body": "My view."}),
        (reverse("report_comment", args=[comment.pk]), {"reason": Report.Reason.SPAM, "detail": ""}),
    ]:
        page = client.post(url, data, follow=True).content.decode()
        assert "verify your e-mail address" in page, url
        assert reverse("email_resend") in page and "Re-send the verification e-mail" in page
    assert not Vote.objects.filter(user=reader).exists()
    assert not comment.article.comments.filter(author=reader).exists()
    assert not Report.objects.filter(reporter=reader).exists()


@pytest.mark.django_db
def test_the_api_refuses_an_unverified_reader_with_email_unverified():
    comment = CommentFactory()
    reader = UserFactory(email_verified=False)
    api = APIClient()
    api.force_authenticate(reader)
    for url, data in [
        (f"/api/v1/comments/{comment.pk}/vote/", {"choice": "agree"}),
        (f"/api/v1/articles/{comment.article.slug}/comments/", {"body": "My view."}),
        (f"/api/v1/comments/{comment.pk}/report/", {"reason": "spam"}),
    ]:
        method = api.put if url.endswith("vote/") else api.post
        response = method(url, data, format="json")
        assert response.status_code == 403, (url, response.content)
        assert response.json()["code"] == "email_unverified"
        assert "verify your e-mail address" in response.json()["detail"]
    me = api.get("/api/v1/me/").json()
    assert me["email_verified"] is False


@pytest.mark.django_db
def test_staff_are_exempt_and_the_setting_turns_the_rule_off(client, settings):
    comment = CommentFactory()
    staff = UserFactory(email_verified=False, is_staff=True)
    client.force_login(staff)
    client.post(reverse("vote", args=[comment.pk]), {"choice": "agree"})
    assert Vote.objects.filter(user=staff).exists()

    settings.FORUM_REQUIRE_VERIFIED_EMAIL = False
    reader = UserFactory(email_verified=False)
    client.force_login(reader)
    client.post(reverse("vote", args=[comment.pk]), {"choice": "agree"})
    assert Vote.objects.filter(user=reader).exists()


@pytest.mark.django_db
def test_an_unverified_reader_signing_in_is_asked_for_an_address(client):
    UserFactory(username="olduser", email="kept@example.org", email_verified=False)
    response = client.post(reverse("login"), {"username": "olduser", "password": PASSWORD, "next": "/articles/x/"})
    assert response.status_code == 302 and response.url.startswith(reverse("email_settings"))
    assert "next=%2Farticles%2Fx%2F" in response.url
    page = client.get(response.url).content.decode()
    assert 'value="kept@example.org"' in page  # the address the account had, offered for verification
    assert 'href="/articles/x/"' in page  # and the way on without it
    verified = UserFactory(username="newuser")
    Client().post(reverse("login"), {"username": verified.username, "password": PASSWORD})
    other = Client()
    response = other.post(reverse("login"), {"username": "newuser", "password": PASSWORD})
    assert response.url == reverse("home")


def test_a_changed_address_takes_effect_once_verified_and_resend_sends_it_again(mail_worker, mailbox):
    reader = UserFactory(username="mover", email="old@example.org")
    client = Client()
    client.force_login(reader)
    EmailAddress.objects.create(user=reader, email="old@example.org", primary=True, verified=True)
    response = client.post(reverse("email_settings"), {"email": "new@example.org"})
    assert response.status_code == 302
    reader.refresh_from_db()
    assert reader.email == "old@example.org" and reader.email_verified  # the old one stays until then

    assert client.post(reverse("email_resend")).status_code == 302
    first = mailbox.wait_for("new@example.org", count=1)
    second = mailbox.wait_for("new@example.org", count=2)
    assert link_in(first, "confirm-email") == link_in(second, "confirm-email")
    _confirm(client, link_in(second, "/accounts/confirm-email/"))
    reader.refresh_from_db()
    assert reader.email == "new@example.org" and reader.email_verified
    assert list(EmailAddress.objects.filter(user=reader).values_list("email", flat=True)) == ["new@example.org"]


@pytest.mark.django_db
def test_resend_is_limited_per_reader(client, rates):
    rates(account_mail_user="2/h")
    reader = UserFactory(email_verified=False)
    EmailAddress.objects.create(user=reader, email="slow@example.org", primary=True)
    client.force_login(reader)
    assert [client.post(reverse("email_resend")).status_code for _ in range(3)] == [302, 302, 429]


# --- Password reset -----------------------------------------------------------------------------


def test_a_reset_link_sets_a_new_password_once_and_signs_out_everywhere(mail_worker, mailbox):
    reader = UserFactory(username="forgetful", email="forgetful@example.org")
    EmailAddress.objects.create(user=reader, email="forgetful@example.org", primary=True, verified=True)
    token = Token.objects.create(user=reader)
    elsewhere = Client()
    elsewhere.force_login(reader)

    client = Client()
    answer = client.post(reverse("account_reset_password"), {"email": "forgetful@example.org"}, follow=True)
    unknown = Client().post(reverse("account_reset_password"), {"email": "nobody@example.org"}, follow=True)
    assert answer.content == unknown.content  # the answer never tells whether the address has an account

    link = link_in(mailbox.wait_for("forgetful@example.org"), "/accounts/password/reset/key/")
    assert "no account" in body_of(mailbox.wait_for("nobody@example.org")).lower()
    form = client.get(_path(link), follow=True)
    assert form.status_code == 200
    set_password_url = form.redirect_chain[-1][0] if form.redirect_chain else _path(link)
    done = client.post(set_password_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302

    assert not Token.objects.filter(key=token.key).exists()
    assert SESSION_KEY not in elsewhere.get(reverse("profile")).wsgi_request.session
    again = Client().get(_path(link), follow=True)
    assert b"does not work" in again.content
    signed_in = Client().post(reverse("login"), {"username": "forgetful", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302


def test_the_api_signs_up_verifies_and_resets_through_the_mail(mail_worker, mailbox):
    api = APIClient()
    signed_up = api.post(
        "/api/v1/auth/sign-up/",
        {"username": "appuser", "password": PASSWORD, "email": "app@example.org"},
        format="json",
    )
    assert signed_up.status_code == 201 and signed_up.json()["user"]["email_verified"] is False
    api.credentials(HTTP_AUTHORIZATION=f"Token {signed_up.json()['token']}")
    assert api.post("/api/v1/me/email/resend/").status_code == 202
    key = link_in(mailbox.wait_for("app@example.org", count=2), "confirm-email").rstrip("/").rsplit("/", 1)[-1]
    verified = APIClient().post("/api/v1/auth/email/verify/", {"key": key}, format="json")
    assert verified.status_code == 200
    assert api.get("/api/v1/me/").json()["email_verified"] is True

    anonymous = APIClient()
    known = anonymous.post("/api/v1/auth/password-reset/", {"email": "app@example.org"}, format="json")
    unknown = anonymous.post("/api/v1/auth/password-reset/", {"email": "none@example.org"}, format="json")
    assert known.status_code == unknown.status_code == 202 and known.json() == unknown.json()
    reset_link = link_in(mailbox.wait_for("app@example.org", count=3), "password/reset/key")
    reset_key = reset_link.rstrip("/").rsplit("/", 1)[-1]
    weak = anonymous.post("/api/v1/auth/password-reset/confirm/", {"key": reset_key, "password": "123"}, format="json")
    assert weak.status_code == 400 and "password" in weak.json()
    done = anonymous.post(
        "/api/v1/auth/password-reset/confirm/", {"key": reset_key, "password": NEW_PASSWORD}, format="json"
    )
    assert done.status_code == 204
    assert api.get("/api/v1/me/").status_code == 401  # the token was revoked
    reused = anonymous.post(
        "/api/v1/auth/password-reset/confirm/", {"key": reset_key, "password": NEW_PASSWORD + "x"}, format="json"
    )
    assert reused.status_code == 404 and "used already" in reused.json()["detail"]
    bad_key = APIClient().post("/api/v1/auth/email/verify/", {"key": "not-a-key"}, format="json")
    assert bad_key.status_code == 404
    token = anonymous.post("/api/v1/auth/token/", {"username": "appuser", "password": NEW_PASSWORD}, format="json")
    assert token.status_code == 200


@pytest.mark.django_db
def test_reset_requests_are_limited_per_email_address(rates):
    rates(account_mail_email="2/h")
    api = APIClient()
    codes = [
        api.post("/api/v1/auth/password-reset/", {"email": "target@example.org"}, format="json").status_code
        for _ in range(3)
    ]
    assert codes == [202, 202, 429]


# --- The mail itself ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_mail_is_in_the_readers_language(mailbox, django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr("accounts.mail.send_account_mail.delay", sent.append)
    client = Client(HTTP_ACCEPT_LANGUAGE="ja")
    _sign_up(client, "tanaka", "tanaka@example.jp")
    assert len(sent) == 1
    send_account_mail(sent[0])  # the task's own function, sending over SMTP
    message = mailbox.wait_for("tanaka@example.jp")
    assert message["Subject"] == "メールアドレスの確認"
    assert "/accounts/confirm-email/" in body_of(message)


def test_smtp_failures_are_retried_then_logged(settings, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 19399, 2  # nothing listens
    message = {"subject": "s", "body": "b", "html": None, "from_email": "f@example.org", "to": ["t@example.org"]}
    with pytest.raises((smtplib.SMTPException, OSError)):
        send_account_mail.run(message)
    assert send_account_mail.autoretry_for == (smtplib.SMTPException, OSError)
    assert send_account_mail.max_retries >= 3
    with caplog.at_level(logging.ERROR, logger="accounts.tasks"):
        send_account_mail.on_failure(OSError("refused"), "id", (message,), {}, None)
    assert "not sent" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_broker_outage_while_signing_up_is_logged_not_a_500(settings, caplog, monkeypatch):
    def broker_down(message):
        raise OperationalError("connection refused")

    monkeypatch.setattr("accounts.mail.send_account_mail.delay", broker_down)
    client = Client()
    with caplog.at_level(logging.ERROR, logger="accounts.mail"):
        _sign_up(client, "unlucky", "unlucky@example.org")
    assert User.objects.filter(username="unlucky").exists()
    assert "not queued" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_make_runs_console_backend_prints_the_link_whole(settings, capsys, monkeypatch):
    """`make run` keeps the console backend: the worker prints each mail, its link whole on its own
    line (not wrapped or encoded), so the console makes it clickable. Japanese text too."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    sent = []
    monkeypatch.setattr("accounts.mail.send_account_mail.delay", sent.append)
    _sign_up(Client(HTTP_ACCEPT_LANGUAGE="ja"), "yamada", "yamada@example.jp")
    send_account_mail(sent[0])
    printed = capsys.readouterr().out
    link = next(line for line in sent[0]["body"].splitlines() if "/accounts/confirm-email/" in line)
    assert link.startswith("http://testserver/accounts/confirm-email/")
    assert link in printed.splitlines()
    assert "ようこそ" in printed


@pytest.mark.django_db
def test_with_the_rule_off_an_unverified_readers_report_is_marked_and_does_not_count(settings):
    """has_verified_email is also report trust's rule: an unverified reader's report (possible only
    with FORUM_REQUIRE_VERIFIED_EMAIL off) reaches the queue marked as such."""
    settings.FORUM_REQUIRE_VERIFIED_EMAIL = False
    comment = CommentFactory()
    reporter = EstablishedReaderFactory(email_verified=False)
    api = APIClient()
    api.force_authenticate(reporter)
    assert api.post(f"/api/v1/comments/{comment.pk}/report/", {"reason": "spam"}, format="json").status_code == 201
    assert Report.objects.get(reporter=reporter).reporter_standing == ReportingStanding.UNVERIFIED_EMAIL
