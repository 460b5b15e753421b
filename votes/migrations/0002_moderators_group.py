"""Once created the "Moderators" group; moderation.0001_moderators_group does that now.

Kept, empty, so that databases that applied it and those that did not share one history.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("votes", "0001_initial")]

    operations = []
