"""The notifications API: list (cursor), unread count, mark read (one, all), e-mail preference."""

import pytest

from notifications.models import Notification
from tests.api.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/me/notifications/"


def test_the_list_is_newest_first_paged_by_cursor_and_names_no_unsigned_author(
    thread, reply, django_assert_max_num_queries
):
    _article, top, emma, hana, _sam = thread
    signed = reply(author=emma, answering=top, body="From Germany.")
    unsigned = reply(author=UserFactory(display_name="Secret Name", country="JP"), answering=top, body="日本から。")
    answer = reply(author=emma, answering=unsigned)  # answers the Japanese reader, and notifies hana too
    api = client_for(hana)
    with django_assert_max_num_queries(3):  # the token's reader, the page's rows (and nothing per row)
        first = api.get(BASE, {"page_size": 2})
    assert first.status_code == 200 and first["Cache-Control"].startswith("private")
    body = first.json()
    assert [item["reply"]["id"] for item in body["results"]] == [answer.pk, unsigned.pk]
    assert body["results"][1]["from_name"] == "A reader in Japan" and "Secret Name" not in first.content.decode()
    assert body["results"][0]["from_name"] == "Emma (Germany)"
    assert body["results"][0]["reply"]["url"] == answer.get_absolute_url()
    assert body["results"][0]["reply"]["parent"] == top.pk and body["results"][0]["read_at"] is None
    second = api.get(body["next"]).json()
    assert [item["reply"]["id"] for item in second["results"]] == [signed.pk] and second["next"] is None
    assert api.get(BASE, {"cursor": "nonsense"}).status_code == 404


def test_unread_count_and_marking_read(thread, reply, django_capture_on_commit_callbacks):
    _article, top, emma, hana, sam = thread
    first = reply(author=emma, answering=top)
    reply(author=sam, answering=top)
    api = client_for(hana)
    assert api.get(BASE + "unread/").json() == {"unread": 2}
    notification = Notification.objects.get(recipient=hana, reply=first)
    with django_capture_on_commit_callbacks(execute=True):
        marked = api.post(f"{BASE}{notification.pk}/read/")
    assert marked.status_code == 200 and marked.json()["read_at"] is not None
    assert api.get(BASE + "unread/").json() == {"unread": 1}
    refused = client_for(emma).post(f"{BASE}{notification.pk}/read/")
    assert refused.status_code == 404 and "detail" in refused.json()
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(BASE + "read/").json() == {"marked": 1, "unread": 0}
    assert api.get(BASE + "unread/").json() == {"unread": 0}


def test_the_email_preference_reads_and_sets(reader):
    api = client_for(reader)
    assert api.get(BASE + "email/").json() == {"reply_mail": "daily", "language": "en", "verified_email": False}
    changed = api.put(BASE + "email/", {"reply_mail": "immediate", "language": "ja"}, format="json")
    assert changed.status_code == 200 and changed.json()["reply_mail"] == "immediate"
    assert changed.json()["language"] == "ja"
    refused = api.put(BASE + "email/", {"reply_mail": "weekly"}, format="json")
    assert refused.status_code == 400 and "reply_mail" in refused.json()
    assert api.get(BASE + "email/").json()["reply_mail"] == "immediate"


def test_signed_out_is_401_everywhere(client):
    for path in (BASE, BASE + "unread/", BASE + "email/"):
        assert client.get(path).status_code == 401
    assert client.post(BASE + "read/").status_code == 401


def test_the_operations_are_in_the_schema(client):
    paths = client.get("/api/schema/?format=json").json()["paths"]
    assert set(paths["/api/v1/me/notifications/email/"]) >= {"get", "put"}
    assert "post" in paths["/api/v1/me/notifications/{notification_id}/read/"]
    for path in ("/api/v1/me/notifications/", "/api/v1/me/notifications/unread/", "/api/v1/me/notifications/read/"):
        assert path in paths
