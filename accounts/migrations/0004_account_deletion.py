"""Self-service account deletions are recorded without saying whose (AccountDeletion), and the
Moderators group may view that record in the admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations, models

GROUP = "Moderators"


def let_moderators_view(apps, schema_editor):
    # Permissions are normally created after all migrations ran; make sure this one exists now.
    app_config = apps.get_app_config("accounts")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP).first()
    if group is not None:
        permission = apps.get_model("auth", "Permission").objects.get(
            content_type__app_label="accounts", codename="view_accountdeletion"
        )
        group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_username_case_insensitive"),
        # The Moderators group is made there.
        ("moderation", "0001_moderators_group"),
    ]

    operations = [
        migrations.CreateModel(
            name="AccountDeletion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("deleted_at", models.DateTimeField(auto_now_add=True, verbose_name="deleted at")),
                (
                    "via",
                    models.CharField(
                        choices=[("web", "the website"), ("api", "the API")],
                        max_length=3,
                        verbose_name="deleted through",
                    ),
                ),
            ],
            options={
                "verbose_name": "account deletion",
                "verbose_name_plural": "account deletions",
                "ordering": ["-deleted_at", "-id"],
            },
        ),
        migrations.RunPython(let_moderators_view, migrations.RunPython.noop),
    ]
