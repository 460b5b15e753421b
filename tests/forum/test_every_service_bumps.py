"""Every service that writes is listed here, and each one that changes what an article's page
shows bumps the article's content version once its transaction commits (forum/caching.py), so
no cached page, list or live answer outlives the change.

The services are found, not listed by hand: every public function of each app's services.py,
of moderation's modules that write its audit trail (its services), of votes.counting (the tally
writes the counters) and of forum.demo. A new one fails test_every_service_is_listed until it is
added to BUMPS, with a run that shows its bump, or to DOES_NOT_BUMP, saying why."""

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

import moderation
from accounts import services as accounts
from accounts.models import Badge
from forum import demo
from forum import services as forum
from forum.caching import article_version
from forum.models import Article, Comment, Section
from moderation import badges, closing, picks, staff_edits, vote_voids
from moderation import services as moderation_services
from moderation.models import Decision
from tests.factories import ArticleFactory, CommentFactory, EstablishedReaderFactory, UserFactory
from votes import counting
from votes.models import Vote

pytestmark = pytest.mark.django_db

APPS = ("accounts", "forum", "votes", "moderation", "notifications")
# Modules that are moderation's faces, not its services (they call the services).
FACES = ("admin", "api", "views", "forms", "selectors", "history", "audit", "tasks")


def _moderation_service_modules() -> list[str]:
    """moderation's modules that write its audit trail: its services (faces excluded)."""
    found = []
    for info in pkgutil.iter_modules(moderation.__path__):
        name = info.name
        if info.ispkg or name in FACES or name.endswith("_admin"):
            continue
        module = importlib.import_module(f"moderation.{name}")
        if any(
            getattr(value, "__name__", "") == "moderation.audit"
            or getattr(value, "__module__", "") == "moderation.audit"
            for value in vars(module).values()
        ):
            found.append(module.__name__)
    return found


def discovered_services() -> set[str]:
    modules = (
        {f"{app}.services" for app in APPS} | set(_moderation_service_modules()) | {"votes.counting", "forum.demo"}
    )
    names = set()
    for module_name in modules:
        module = importlib.import_module(module_name)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module_name and not name.startswith("_"):
                names.add(f"{module_name}.{name}")
    return names


# --- The runs: each makes what the service needs and returns (the article, the service's call) --

Run = Callable[[], tuple[Article, Callable[[], object]]]


def _comment(**kwargs) -> Comment:
    return CommentFactory(author=UserFactory(country="GB"), **kwargs)


def _staff():
    return UserFactory(is_staff=True, is_superuser=True)


def _rows(comment: Comment):
    return Comment.objects.filter(pk=comment.pk)


def _articles(article: Article):
    return Article.objects.filter(pk=article.pk)


def _post():
    article = ArticleFactory()
    return article, lambda: forum.post_comment(author=UserFactory(), article=article, body="Posted.")


def _edit():
    comment = _comment()
    return comment.article, lambda: forum.edit_comment(user=comment.author, comment=comment, body="Reworded.")


def _delete():
    comment = _comment()
    return comment.article, lambda: forum.delete_comment(user=comment.author, comment=comment)


def _set_status():
    comment = _comment()
    return comment.article, lambda: forum.set_comment_status(comments=[comment], status=Comment.Status.HIDDEN)


def _move():
    comment = _comment()
    return comment.article, lambda: forum.move_comments(comments=_rows(comment), section=Section.JAPAN)


def _save_in_admin():
    comment = _comment()
    comment.status = Comment.Status.HIDDEN
    return comment.article, lambda: forum.save_comment_in_admin(editor=_staff(), comment=comment)


def _close():
    article = ArticleFactory()
    return article, lambda: forum.set_comments_open(articles=_articles(article), is_open=False)


def _close_section():
    article = ArticleFactory()
    return article, lambda: forum.set_section_open(articles=_articles(article), section=Section.JAPAN, is_open=False)


def _timed_close():
    article = ArticleFactory(published_at=timezone.now() - timedelta(days=30))
    cutoff = timezone.now() - timedelta(days=1)
    return article, lambda: forum.close_discussions_published_before(cutoff=cutoff)


