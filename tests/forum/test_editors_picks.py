"""Editors' picks (編集部ピックアップ): moderators pick a comment or a reply with a short note, from
the admin; the pick is audited, shows at the top of its section under its own heading (and in its
place in every sort, marked), stops showing when its comment is hidden, and is in the API."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from forum import selectors
from forum.models import Comment, Section
from moderation import picks, staff_edits
from moderation.models import AuditEntry
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

JA = {"HTTP_ACCEPT_LANGUAGE": "ja"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _rows(*comments: Comment):
    return Comment.objects.filter(pk__in=[comment.pk for comment in comments])


def _pick(moderator, comment: Comment, note: str = "") -> int:
    return picks.pick_comments(moderator=moderator, comments=_rows(comment), note=note, via="admin_action")


def _section(html: str, key: str) -> str:
    start = html.index(f'id="section-{key}"')
    end = html.find("</section>", start)
    return html[start:end]


# --- The services and the audit -------------------------------------------------------------------


def test_picking_writes_the_pick_and_audits_it(moderator, comment):
    """A pick records when and by whom, with the note; one audit entry names the note."""
    assert _pick(moderator, comment, "  A careful  reading of the data. ") == 1
    comment.refresh_from_db()
    assert comment.is_pick and comment.picked_by == moderator
    assert comment.pick_note == "A careful reading of the data."
    entry = AuditEntry.objects.get(target_type="forum.comment", target_id=str(comment.pk))
    assert (entry.action, entry.actor, entry.reason_code) == (AuditEntry.Action.PICK, moderator, "admin_action")
    assert entry.details == {"note": "A careful reading of the data."}


def test_a_new_note_keeps_the_pick_and_is_audited_as_such(moderator, comment):
    """Picking a pick again with another note changes the note only; the same note changes nothing."""
    _pick(moderator, comment, "First note.")
    picked_at = Comment.objects.get(pk=comment.pk).picked_at
    assert _pick(moderator, comment, "First note.") == 0
    assert _pick(moderator, comment, "Second note.") == 1
    comment.refresh_from_db()
    assert comment.picked_at == picked_at and comment.pick_note == "Second note."
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", "details"))
    assert actions == [
        ("pick", {"note": "First note."}),
        ("pick_note", {"before": "First note.", "note": "Second note."}),
    ]


def test_unpicking_clears_the_pick_and_audits_the_note_it_had(moderator, comment):
    _pick(moderator, comment, "Worth it.")
    assert picks.unpick_comments(moderator=moderator, comments=_rows(comment), via="admin_action") == 1
    comment.refresh_from_db()
    assert not comment.is_pick and comment.pick_note == "" and comment.picked_by is None
    entry = AuditEntry.objects.latest("pk")
    assert (entry.action, entry.details) == (AuditEntry.Action.UNPICK, {"note": "Worth it."})
    assert picks.unpick_comments(moderator=moderator, comments=_rows(comment), via="admin_action") == 0


def test_a_note_longer_than_200_characters_is_refused(moderator, comment):
    with pytest.raises(ValidationError):
        _pick(moderator, comment, "x" * 201)
    assert not Comment.objects.get(pk=comment.pk).is_pick and not AuditEntry.objects.exists()


@pytest.mark.parametrize("status", [Comment.Status.HIDDEN, Comment.Status.HELD, Comment.Status.PENDING])
def test_a_comment_readers_cannot_see_is_not_picked(moderator, article, status):
    hidden = CommentFactory(article=article, status=status)
    with pytest.raises(ValidationError):
        _pick(moderator, hidden)
    assert not Comment.objects.get(pk=hidden.pk).is_pick and not AuditEntry.objects.exists()


def test_only_those_with_the_permission_may_pick(comment):
    """Staff outside the Moderators group, and readers, may not pick."""
    for user in (UserFactory(is_staff=True), UserFactory()):
        with pytest.raises(PermissionDenied):
            _pick(user, comment)
        with pytest.raises(PermissionDenied):
            picks.unpick_comments(moderator=user, comments=_rows(comment), via="admin_action")
    assert not Comment.objects.get(pk=comment.pk).is_pick


# --- The admin --------------------------------------------------------------------------------


def _action(client, action: str, comments, **data):
    return client.post(
        reverse("admin:forum_comment_changelist"),
        {"action": action, "_selected_action": [c.pk for c in comments], **data},
        follow=True,
    )


def test_a_moderator_picks_with_a_note_from_the_admin(client, moderator, comment):
    """The action asks for the note first, then picks."""
    client.force_login(moderator)
    form = _action(client, "pick", [comment])
    assert form.status_code == 200 and 'name="note"' in form.content.decode()
    assert not Comment.objects.get(pk=comment.pk).is_pick
    done = _action(client, "pick", [comment], apply="1", note="Read this one.")
    assert "1 comment picked." in done.content.decode()
    assert Comment.objects.get(pk=comment.pk).pick_note == "Read this one."
    _action(client, "unpick", [comment])
    assert not Comment.objects.get(pk=comment.pk).is_pick


def test_the_admin_keeps_a_note_that_is_too_long_and_says_why(client, moderator, comment):
    client.force_login(moderator)
    page = _action(client, "pick", [comment], apply="1", note="y" * 201).content.decode()
    assert "y" * 201 in page and "errorlist" in page
    assert not Comment.objects.get(pk=comment.pk).is_pick


def test_the_admin_says_why_a_hidden_comment_is_not_picked(client, moderator, article):
    client.force_login(moderator)
    hidden = CommentFactory(article=article, status=Comment.Status.HIDDEN)
    page = _action(client, "pick", [hidden], apply="1", note="").content.decode()
    assert "Only a comment readers can see can be an editors" in page
    assert not Comment.objects.get(pk=hidden.pk).is_pick


def test_staff_without_the_permission_are_not_offered_the_actions(client, comment):
    """A staff member with only the comment permissions sees no pick action, and posting it does nothing."""
    from django.contrib.auth.models import Permission

    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_comment", "change_comment"]))
    client.force_login(staff)
    page = client.get(reverse("admin:forum_comment_changelist"))
    offered = {value for value, _label in page.context["action_form"].fields["action"].choices}
    assert "hide" in offered and not {"pick", "unpick"} & offered
    _action(client, "pick", [comment], apply="1", note="Sneaky")
    assert not Comment.objects.get(pk=comment.pk).is_pick


# --- The page -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "heading", "mark"),
    [(EN, "Editors' picks", "Editors' pick"), (JA, "編集部ピックアップ", "編集部ピックアップ")],
)
def test_a_pick_shows_at_the_top_of_its_section_with_its_note(client, moderator, article, headers, heading, mark):
    """The heading and the pick with its note come before the section's comments; the comment
    is in its place in the list too, marked."""
    older = CommentFactory(article=article, author=UserFactory(country="GB"), body="An old insight.")
    CommentFactory.create_batch(3, article=article, author=UserFactory(country="GB"))
    _pick(moderator, older, "The clearest explanation.")
    html = client.get(article.get_absolute_url(), **headers).content.decode()
    world = _section(html, "world")
    assert heading in world and "The clearest explanation." in world
    picks_at = world.index('class="editors-picks"')
    assert picks_at < world.index('class="comment-list"')
    assert world.index("An old insight.") < world.index('class="comment-list"')  # in the block
    listed = world[world.index('class="comment-list"') :]
    assert "An old insight." in listed and f'<p class="pick-mark">{escape(mark)}</p>' in listed
    assert listed.count('class="pick-mark"') == 1
    assert "editors-picks" not in _section(html, "japan")


@pytest.mark.parametrize("sort", list(selectors.SORTS))
def test_a_pick_keeps_its_place_in_every_sort(client, moderator, world, sort):
    """Picking moves nothing in a sort: the order of the list is the same before and after, and
    the pick is marked where it stands."""
    article = world[0].article
    url = f"{article.get_absolute_url()}?sort={sort}"

    def order() -> list[str]:
        listed = _section(client.get(url).content.decode(), "world")
        listed = listed[listed.index('class="comment-list"') :]
        return re.findall(r'<li class="comment[^"]*" id="comment-(\d+)"', listed)

    before = order()
    _pick(moderator, world[4], "")
    after = order()
    assert after == before
    listed = _section(client.get(url).content.decode(), "world")
    assert f'<li class="comment is-pick" id="comment-{world[4].pk}"' in listed


def test_a_hidden_pick_stops_showing(client, moderator, comment):
    _pick(moderator, comment, "Note for a comment soon hidden.")
    url = comment.article.get_absolute_url()
    assert "Note for a comment soon hidden." in client.get(url).content.decode()
    staff_edits.hide_comments(moderator=moderator, comments=_rows(comment))
    html = client.get(url).content.decode()
    assert "editors-picks" not in html and "Note for a comment soon hidden." not in html
    staff_edits.restore_comments(moderator=moderator, comments=_rows(comment))
    assert "Note for a comment soon hidden." in client.get(url).content.decode()


def test_a_picked_reply_shows_in_its_threads_section_and_goes_with_a_hidden_parent(client, moderator, article):
    """A reply can be picked; it shows at the top of its thread's section, and not once the
    comment that starts its thread is hidden."""
    parent = CommentFactory(article=article, author=UserFactory(country="JP"))
    reply = CommentFactory(
        article=article,
        author=UserFactory(country="DE", display_name="Berliner"),
        section=Section.JAPAN,
        signed=True,
        parent=parent,
        reply_to=parent,
        body="A reply from Berlin.",
    )
    _pick(moderator, reply, "An answer across the sections.")
    japan = _section(client.get(article.get_absolute_url()).content.decode(), "japan")
    start = japan.index('class="editors-picks"')
    block = japan[start : japan.index("</aside>", start)]
    assert "A reply from Berlin." in block and "Berliner" in block and "Go to the reply" in block
    staff_edits.hide_comments(moderator=moderator, comments=_rows(parent))
    assert "A reply from Berlin." not in client.get(article.get_absolute_url()).content.decode()


def test_an_unsigned_pick_names_nobody_even_to_its_author(client, moderator, article):
    """The picks block is shared by every reader: an unsigned pick shows no name there."""
    author = UserFactory(country="JP", display_name="Secret Sakura")
    unsigned = CommentFactory(article=article, author=author, body="Quiet words.")
    _pick(moderator, unsigned, "From Japan.")
    for viewer in (None, author, UserFactory()):
        if viewer is not None:
            client.force_login(viewer)
        html = client.get(article.get_absolute_url()).content.decode()
        start = html.index('class="editors-picks"')
        block = html[start : html.index("</aside>", start)]
        assert "Quiet words." in block and "Secret Sakura" not in block and "byline" not in block


def test_a_pick_shows_on_the_cached_page_at_once_for_every_reader(client, moderator, comment, reader):
    """The shared sections are cached per content version: picking bumps it."""
    url = comment.article.get_absolute_url()
    client.get(url)
    client.force_login(reader)
    client.get(url)
    _pick(moderator, comment, "Fresh pick.")
    assert "Fresh pick." in client.get(url).content.decode()
    client.logout()
    assert "Fresh pick." in client.get(url).content.decode()


def test_picks_cost_one_query_whatever_their_number(moderator, article, django_assert_num_queries):
    for comment in CommentFactory.create_batch(4, article=article):
        _pick(moderator, comment, "Note.")
    with django_assert_num_queries(1):
        found = selectors.editors_picks(article=article)
    assert len(found[Section.WORLD]) == 4


def test_picks_show_newest_pick_first_up_to_the_limit(moderator, article, monkeypatch):
    monkeypatch.setattr(selectors, "PICKS_SHOWN", 2)
    comments = CommentFactory.create_batch(3, article=article)
    for n, comment in enumerate(comments):
        _pick(moderator, comment)
        Comment.objects.filter(pk=comment.pk).update(picked_at=timezone.now() + timezone.timedelta(minutes=n))
    shown = [pick.comment_id for pick in selectors.editors_picks(article=article)[Section.WORLD]]
    assert shown == [comments[2].pk, comments[1].pk]


# --- The API ------------------------------------------------------------------------------------


def test_the_api_says_which_comments_are_picks(client, moderator, article):
    picked, plain = CommentFactory.create_batch(2, article=article)
    _pick(moderator, picked, "API note.")
    listed = client.get(f"/api/v1/articles/{article.slug}/comments/?section=world").json()["results"]
    by_id = {entry["id"]: entry for entry in listed}
    assert (by_id[picked.pk]["is_pick"], by_id[picked.pk]["pick_note"]) == (True, "API note.")
    assert (by_id[plain.pk]["is_pick"], by_id[plain.pk]["pick_note"]) == (False, "")
    detail = client.get(reverse("api_comment", args=[picked.pk])).json()
    assert detail["is_pick"] is True and detail["pick_note"] == "API note."
