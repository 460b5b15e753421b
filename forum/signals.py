"""Changes made outside forum.services that readers can see: an article saved or deleted, an
author's byline changed (their display name or country), and comments deleted by a cascade (an
account deletion) or by hand. (Staff changes are audited by the moderation app, whose admin
calls its own services: moderation.staff_edits, moderation.closing.)"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import User

from .models import Article, Comment
from .versions import bump_article_version, bump_article_versions


@receiver(post_save, sender=Article, dispatch_uid="forum.article_saved")
def article_saved(sender, instance: Article, **kwargs) -> None:
    bump_article_version(instance.pk)


@receiver(post_delete, sender=Article, dispatch_uid="forum.article_deleted")
def article_deleted(sender, instance: Article, **kwargs) -> None:
    # Whatever was cached for it must not be served: pages kept whole and the signed-out API list
    # find it by its slug (forum/page_cache.py, forum/list_cache.py).
    bump_article_version(instance.pk)


# What a comment's byline shows of its author: a change re-renders the pages they commented on.
BYLINE_FIELDS = {"display_name", "country", "username"}


@receiver(post_save, sender=User, dispatch_uid="forum.author_renamed")
def author_changed(sender, instance: User, created: bool, update_fields=None, **kwargs) -> None:
    if created or (update_fields is not None and not BYLINE_FIELDS & set(update_fields)):
        return  # a sign-in (last_login), a password: nothing a page shows
    bump_article_versions(
        Comment.objects.filter(author_id=instance.pk).values_list("article_id", flat=True).distinct().order_by()
    )


@receiver(post_delete, sender=Comment, dispatch_uid="forum.comment_deleted")
def comment_deleted(sender, instance: Comment, **kwargs) -> None:
    bump_article_version(instance.article_id)