def _publish():
    article = ArticleFactory(status=Article.Status.DRAFT)
    return article, lambda: forum.publish_article(article=article)


def _byline_hook():
    comment = _comment()
    return comment.article, lambda: forum.author_byline_changed(user=comment.author)


def _author_leaving():
    comment = _comment()
    CommentFactory(article=comment.article, parent=comment, reply_to=comment, section=comment.section)
    return comment.article, lambda: forum.author_leaving(user=comment.author)


def _remove_bare_placeholders():
    comment = _comment()
    comment.deleted_at = timezone.now()
    comment.save()
    return comment.article, lambda: forum.remove_bare_placeholders(parent_ids=[comment.pk])


def _account_leaving():
    comment = _comment()
    CommentFactory(article=comment.article, parent=comment, reply_to=comment, section=comment.section)
    return comment.article, lambda: accounts.account_leaving(user=comment.author)


def _load_demo_again():
    article = demo.load_demo().article
    Comment.objects.filter(article=article).order_by("pk").last().delete()
    return article, demo.load_demo


def _update_profile():
    comment = _comment()
    author = comment.author
    return comment.article, lambda: accounts.update_profile(user=author, display_name="New", country="GB")


def _byline_changed():
    comment = _comment()
    return comment.article, lambda: accounts.byline_changed(user=comment.author)


def _delete_account():
    comment = _comment()
    return comment.article, lambda: accounts.delete_account(user=comment.author, via="web")


def _voted(comment: Comment) -> Vote:
    return Vote.objects.create(
        user=UserFactory(), comment=comment, choice="agree", region="world", updated_at=timezone.now()
    )


def _tally():
    comment = _comment()
    _voted(comment)
    return comment.article, lambda: counting.tally_comment(comment_id=comment.pk)


def _tally_many():
    comment = _comment()
    _voted(comment)
    return comment.article, lambda: counting.tally_comments(comment_ids=[comment.pk])


def _repair():
    comment = _comment()
    _voted(comment)
    return comment.article, lambda: counting.repair_counters(comment_ids=[comment.pk])


def _reconcile():
    comment = _comment()
    _voted(comment)
    return comment.article, counting.reconcile_vote_counters


def _count_out_deleted():
    comment = _comment()
    vote = _voted(comment)
    counting.tally_comment(comment_id=comment.pk)
    vote.delete()  # the database records the comment (votes.models.DeletedVote)
    return comment.article, counting.count_out_deleted_votes


def _recount():
    comment = _comment()
    _voted(comment)
    return comment.article, counting.recount_all_votes


def _report_to_hold(settings):
    settings.REPORTS_TO_HOLD = 1
    comment = _comment()
    reporter = EstablishedReaderFactory()
    return comment.article, lambda: moderation_services.report_comment(
        reporter=reporter, comment=comment, reason="spam"
    )


def _approve():
    comment = _comment(status=Comment.Status.PENDING)
    return comment.article, lambda: moderation_services.approve_comments(moderator=_staff(), comment_ids=[comment.pk])


def _reject():
    comment = _comment(status=Comment.Status.PENDING)
    reason = Decision.RejectReason.values[0]
    return comment.article, lambda: moderation_services.reject_comments(
        moderator=_staff(), comment_ids=[comment.pk], reason=reason
    )


def _reject_and_suspend():
    comment = _comment(status=Comment.Status.PENDING)
    reason = Decision.RejectReason.values[0]
    return comment.article, lambda: moderation_services.reject_and_suspend(
        moderator=_staff(), comment_ids=[comment.pk], reason=reason
    )


def _staff_hide():
    comment = _comment()
    return comment.article, lambda: staff_edits.hide_comments(moderator=_staff(), comments=_rows(comment))


def _staff_restore():
    comment = _comment(status=Comment.Status.HELD)
    return comment.article, lambda: staff_edits.restore_comments(moderator=_staff(), comments=_rows(comment))


def _staff_move():
    comment = _comment()
    return comment.article, lambda: staff_edits.move_comments(
        moderator=_staff(), comments=_rows(comment), section=Section.JAPAN
    )


def _staff_save_comment():
    comment = _comment()
    comment.section = Section.JAPAN
    return comment.article, lambda: staff_edits.save_comment(editor=_staff(), comment=comment)


