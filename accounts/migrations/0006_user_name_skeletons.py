from django.db import migrations, models

from accounts.folding import name_skeleton


def fill_skeletons(apps, schema_editor):
    """Every existing account gets its skeletons. Where two usernames already fold alike, the
    oldest account keeps the plain skeleton (so nobody can take it again) and the later ones get
    "<skeleton>#<id>": they keep their names, and the unique index of 0007 can be built."""
    User = apps.get_model("accounts", "User")
    seen = set()
    for user in User.objects.order_by("pk").only("pk", "username", "display_name").iterator():
        skeleton = name_skeleton(user.username)
        if skeleton in seen:
            skeleton = f"{skeleton}#{user.pk}"
        seen.add(skeleton)
        User.objects.filter(pk=user.pk).update(
            username_skeleton=skeleton, display_name_skeleton=name_skeleton(user.display_name)
        )


class Migration(migrations.Migration):
    """The names as they read (accounts.folding.name_skeleton), for look-alike names."""

    dependencies = [
        ("accounts", "0005_sanctions"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="username_skeleton",
            field=models.TextField(default="", editable=False, verbose_name="username as it reads"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="user",
            name="display_name_skeleton",
            field=models.TextField(blank=True, db_index=True, editable=False, verbose_name="display name as it reads"),
        ),
        migrations.RunPython(fill_skeletons, migrations.RunPython.noop, elidable=True),
    ]
