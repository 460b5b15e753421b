"""Editors' picks and badges: their audit actions, and the Moderators group's powers over them:
picking comments (forum.pick_comment) and offering, changing and removing badges (accounts.Badge:
add, change, delete, view). Added to the group, not set, so the permissions other migrations
give stay."""

from django.contrib.auth.management import create_permissions
from django.db import migrations, models

GROUP = "Moderators"
PERMISSIONS = {
    "forum": ["pick_comment"],
    "accounts": ["add_badge", "change_badge", "delete_badge", "view_badge"],
}


def grant(apps, schema_editor):
    for app_label in PERMISSIONS:
        # Permissions are normally created after all migrations ran; make sure these exist now.
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP).first()
    if group is None:
        return
    Permission = apps.get_model("auth", "Permission")
    group.permissions.add(
        *(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codenames in PERMISSIONS.items()
            for codename in codenames
        )
    )


def revoke(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP).first()
    if group is not None:
        Permission = apps.get_model("auth", "Permission")
        for app_label, codenames in PERMISSIONS.items():
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0012_report_text_when_reported"),
        ("forum", "0010_comment_signed_by_badge_and_pick_permission"),
        ("accounts", "0014_badges"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("approve", "Approved"),
                    ("reject", "Rejected"),
                    ("hold", "Held for review"),
                    ("hide", "Hidden"),
                    ("restore", "Restored"),
                    ("move", "Moved to another section"),
                    ("close", "Closed comments"),
                    ("open", "Opened comments"),
                    ("close_section", "Closed one section's comments"),
                    ("open_section", "Opened one section's comments"),
                    ("release", "Released from review"),
                    ("rewrite", "Rewrote a comment"),
                    ("reattribute", "Changed a comment's author"),
                    ("move_article", "Moved to another article"),
                    ("delete_comment", "Deleted a comment"),
                    ("publish", "Published an article"),
                    ("unpublish", "Withdrew an article"),
                    ("edit_article", "Edited an article"),
                    ("delete_article", "Deleted an article"),
                    ("account_changed", "Changed a reader's account"),
                    ("deactivate", "Deactivated an account"),
                    ("reactivate", "Reactivated an account"),
                    ("password_set", "Set a reader's password"),
                    ("delete_account", "Deleted an account"),
                    ("sanction", "Sanctioned a reader"),
                    ("lift_sanction", "Lifted a sanction"),
                    ("word_added", "Added a word rule"),
                    ("word_changed", "Changed a word rule"),
                    ("word_removed", "Removed a word rule"),
                    ("void_votes", "Voided a reader's votes"),
                    ("pick", "Picked as an editors' pick"),
                    ("pick_note", "Changed an editors' pick's note"),
                    ("unpick", "Removed from the editors' picks"),
                    ("badge_offered", "Offered a badge"),
                    ("badge_changed", "Changed a badge"),
                    ("badge_removed", "Removed a badge"),
                ],
                max_length=20,
                verbose_name="action",
            ),
        ),
        migrations.RunPython(grant, revoke),
    ]