def _staff_delete_comments():
    comment = _comment()
    return comment.article, lambda: staff_edits.delete_comments(editor=_staff(), comments=[comment])


def _staff_save_article():
    article = ArticleFactory()
    article.title = "A corrected headline"
    return article, lambda: staff_edits.save_article(editor=_staff(), article=article, changed=["title"])


def _staff_publish():
    article = ArticleFactory(status=Article.Status.DRAFT)
    return article, lambda: staff_edits.publish_articles(editor=_staff(), articles=_articles(article))


def _staff_delete_articles():
    article = ArticleFactory()
    return article, lambda: staff_edits.delete_articles(editor=_staff(), articles=[article])


def _staff_save_reader():
    comment = _comment()
    reader = comment.author
    reader.display_name = "Renamed by staff"
    return comment.article, lambda: staff_edits.save_reader(editor=_staff(), reader=reader, changed=["display_name"])


def _staff_delete_readers():
    comment = _comment()
    return comment.article, lambda: staff_edits.delete_readers(editor=_staff(), readers=[comment.author])


def _moderator_close():
    article = ArticleFactory()
    return article, lambda: closing.set_comments_open(
        moderator=_staff(), articles=_articles(article), is_open=False, via="admin_action"
    )


def _moderator_close_section():
    article = ArticleFactory()
    return article, lambda: closing.set_section_open(
        moderator=_staff(), articles=_articles(article), section=Section.WORLD, is_open=False, via="admin_action"
    )


def _close_old(settings):
    settings.FORUM_COMMENTS_CLOSE_AFTER_DAYS = 14
    article = ArticleFactory(published_at=timezone.now() - timedelta(days=30))
    return article, closing.close_old_discussions


def _void_votes():
    comment = _comment()
    vote = _voted(comment)
    counting.tally_comment(comment_id=comment.pk)
    return comment.article, lambda: vote_voids.void_votes(moderator=_staff(), reader=vote.user, reason="A ring.")


def _pick():
    comment = _comment()
    return comment.article, lambda: forum.set_pick(comments=[comment], picked_by=_staff(), note="Worth reading.")


def _unpick():
    comment = _comment(picked_at=timezone.now())
    return comment.article, lambda: forum.unset_pick(comments=[comment])


def _moderator_pick():
    comment = _comment()
    return comment.article, lambda: picks.pick_comments(
        moderator=_staff(), comments=_rows(comment), note="", via="admin_action"
    )


def _moderator_unpick():
    comment = _comment(picked_at=timezone.now())
    return comment.article, lambda: picks.unpick_comments(
        moderator=_staff(), comments=_rows(comment), via="admin_action"
    )


def _badge_holder_comment() -> Comment:
    comment = _comment()
    Badge.objects.create(user=comment.author, description="Economist", accepted_at=timezone.now())
    return comment


def _offer_badge_changed():
    comment = _badge_holder_comment()
    return comment.article, lambda: accounts.offer_badge(
        user=comment.author, kind=Badge.Kind.JOURNALIST, description="Reporter", given_by=None
    )


def _remove_badge():
    comment = _badge_holder_comment()
    return comment.article, lambda: accounts.remove_badge(badge=comment.author.badge)


def _accept_badge():
    comment = _comment()
    Badge.objects.create(user=comment.author, description="Economist")
    return comment.article, lambda: accounts.accept_badge(user=comment.author)


def _decline_badge():
    comment = _badge_holder_comment()
    return comment.article, lambda: accounts.decline_badge(user=comment.author)


def _give_badge():
    comment = _badge_holder_comment()
    return comment.article, lambda: badges.give_badge(
        editor=_staff(), reader=comment.author, kind=Badge.Kind.EXPERT, description="Historian", via="admin_form"
    )


def _remove_badges():
    comment = _badge_holder_comment()
    return comment.article, lambda: badges.remove_badges(
        editor=_staff(), badges=[comment.author.badge], via="admin_action"
    )


