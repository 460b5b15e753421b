"""Changes made outside forum.services that readers can see: an article saved or deleted, and
comments deleted by a cascade (an account deletion) or by hand; and ``moderated``, which the
admin sends for each moderator's action so that the moderation app can audit it (forum does not
import moderation)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from .models import Article, Comment
from .versions import bump_article_version

# Sent by forum.services.set_section_open with articles, section, is_open and actor (a User, or
# None when the site acted by itself). The moderation app records it in its audit trail; forum
# cannot call the audit itself, since moderation imports forum.
sections_changed = Signal()


@receiver(post_save, sender=Article, dispatch_uid="forum.article_saved")
def article_saved(sender, instance: Article, **kwargs) -> None:
    bump_article_version(instance.pk)


@receiver(post_delete, sender=Article, dispatch_uid="forum.article_deleted")
def article_deleted(sender, instance: Article, **kwargs) -> None:
    # Whatever was cached for it must not be served: pages kept whole and the signed-out API list
    # find it by its slug (forum/page_cache.py, forum/api.py).
    bump_article_version(instance.pk)


@receiver(post_delete, sender=Comment, dispatch_uid="forum.comment_deleted")
def comment_deleted(sender, instance: Comment, **kwargs) -> None:
    bump_article_version(instance.article_id)


# Sent inside the transaction of a moderator's action in forum's admin, with ``actor`` (the
# moderator), ``action`` (one of moderation's AuditEntry.Action values: "hide", "restore", "move",
# "close", "open"), ``targets`` (the objects acted on) and ``reason``.
moderated = Signal()
