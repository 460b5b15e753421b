"""Reply e-mail read from the local SMTP server, sent by a real worker: at once and as the daily
digest, in the reader's language, never twice, each with a one-click unsubscribe (RFC 8058)
that the tests follow."""

from urllib.parse import urlsplit

import pytest
from django.test import Client

from forum.services import post_comment
from notifications import services
from notifications.models import MailPreference
from notifications.tasks import send_reply_digest_mails
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from tests.mailbox import body_of, link_in


def _readers():
    article = ArticleFactory(title="Rare earths", title_ja="レアアース", body_ja="本文。", slug="rare-earths")
    emma = UserFactory(username="emma", display_name="Emma", country="DE", email="emma@example.org")
    hana = UserFactory(username="hana", display_name="Hana Tanaka", country="JP", email="hana@example.jp")
    return article, emma, hana


def _subject(message) -> str:
    # A subject of Japanese comes folded onto a continuation line ("Subject: \n =?utf-8?b?…"),
    # which the parser reads with a leading space; mail clients show it without.
    return message["Subject"].strip()


def _unsubscribe_path(message) -> str:
    header = message["List-Unsubscribe"].strip()  # folded onto a continuation line, as a long header is
    assert header.startswith("<") and header.endswith(">")
    path = urlsplit(header[1:-1]).path
    assert path.startswith("/notifications/unsubscribe/")
    return path


def test_immediate_mail_in_each_readers_language_and_one_click_unsubscribe(mail_worker, mailbox):
    article, emma, hana = _readers()
    services.set_reply_mail(user=emma, reply_mail="immediate")  # her language: her comment's, English
    services.set_reply_mail(user=hana, reply_mail="immediate", language="ja")
    top = post_comment(author=emma, article=article, body="Germany sees this as a supply risk.")
    unsigned = post_comment(author=hana, article=article, body="日本でも同じ心配があります。", answering=top)

    to_emma = mailbox.wait_for("emma@example.org")
    assert _subject(to_emma) == "A reader in Japan replied to your comment"
    text = body_of(to_emma)
    assert "日本でも同じ心配があります。" in text and "Rare earths" in text
    assert "Hana" not in text and "hana" not in text.replace("hana@", "")
    assert to_emma["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    answer = post_comment(author=emma, article=article, body="@reader in Japan: which industries?", answering=unsigned)
    to_hana = mailbox.wait_for("hana@example.jp")
    assert _subject(to_hana) == "Emma（ドイツ）があなたに返信しました"
    assert "「レアアース」" in body_of(to_hana) or "「Rare earths」" in body_of(to_hana)
    assert "このメールの配信停止" in body_of(to_hana)

    # The link in the mail opens the notification and lands on the reply.
    browser = Client()
    browser.force_login(hana)
    opened = browser.get(urlsplit(link_in(to_hana, "/notifications/")).path)
    assert opened.status_code == 302 and opened.url == answer.get_absolute_url()

    # Unsubscribe: the link shows a page with a button; the mail client's one-click POST needs
    # neither a session nor a CSRF token.
    path = _unsubscribe_path(to_emma)
    assert _unsubscribe_path(to_emma) in body_of(to_emma)
    stranger = Client(enforce_csrf_checks=True)
    page = stranger.get(path)
    assert page.status_code == 200 and '<form method="post"' in page.content.decode()
    assert MailPreference.objects.get(user=emma).reply_mail == "immediate"
    done = stranger.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert done.status_code == 200
    assert MailPreference.objects.get(user=emma).reply_mail == "off"

    # Another answer to hana notifies emma too (her thread), but mails only hana now.
    sam = UserFactory(country="GB")
    post_comment(author=sam, article=article, body="A third view.", answering=unsigned)
    mailbox.wait_for("hana@example.jp", count=2)
    assert len(mailbox.to("emma@example.org")) == 1


def test_the_daily_digest_in_each_language_never_mails_a_reply_twice(mail_worker, mailbox):
    article, emma, hana = _readers()
    services.set_reply_mail(user=emma, reply_mail="immediate", language="en")
    # hana never chose: the default (the digest), in the language of her comment (Japanese).
    top = post_comment(author=hana, article=article, body="日本では賛成の声が多いです。")
    first = post_comment(author=emma, article=article, body="In Germany, fewer agree.", answering=top)
    sam = UserFactory(username="sam", display_name="Sam", country="GB", email="sam@example.org")
    post_comment(author=sam, article=article, body="Britain is split.", answering=first)  # emma at once
    mailbox.wait_for("emma@example.org")
    CommentFactory(article=article, author=UserFactory(country="FR"))  # no reply: nobody told
    assert mailbox.to("hana@example.jp") == []

    send_reply_digest_mails.delay()
    digest = mailbox.wait_for("hana@example.jp")
    assert _subject(digest) == "あなたへの新しい返信が2件あります"
    text = body_of(digest)
    assert "In Germany, fewer agree." in text and "Britain is split." in text
    assert "Emma（ドイツ）" in text and "Sam（イギリス）" in text
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Client().get(_unsubscribe_path(digest)).status_code == 200

    # Again: nothing waits, for hana (digested) or emma (mailed at once), so nothing goes out.
    assert send_reply_digest_mails() == 0
    # A new reply waits for the next digest, alone.
    post_comment(author=sam, article=article, body="One more thought.", answering=top)
    send_reply_digest_mails.delay()
    second = mailbox.wait_for("hana@example.jp", count=2)
    assert _subject(second) == "あなたへの新しい返信が1件あります"
    assert "One more thought." in body_of(second) and "Britain is split." not in body_of(second)


def test_an_english_digest_for_a_reader_who_reads_in_english(mail_worker, mailbox):
    article, emma, hana = _readers()
    top = post_comment(author=emma, article=article, body="Supply chains matter.")
    post_comment(author=hana, article=article, body="確かにそうです。", answering=top)
    send_reply_digest_mails.delay()
    digest = mailbox.wait_for("emma@example.org")
    assert _subject(digest) == "1 new reply to you"
    assert "A reader in Japan replied to your comment on “Rare earths”" in body_of(digest)
    assert "Hana" not in body_of(digest)


@pytest.mark.django_db
def test_no_mail_to_an_unverified_address():
    article, emma, hana = _readers()
    emma.email_verified = False
    emma.save(update_fields=["email_verified"])
    services.set_reply_mail(user=emma, reply_mail="daily")
    top = CommentFactory(article=article, author=emma)
    post_comment(author=hana, article=article, body="返信です。", answering=top)
    services.replies_became_visible(reply_ids=list(top.replies.values_list("pk", flat=True)))
    assert send_reply_digest_mails() == 0
