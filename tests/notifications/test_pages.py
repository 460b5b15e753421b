"""The bell in the header, the notifications page, opening one, the e-mail preference page and
the unsubscribe page."""

import pytest
from django.test import Client
from django.urls import reverse

from forum.models import Comment
from notifications import selectors
from notifications.models import MailPreference, Notification
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_bell_shows_the_unread_count_at_the_cost_of_a_cache_read(
    client, thread, reply, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    article, top, emma, hana, sam = thread
    reply(author=emma, answering=top)
    reply(author=sam, answering=top)
    client.force_login(hana)  # signing in counts the bell into its cache
    with django_assert_max_num_queries(0):
        assert selectors.unread_count(user=hana) == 2
    page = client.get(reverse("my_votes")).content.decode()
    assert 'class="bell has-unread"' in page and '<span class="bell-count">2</span>' in page
    # A new reply rewrites the cached count.
    reply(author=UserFactory(country="FR"), answering=top)
    assert '<span class="bell-count">3</span>' in client.get(article.get_absolute_url()).content.decode()


def test_a_reply_hidden_after_it_notified_leaves_the_bell_when_the_page_is_opened(client, thread, reply):
    _article, top, emma, hana, _sam = thread
    answer = reply(author=emma, answering=top)
    client.force_login(hana)
    Comment.objects.filter(pk=answer.pk).update(status=Comment.Status.HIDDEN)
    page = client.get(reverse("notifications")).content.decode()
    assert "bell-count" not in page and "No notifications yet." in page


def test_a_cold_bell_costs_one_query(thread, reply, django_assert_num_queries):
    _article, top, emma, hana, _sam = thread
    reply(author=emma, answering=top)
    selectors.bell_cache().clear()
    with django_assert_num_queries(1):
        assert selectors.unread_count(user=hana) == 1
    with django_assert_num_queries(0):
        assert selectors.unread_count(user=hana) == 1


def test_the_bell_is_in_the_readers_header_only_never_in_the_shared_sections(client, thread, reply):
    article, top, emma, hana, _sam = thread
    reply(author=emma, answering=top)
    signed_out = client.get(article.get_absolute_url()).content.decode()
    assert 'class="bell' not in signed_out
    client.force_login(hana)
    page = client.get(article.get_absolute_url()).content.decode()
    header, _, rest = page.partition("</header>")
    assert "bell-count" in header and 'class="bell' not in rest
    # Another reader, served the same cached sections, sees their own (empty) bell.
    client.force_login(emma)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "bell-count" not in page and 'class="bell"' in page


def test_the_page_lists_newest_first_and_opening_one_marks_it_read_and_leads_to_the_reply(
    client, thread, reply, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    _article, top, emma, hana, sam = thread
    first = reply(author=emma, answering=top, body="First answer from Germany.")
    second = reply(author=UserFactory(display_name="Hidden Name", country="JP"), answering=top, body="二番目の返信。")
    client.force_login(hana)
    for number in range(20):
        reply(author=sam, answering=top, body=f"More {number}.")
    # The session, the reader, the language noted (one upsert), the bell counted afresh, the
    # page's count and its rows.
    with django_assert_max_num_queries(6):
        page = client.get(reverse("notifications")).content.decode()
    assert page.index("More 19.") < page.index("二番目の返信。") < page.index("First answer from Germany.")
    assert "Emma (Germany) replied to your comment" in page
    assert "A reader in Japan replied to your comment" in page and "Hidden Name" not in page
    notification = Notification.objects.get(recipient=hana, reply=second)
    with django_capture_on_commit_callbacks(execute=True):
        opened = client.get(reverse("notification_open", args=[notification.pk]))
    assert opened.status_code == 302 and opened.url == second.get_absolute_url()
    assert client.get(opened.url).url.endswith(f"#comment-{second.pk}")
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert selectors.unread_count(user=hana) == 21
    # Someone else's notification is not opened (nor marked).
    client.force_login(emma)
    assert client.get(reverse("notification_open", args=[notification.pk])).url == reverse("notifications")
    assert Notification.objects.get(recipient=hana, reply=first).read_at is None


def test_mark_all_read(client, thread, reply, django_capture_on_commit_callbacks):
    _article, top, emma, hana, _sam = thread
    reply(author=emma, answering=top)
    client.force_login(hana)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("notifications_mark_all_read"))
    page = client.get(response.url).content.decode()
    assert "All notifications are marked read." in page and "bell-count" not in page
    assert not Notification.objects.filter(recipient=hana, read_at__isnull=True).exists()


def test_the_page_in_japanese(client, thread, reply):
    _article, top, emma, hana, _sam = thread
    reply(author=UserFactory(country="JP"), answering=top)
    reply(author=emma, answering=top)
    client.force_login(hana)
    page = client.get(reverse("notifications"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "通知" in page and "日本の読者があなたのコメントに返信しました" in page
    assert "すべて既読にする" in page
    # The reader reads the site in Japanese: their e-mail will be in Japanese.
    assert selectors.mail_preference(user_id=hana.pk).language == "ja"


def test_the_preference_page_saves_and_refuses_a_bad_choice_keeping_the_form(client, reader):
    client.force_login(reader)
    page = client.get(reverse("notification_settings")).content.decode()
    assert 'value="daily" checked' in page.replace('id="id_reply_mail_2" ', "") or "checked" in page
    response = client.post(reverse("notification_settings"), {"reply_mail": "immediate", "language": "ja"})
    assert response.status_code == 302
    preference = MailPreference.objects.get(user=reader)
    assert (preference.reply_mail, preference.language) == ("immediate", "ja")
    refused = client.post(reverse("notification_settings"), {"reply_mail": "hourly", "language": "ja"})
    assert refused.status_code == 400 and "hourly" in refused.content.decode()


def test_the_profile_links_to_the_preference_page(client, reader):
    client.force_login(reader)
    assert reverse("notification_settings") in client.get(reverse("profile")).content.decode()


def test_unsubscribe_get_shows_a_button_and_post_turns_reply_mail_off_without_sign_in(reader):
    token = selectors.unsubscribe_token(user_id=reader.pk)
    url = reverse("notifications_unsubscribe", args=[token])
    browser = Client(enforce_csrf_checks=True)
    shown = browser.get(url)
    assert shown.status_code == 200 and "Stop reply e-mail" in shown.content.decode()
    assert selectors.mail_preference(user_id=reader.pk).reply_mail == "daily"  # a GET changes nothing
    done = browser.post(url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert done.status_code == 200 and "no more e-mail about replies" in done.content.decode()
    assert selectors.mail_preference(user_id=reader.pk).reply_mail == "off"


def test_a_forged_unsubscribe_token_is_a_404_page(client, reader):
    forged = selectors.unsubscribe_token(user_id=reader.pk)[:-2] + "xx"
    for method in (client.get, client.post):
        response = method(reverse("notifications_unsubscribe", args=[forged]))
        assert response.status_code == 404 and "not valid" in response.content.decode()
    assert selectors.mail_preference(user_id=reader.pk).reply_mail == "daily"


def test_signed_out_readers_are_sent_to_sign_in(client):
    comment = CommentFactory()
    for name, args in [("notifications", []), ("notification_settings", []), ("notification_open", [comment.pk])]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302 and reverse("login") in response.url
