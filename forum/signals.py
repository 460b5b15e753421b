"""Changes made outside forum.services that readers can see: an article saved or deleted, and
comments deleted by a cascade (an account deletion) or by hand."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Article, Comment
from .versions import bump_article_version


@receiver(post_save, sender=Article, dispatch_uid="forum.article_saved")
def article_saved(sender, instance: Article, **kwargs) -> None:
    bump_article_version(instance.pk)


@receiver(post_delete, sender=Article, dispatch_uid="forum.article_deleted")
def article_deleted(sender, instance: Article, **kwargs) -> None:
    # Pages kept whole are found by the article's id remembered from its slug (forum/page_cache.py).
    bump_article_version(instance.pk)


@receiver(post_delete, sender=Comment, dispatch_uid="forum.comment_deleted")
def comment_deleted(sender, instance: Comment, **kwargs) -> None:
    bump_article_version(instance.article_id)
