from django.db import migrations, models


class Migration(migrations.Migration):
    """No two usernames that read alike (filled by 0006; a separate migration, so the index is
    built after the rows are written and committed)."""

    dependencies = [
        ("accounts", "0006_user_name_skeletons"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="username_skeleton",
            field=models.TextField(editable=False, unique=True, verbose_name="username as it reads"),
        ),
    ]
