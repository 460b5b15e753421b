"""Badges and editors' picks.

- Comment.signed_by_badge: the comment was posted by a reader holding a badge they accepted
  (accounts.Badge), which signs their comments in both sections.
- forum_comment_japan_unsigned is changed, not dropped: a top-level reaction in Japan is still
  never signed, except one its author signed with a badge. The rule stays in the database, so a
  save, a move or the shell cannot name a reader in Japan who never agreed to it.
- The permission to pick editors' picks (Moderators get it in moderation 0013).
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("forum", "0009_comment_replies_and_picks"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="comment",
            options={
                "ordering": ["-created_at", "-id"],
                "permissions": [("pick_comment", "Can pick editors' picks")],
                "verbose_name": "comment",
                "verbose_name_plural": "comments",
            },
        ),
        migrations.RemoveConstraint(
            model_name="comment",
            name="forum_comment_japan_unsigned",
        ),
        migrations.AddField(
            model_name="comment",
            name="signed_by_badge",
            field=models.BooleanField(
                db_default=False, default=False, editable=False, verbose_name="signed with a badge"
            ),
        ),
        migrations.AddConstraint(
            model_name="comment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("parent__isnull", True),
                    ("section", "japan"),
                    ("signed", True),
                    ("signed_by_badge", False),
                    _negated=True,
                ),
                name="forum_comment_japan_unsigned",
            ),
        ),
    ]
