"""Moderators may see and clear sign-in lock-outs: django-axes' access attempts (view, delete).
Deleting an attempt row ends the lock it causes. Added to the group, not set, so the permissions
other migrations give stay."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Moderators"
PERMISSIONS = {"axes": ["view_accessattempt", "delete_accessattempt"]}


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
        ("moderation", "0007_reports_made_by_a_reader"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
