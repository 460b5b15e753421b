"""The Moderators group gains what the queue and the audit trail need, and nothing more:

- the queue (moderation.QueueItem, a proxy of Comment): view it, and change (approve, reject,
  reject and suspend, one by one or in bulk);
- the audit trail: view (nobody changes or deletes it; the admin refuses even superusers).

Added to the group's permissions (other migrations add theirs), removed again on the way back.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Moderators"
PERMISSIONS = ["view_queueitem", "change_queueitem", "view_auditentry"]


def _permissions(apps):
    app_config = apps.get_app_config("moderation")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label="moderation", codename__in=PERMISSIONS)


def grant(apps, schema_editor):
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=GROUP)
    group.permissions.add(*_permissions(apps))


def revoke(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [("moderation", "0003_reports_and_decisions")]

    operations = [migrations.RunPython(grant, revoke)]