BUMPS: dict[str, Run] = {
    "forum.services.set_pick": _pick,
    "forum.services.unset_pick": _unpick,
    "moderation.picks.pick_comments": _moderator_pick,
    "moderation.picks.unpick_comments": _moderator_unpick,
    "accounts.services.offer_badge": _offer_badge_changed,
    "accounts.services.remove_badge": _remove_badge,
    "accounts.services.accept_badge": _accept_badge,
    "accounts.services.decline_badge": _decline_badge,
    "moderation.badges.give_badge": _give_badge,
    "moderation.badges.remove_badges": _remove_badges,
    "forum.services.post_comment": _post,
    "forum.services.edit_comment": _edit,
    "forum.services.delete_comment": _delete,
    "forum.services.set_comment_status": _set_status,
    "forum.services.move_comments": _move,
    "forum.services.save_comment_in_admin": _save_in_admin,
    "forum.services.set_comments_open": _close,
    "forum.services.set_section_open": _close_section,
    "forum.services.close_discussions_published_before": _timed_close,
    "forum.services.publish_article": _publish,
    "forum.services.author_byline_changed": _byline_hook,
    "forum.services.author_leaving": _author_leaving,
    "forum.services.remove_bare_placeholders": _remove_bare_placeholders,
    "accounts.services.account_leaving": _account_leaving,
    "forum.demo.load_demo": _load_demo_again,
    "accounts.services.update_profile": _update_profile,
    "accounts.services.byline_changed": _byline_changed,
    "accounts.services.delete_account": _delete_account,
    "votes.counting.tally_comment": _tally,
    "votes.counting.tally_comments": _tally_many,
    "votes.counting.repair_counters": _repair,
    "votes.counting.reconcile_vote_counters": _reconcile,
    "votes.counting.count_out_deleted_votes": _count_out_deleted,
    "votes.counting.recount_all_votes": _recount,
    "moderation.services.report_comment": _report_to_hold,
    "moderation.services.approve_comments": _approve,
    "moderation.services.reject_comments": _reject,
    "moderation.services.reject_and_suspend": _reject_and_suspend,
    "moderation.staff_edits.hide_comments": _staff_hide,
    "moderation.staff_edits.restore_comments": _staff_restore,
    "moderation.staff_edits.move_comments": _staff_move,
    "moderation.staff_edits.save_comment": _staff_save_comment,
    "moderation.staff_edits.delete_comments": _staff_delete_comments,
    "moderation.staff_edits.save_article": _staff_save_article,
    "moderation.staff_edits.publish_articles": _staff_publish,
    "moderation.staff_edits.delete_articles": _staff_delete_articles,
    "moderation.staff_edits.save_reader": _staff_save_reader,
    "moderation.staff_edits.delete_readers": _staff_delete_readers,
    "moderation.closing.set_comments_open": _moderator_close,
    "moderation.closing.set_section_open": _moderator_close_section,
    "moderation.closing.close_old_discussions": _close_old,
    "moderation.vote_voids.void_votes": _void_votes,
}

RULE = "a rule or a reading: writes nothing"
STANDING = "the reader's standing: read per request for their own actions, never part of a cached page"
VOTE = "a vote row only: the tally bumps when the counters move (votes.counting)"
NOTICE = "a reader's notifications, their bell or their e-mail preference: never part of a cached page"
MUTE = "a reader's mute: it collapses comments in that reader's own overlay, never in a shared page"

