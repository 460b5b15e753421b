"""Badges (エキスパート / Expert, 記者 / Journalist, or a custom title): staff offer one in the admin
(audited), the reader accepts it on their profile, and from then on their comments and replies
are signed with it in both sections, the badge and its description beside their name. Comments
keep how they were posted, and a badge never shows beside an unsigned comment."""

import pytest
from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts import services as accounts
from accounts.models import Badge
from forum import services as forum
from forum.models import Comment, Section
from moderation import badges, staff_edits
from moderation.models import AuditEntry
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

JA = {"HTTP_ACCEPT_LANGUAGE": "ja"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def expert(moderator):
    """A reader in Japan offered an expert badge, not yet accepted."""
    reader = UserFactory(country="JP", display_name="Dr Sato")
    badges.give_badge(
        editor=moderator,
        reader=reader,
        kind=Badge.Kind.EXPERT,
        description="Economist, Keio University",
        via="admin_form",
    )
    return reader


def _section(html: str, key: str) -> str:
    start = html.index(f'id="section-{key}"')
    return html[start : html.find("</section>", start)]


# --- Consent and signing ------------------------------------------------------------------------


def test_an_offered_badge_signs_nothing_until_the_reader_accepts_it(expert, article):
    """Offered, the badge changes nothing: the reader in Japan still reacts unsigned."""
    comment = forum.post_comment(author=expert, article=article, body="Before accepting.")
    assert (comment.section, comment.signed, comment.signed_by_badge) == (Section.JAPAN, False, False)
    assert accounts.accept_badge(user=expert) is not None
    expert.refresh_from_db()
    signed = forum.post_comment(author=expert, article=article, body="After accepting.")
    assert (signed.section, signed.signed, signed.signed_by_badge) == (Section.JAPAN, True, True)
    assert signed.parent is None  # a signed top-level reaction in Japan: the constraint allows it


def test_a_badge_holder_replies_signed_in_both_sections(expert, article):
    accounts.accept_badge(user=expert)
    world = CommentFactory(article=article, author=UserFactory(country="DE"))
    japan = CommentFactory(article=article, author=UserFactory(country="JP"))
    for parent in (world, japan):
        reply = forum.post_comment(author=expert, article=article, body="An answer.", answering=parent)
        assert reply.signed and reply.signed_by_badge and reply.section == parent.section


def test_the_database_refuses_a_signed_reaction_in_japan_without_a_badge(article):
    with pytest.raises(IntegrityError), transaction.atomic():
        CommentFactory(article=article, author=UserFactory(country="JP"), section=Section.JAPAN, signed=True)
    CommentFactory(
        article=article, author=UserFactory(country="JP"), section=Section.JAPAN, signed=True, signed_by_badge=True
    )


def test_comments_keep_how_they_were_posted_when_the_badge_goes(expert, article, moderator):
    """Removing the badge neither unsigns what it signed nor signs what it did not; later comments
    follow where the reader lives again."""
    before = forum.post_comment(author=expert, article=article, body="Unsigned, before.")
    accounts.accept_badge(user=expert)
    expert.refresh_from_db()
    during = forum.post_comment(author=expert, article=article, body="Signed, with the badge.")
    badges.remove_badges(editor=moderator, badges=[Badge.objects.get(user=expert)], via="admin_action")
    expert.refresh_from_db()
    after = forum.post_comment(author=expert, article=article, body="Unsigned, after.")
    signed = dict(Comment.objects.filter(article=article).values_list("pk", "signed"))
    assert (signed[before.pk], signed[during.pk], signed[after.pk]) == (False, True, False)


def test_moving_a_badge_signed_comment_keeps_its_signature(expert, moderator):
    """Its author agreed to be named in both sections: a move to Japan keeps their name, as the
    admin's save does; a comment signed only for living abroad loses it, as before."""
    accounts.accept_badge(user=expert)
    expert.refresh_from_db()
    article = ArticleFactory()
    holder = UserFactory(country="GB")
    Badge.objects.create(user=holder, description="Historian", accepted_at=timezone.now())
    by_badge = forum.post_comment(author=holder, article=article, body="Signed by badge, in the world.")
    plain = CommentFactory(article=article, author=UserFactory(country="GB"))
    staff_edits.move_comments(
        moderator=moderator, comments=Comment.objects.filter(pk__in=[by_badge.pk, plain.pk]), section=Section.JAPAN
    )
    assert Comment.objects.get(pk=by_badge.pk).signed and not Comment.objects.get(pk=plain.pk).signed
    japan = forum.post_comment(author=expert, article=article, body="Signed in Japan.")
    staff_edits.save_comment(editor=moderator, comment=Comment.objects.get(pk=japan.pk))
    assert Comment.objects.get(pk=japan.pk).signed


# --- What readers see --------------------------------------------------------------------------


@pytest.mark.parametrize(("headers", "label"), [(EN, "Expert"), (JA, "エキスパート")])
def test_the_badge_and_its_description_show_beside_the_name(client, expert, article, headers, label):
    accounts.accept_badge(user=expert)
    expert.refresh_from_db()
    forum.post_comment(author=expert, article=article, body="Rates will stay low.")
    japan = _section(client.get(article.get_absolute_url(), **headers).content.decode(), "japan")
    assert '<span class="author">Dr Sato</span>' in japan
    assert f'<span class="badge-label">{label}</span>' in japan
    assert "Economist, Keio University" in japan


@pytest.mark.parametrize(
    ("kind", "title", "label"), [("journalist", "", "記者"), ("custom", "元日銀理事", "元日銀理事")]
)
def test_journalist_and_custom_badges_in_japanese(client, moderator, article, kind, title, label):
    reader = UserFactory(country="JP", display_name="Reporter")
    badges.give_badge(editor=moderator, reader=reader, kind=kind, title=title, description="desc", via="admin_form")
    accounts.accept_badge(user=reader)
    reader.refresh_from_db()
    forum.post_comment(author=reader, article=article, body="Signed words.")
    html = client.get(article.get_absolute_url(), **JA).content.decode()
    assert f'<span class="badge-label">{label}</span>' in html


def test_no_badge_beside_an_unsigned_comment_for_anyone(client, expert, article, moderator):
    """The unsigned reaction a badge holder posted before accepting stays anonymous: no name and no
    badge on the page or in the API, for readers, for the author and for moderators alike."""
    unsigned = forum.post_comment(author=expert, article=article, body="Anonymous before.")
    accounts.accept_badge(user=expert)
    for viewer in (None, UserFactory(), expert, moderator):
        client.logout()
        if viewer is not None:
            client.force_login(viewer)
        html = client.get(article.get_absolute_url()).content.decode()
        assert "Anonymous before." in html and "badge-label" not in html and "Keio" not in html
        if viewer in (None, expert) or viewer.is_staff is False:
            assert "Dr Sato" not in html or viewer == expert
        answer = client.get(reverse("api_comment", args=[unsigned.pk])).json()
        assert answer["signed"] is False
        assert answer["author"] is None or answer["author"]["badge"] is None


def test_the_api_carries_the_badge_on_signed_comments(client, expert, article):
    accounts.accept_badge(user=expert)
    expert.refresh_from_db()
    signed = forum.post_comment(author=expert, article=article, body="Signed for the API.")
    answer = client.get(reverse("api_comment", args=[signed.pk]), **JA).json()
    assert answer["author"] == {
        "display_name": "Dr Sato",
        "country": "JP",
        "badge": {"kind": "expert", "label": "エキスパート", "description": "Economist, Keio University"},
    }
    listed = client.get(f"/api/v1/articles/{article.slug}/comments/?section=japan").json()["results"]
    assert listed[0]["author"]["badge"]["kind"] == "expert"


def test_a_badge_shows_at_once_when_accepted_and_goes_when_removed(client, expert, article, moderator):
    """Accepting and removing bump the pages of the articles the holder commented on."""
    accounts.accept_badge(user=expert)
    expert.refresh_from_db()
    forum.post_comment(author=expert, article=article, body="Cached words.")
    url = article.get_absolute_url()
    assert "badge-label" in client.get(url).content.decode()
    badges.remove_badges(editor=moderator, badges=[Badge.objects.get(user=expert)], via="admin_action")
    html = client.get(url).content.decode()
    assert "badge-label" not in html and "Dr Sato" in html  # still signed, as posted


def test_the_page_lists_badges_without_a_query_per_comment(client, article, django_assert_max_num_queries):
    for n in range(20):
        holder = UserFactory(country="GB")
        Badge.objects.create(user=holder, description=f"Expert {n}", accepted_at=timezone.now())
        CommentFactory(article=article, author=holder)
    with django_assert_max_num_queries(9):
        html = client.get(article.get_absolute_url()).content.decode()
    assert html.count('class="badge-label"') == 20


# --- The reader's consent on their profile -------------------------------------------------------


def test_the_reader_accepts_the_offer_on_their_profile(client, expert):
    client.force_login(expert)
    page = client.get(reverse("profile")).content.decode()
    assert "Economist, Keio University" in page and "Accept the badge" in page
    client.post(reverse("badge"), {"choice": "accept"})
    assert Badge.objects.get(user=expert).accepted_at is not None
    page = client.get(reverse("profile")).content.decode()
    assert "Give up the badge" in page


def test_the_reader_declines_the_offer(client, expert, article):
    client.force_login(expert)
    client.post(reverse("badge"), {"choice": "decline"})
    assert not Badge.objects.filter(user=expert).exists()
    assert not forum.post_comment(author=expert, article=article, body="Still unsigned.").signed


def test_a_bad_choice_changes_nothing_and_says_so(client, expert):
    client.force_login(expert)
    response = client.post(reverse("badge"), {"choice": "maybe"}, follow=True)
    assert "Choose to accept or decline the badge." in response.content.decode()
    assert Badge.objects.get(user=expert).accepted_at is None
    other = UserFactory()
    client.force_login(other)
    response = client.post(reverse("badge"), {"choice": "accept"}, follow=True)
    assert "There is no badge waiting for your answer." in response.content.decode()


def test_the_export_includes_the_badge(client, expert):
    client.force_login(expert)
    exported = client.get(reverse("account_export")).json()
    assert exported["badge"]["description"] == "Economist, Keio University"
    assert exported["badge"]["accepted_at"] is None


# --- Staff and the audit --------------------------------------------------------------------------


def test_giving_changing_and_removing_a_badge_in_the_admin_is_audited(client, moderator):
    reader = UserFactory(country="JP")
    client.force_login(moderator)
    add = reverse("admin:accounts_badge_add")
    response = client.post(
        add, {"user": reader.pk, "kind": "journalist", "title": "", "description": "Nikkei reporter"}
    )
    assert response.status_code == 302
    badge = Badge.objects.get(user=reader)
    assert (badge.given_by, badge.accepted_at) == (moderator, None)
    change = reverse("admin:accounts_badge_change", args=[badge.pk])
    response = client.post(change, {"kind": "journalist", "title": "", "description": "Asahi reporter"})
    assert response.status_code == 302
    response = client.post(reverse("admin:accounts_badge_delete", args=[badge.pk]), {"post": "yes"})
    assert response.status_code == 302 and not Badge.objects.exists()
    entries = list(AuditEntry.objects.order_by("pk").values_list("action", "actor", "target_type", "target_id"))
    assert entries == [
        ("badge_offered", moderator.pk, "accounts.user", str(reader.pk)),
        ("badge_changed", moderator.pk, "accounts.user", str(reader.pk)),
        ("badge_removed", moderator.pk, "accounts.user", str(reader.pk)),
    ]
    assert AuditEntry.objects.get(action="badge_changed").details["before"]["description"] == "Nikkei reporter"


def test_a_custom_badge_needs_a_title_and_the_form_keeps_what_was_typed(client, moderator):
    reader = UserFactory()
    client.force_login(moderator)
    response = client.post(
        reverse("admin:accounts_badge_add"),
        {"user": reader.pk, "kind": "custom", "title": "", "description": "Kept text"},
    )
    assert response.status_code == 200 and "A custom badge needs a title." in response.content.decode()
    assert "Kept text" in response.content.decode() and not Badge.objects.exists()


def test_staff_without_the_badge_permissions_cannot_give_one(client):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_comment"]))
    client.force_login(staff)
    response = client.post(
        reverse("admin:accounts_badge_add"), {"user": UserFactory().pk, "kind": "expert", "description": "x"}
    )
    assert response.status_code == 403 and not Badge.objects.exists()


def test_the_audit_trail_words_badges_and_picks(client, moderator, expert, comment):
    from moderation import audit, picks

    picks.pick_comments(
        moderator=moderator, comments=Comment.objects.filter(pk=comment.pk), note="Sharp.", via="admin_action"
    )
    texts = [audit.what_text(entry) for entry in AuditEntry.objects.order_by("pk")]
    assert texts == ["Offered a badge: Expert (“Economist, Keio University”)", "Picked as an editors' pick: “Sharp.”"]


# --- The reader's badge through the API ----------------------------------------------------------


def test_the_reader_reads_accepts_and_gives_up_their_badge_through_the_api(client, expert, article):
    client.force_login(expert)
    url = reverse("api_me_badge")
    offered = client.get(url, **JA).json()
    assert offered["label"] == "エキスパート" and offered["accepted_at"] is None
    accepted = client.post(url)
    assert accepted.status_code == 200 and accepted.json()["accepted_at"] is not None
    assert client.post(url).json()["accepted_at"] == accepted.json()["accepted_at"]  # again: no change
    expert.refresh_from_db()
    assert forum.post_comment(author=expert, article=article, body="Signed through the app.").signed
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404 and client.delete(url).status_code == 404
    expert.refresh_from_db()
    assert not forum.post_comment(author=expert, article=article, body="Unsigned again.").signed


def test_the_badge_api_needs_a_reader_with_a_badge(client):
    url = reverse("api_me_badge")
    assert client.get(url).status_code in (401, 403)
    client.force_login(UserFactory())
    for answer in (client.get(url), client.post(url), client.delete(url)):
        assert answer.status_code == 404 and answer.json()["detail"] == "There is no badge on your account."
    assert not Badge.objects.exists()


def test_the_api_export_includes_the_badge(client, expert):
    client.force_login(expert)
    exported = client.get(reverse("api_me_export")).json()
    assert exported["badge"]["kind"] == "expert" and exported["badge"]["accepted_at"] is None
