"""Moderators may see and lift sanctions (accounts.Sanction: view, change; the history itself
is read-only in the admin) and manage the word lists (moderation.WordRule: add, change, delete,
view). Added to the group, not set, so the permissions other migrations give stay."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Moderators"
PERMISSIONS = {
    "accounts": ["view_sanction", "change_sanction"],
    "moderation": ["add_wordrule", "change_wordrule", "delete_wordrule", "view_wordrule"],
}


def grant(apps, schema_editor):
    for app_label in PERMISSIONS:
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
        ("moderation", "0005_word_rules"),
        ("accounts", "0005_sanctions"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
