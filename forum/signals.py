"""Writes no service sees, that must still reach the cached pages (forum/caching.py). Every
service bumps the versions of the articles it changes itself; these receivers, one per sender,
are the net under what happens outside them:

- an article saved or deleted anywhere (the shell, a data migration, a fixture): pages kept whole
  and the signed-out API list are found by the article's slug without a query, so an article
  unpublished, renamed or deleted there must not keep being served from them;
- comments deleted by a cascade: an account's deletion (accounts may not call the forum) or an
  article's, and deletions by hand.

A byline change reaches the pages through accounts' services (settings.ACCOUNTS_BYLINE_HOOKS).
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import caching
from .models import Article, Comment


@receiver(post_save, sender=Article, dispatch_uid="forum.article_saved")
def article_saved(sender, instance: Article, **kwargs) -> None:
    caching.bump_article_version(instance.pk)


@receiver(post_delete, sender=Article, dispatch_uid="forum.article_deleted")
def article_deleted(sender, instance: Article, **kwargs) -> None:
    caching.bump_article_version(instance.pk)


@receiver(post_delete, sender=Comment, dispatch_uid="forum.comment_deleted")
def comment_deleted(sender, instance: Comment, **kwargs) -> None:
    caching.bump_article_version(instance.article_id)
