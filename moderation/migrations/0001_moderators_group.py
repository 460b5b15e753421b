"""The "Moderators" group (created here since the moderation app exists; votes.0002 once did it,
and running this again on such a database changes nothing), with exactly what moderators need in the admin:

- articles: add, change, view (write, publish, open and close comments; not delete);
- comments: change, view (hide, restore, move between sections; not delete, reword or re-attribute);
- readers: change, view (fix a display name or country, deactivate; the admin keeps the
  staff and permission fields read-only for anyone but a superuser, and staff accounts, passwords,
  tokens and groups out of reach of anyone but a superuser: see accounts/admin.py);
- votes: view.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Moderators"
PERMISSIONS = {
    "forum": ["add_article", "change_article", "view_article", "change_comment", "view_comment"],
    "accounts": ["change_user", "view_user"],
    "votes": ["view_vote"],
}


def create_moderators(apps, schema_editor):
    # Permissions are normally created after all migrations ran; make sure they exist now.
    # (The historical app configs carry no models module; create_permissions needs one set.)
    for app_label in ["auth", "contenttypes", *PERMISSIONS]:
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    wanted = [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codenames in PERMISSIONS.items()
        for codename in codenames
    ]
    group.permissions.set(wanted)


def remove_moderators(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("accounts", "0001_initial"),
        ("forum", "0001_initial"),
        ("votes", "0001_initial"),
        ("votes", "0002_moderators_group"),
    ]

    operations = [migrations.RunPython(create_moderators, remove_moderators)]