DOES_NOT_BUMP: dict[str, str] = {
    "forum.services.clean_pick_note": RULE,
    "accounts.services.signs_with_badge": RULE,
    "moderation.picks.ensure_may_pick": RULE,
    "forum.services.can_edit_comment": RULE,
    "forum.services.clean_comment_body": RULE,
    "forum.services.comment_language": RULE,
    "forum.services.ensure_can_edit_comment": RULE,
    "forum.services.ensure_comments_open": RULE,
    "forum.services.screen_comment_body": RULE,
    "forum.services.section_for_new_comment": RULE,
    "forum.services.signs_new_comment": RULE,
    "forum.services.thread_of": RULE,
    "forum.services.participation_refusal": RULE,
    "forum.services.closed_refusal": RULE,
    "forum.services.comment_refusal": RULE,
    "forum.services.edit_refusal": RULE,
    "forum.services.delete_refusal": RULE,
    "forum.services.report_refusal": RULE,
    "forum.services.reply_refusal": RULE,
    "accounts.services.departed_reader": "the account deleted readers' placeholders stand under: no page shows it",
    "forum.demo.seed_text_to_markdown": RULE,
    "accounts.services.email_refusal": RULE,
    "accounts.services.ensure_country_change_allowed": RULE,
    "accounts.services.is_premoderated": RULE,
    "accounts.services.refusal_code": RULE,
    "accounts.services.sanction_refusal": RULE,
    "accounts.services.taking_part_refusal": RULE,
    "accounts.services.sign_up": "a new reader has written nothing yet",
    "accounts.services.change_password": "a password: nothing a page shows",
    "accounts.services.revoke_api_tokens": "API tokens: nothing a page shows",
    "accounts.services.deactivate_user": "a closed account's comments stay as they were, under the same byline",
    "accounts.services.impose_sanction": STANDING,
    "accounts.services.lift_sanction": STANDING,
    "accounts.services.refresh_standing": STANDING,
    "accounts.services.mute_reader_refusal": RULE,
    "accounts.services.mute_reader": MUTE,
    "accounts.services.unmute": MUTE,
    "accounts.services.unmute_voice": MUTE,
    "forum.services.mute_refusal": RULE,
    "forum.services.mute_author_of": MUTE,
    "forum.services.unmute_author_of": MUTE,
    "votes.services.ensure_can_vote": RULE,
    "votes.services.vote_refusal": RULE,
    "votes.services.cast_vote": VOTE,
    "votes.services.retract_vote": VOTE,
    "votes.services.toggle_vote": VOTE,
    "votes.services.void_votes_of": "marks vote rows: the tally bumps when the counters move, and "
    "moderation.vote_voids.void_votes, its caller, bumps anyway",
    "votes.counting.breakdown_rows": RULE,
    "votes.counting.breakdowns": RULE,
    "votes.counting.breakdowns_from_rows": RULE,
    "votes.counting.counters_counted_now": RULE,
    "votes.counting.counters_from_votes": RULE,
    "votes.counting.stale_comment_ids": RULE,
    "moderation.services.approve_released": "its caller changes the comments' status, and that bumps "
    "(forum.services.set_comment_status)",
    "moderation.staff_edits.record_password_set": "an audit entry: nothing a page shows",
    "moderation.sanctions.suspend_reader": STANDING,
    "moderation.sanctions.ban_reader": STANDING,
    "moderation.sanctions.premoderate_reader": STANDING,
    "moderation.sanctions.lift_sanction": STANDING,
    "moderation.word_rules.save_word_rule": "screens comments posted later; what is shown stays",
    "moderation.word_rules.remove_word_rules": "screens comments posted later; what is shown stays",
    "notifications.services.replies_became_visible": NOTICE,
    "notifications.services.mark_read": NOTICE,
    "notifications.services.mark_all_read": NOTICE,
    "notifications.services.count_bell": NOTICE,
    "notifications.services.refresh_bell": NOTICE,
    "notifications.services.set_reply_mail": NOTICE,
    "notifications.services.remember_language": NOTICE,
    "notifications.services.unsubscribe": NOTICE,
}


def test_every_service_is_listed():
    """A service nobody has classified is a change that may never reach the cached pages."""
    found = discovered_services()
    listed = set(BUMPS) | set(DOES_NOT_BUMP)
    assert not set(BUMPS) & set(DOES_NOT_BUMP)
    assert found - listed == set(), "new services: add each to BUMPS or DOES_NOT_BUMP"
    assert listed - found == set(), "listed services that no longer exist"


@pytest.mark.parametrize("service", sorted(BUMPS))
def test_the_service_bumps_the_version_after_the_commit(service, settings, django_capture_on_commit_callbacks):
    run = BUMPS[service]
    article, call = run(settings) if "settings" in inspect.signature(run).parameters else run()
    before = article_version(article.pk)
    with django_capture_on_commit_callbacks(execute=True):
        call()
        in_the_transaction = article_version(article.pk)
    # The bump during the transaction lets the change's own request see it; the one after the
    # commit is what retires pages rendered meanwhile.
    assert in_the_transaction != before
    assert article_version(article.pk) != in_the_transaction, "no bump after the commit"
