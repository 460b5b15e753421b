"""Deleted votes are counted out: the database records the comment of every vote row deleted
(or changed without a new ``updated_at``) in votes_deletedvote, and the reconciliation re-tallies
those comments. Triggers, not signals, so that deletes the application never sees are recorded too.

PostgreSQL: deletes are recorded per statement from a transition table (one INSERT ... SELECT
DISTINCT however many rows a statement deletes); silent updates per row, behind a WHEN clause
that the server evaluates without calling the function, so the vote upsert (which always sets a
new updated_at) pays almost nothing. SQLite has only row triggers: the same, a row at a time.

Note for later migrations: SQLite's schema editor rebuilds a table it alters (copy, drop, rename),
and the triggers go with the old table; a migration that alters votes_vote must re-create them
(call create_triggers again). PostgreSQL keeps them.
"""

import django.db.models.functions.datetime
from django.db import migrations, models

POSTGRESQL_CREATE = [
    """
    CREATE FUNCTION votes_record_deleted_votes() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO votes_deletedvote (comment_id) SELECT DISTINCT comment_id FROM deleted_votes;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER votes_vote_deleted AFTER DELETE ON votes_vote
    REFERENCING OLD TABLE AS deleted_votes FOR EACH STATEMENT
    EXECUTE FUNCTION votes_record_deleted_votes()
    """,
    """
    CREATE FUNCTION votes_record_silent_vote_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO votes_deletedvote (comment_id) VALUES (OLD.comment_id);
        IF NEW.comment_id <> OLD.comment_id THEN
            INSERT INTO votes_deletedvote (comment_id) VALUES (NEW.comment_id);
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER votes_vote_changed_silently AFTER UPDATE ON votes_vote FOR EACH ROW
    WHEN (
        OLD.comment_id <> NEW.comment_id
        OR (OLD.updated_at IS NOT DISTINCT FROM NEW.updated_at
            AND (OLD.choice, OLD.region) IS DISTINCT FROM (NEW.choice, NEW.region))
    )
    EXECUTE FUNCTION votes_record_silent_vote_change()
    """,
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS votes_vote_changed_silently ON votes_vote",
    "DROP FUNCTION IF EXISTS votes_record_silent_vote_change()",
    "DROP TRIGGER IF EXISTS votes_vote_deleted ON votes_vote",
    "DROP FUNCTION IF EXISTS votes_record_deleted_votes()",
]
SQLITE_CREATE = [
    """
    CREATE TRIGGER votes_vote_deleted AFTER DELETE ON votes_vote FOR EACH ROW
    BEGIN
        INSERT INTO votes_deletedvote (comment_id) VALUES (OLD.comment_id);
    END
    """,
    """
    CREATE TRIGGER votes_vote_changed_silently AFTER UPDATE ON votes_vote FOR EACH ROW
    WHEN (
        OLD.comment_id <> NEW.comment_id
        OR (OLD.updated_at IS NEW.updated_at AND (OLD.choice IS NOT NEW.choice OR OLD.region IS NOT NEW.region))
    )
    BEGIN
        INSERT INTO votes_deletedvote (comment_id) VALUES (OLD.comment_id);
        INSERT INTO votes_deletedvote (comment_id) SELECT NEW.comment_id WHERE NEW.comment_id <> OLD.comment_id;
    END
    """,
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS votes_vote_changed_silently", "DROP TRIGGER IF EXISTS votes_vote_deleted"]


def _run(schema_editor, statements: dict[str, list[str]]) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in statements:
        raise NotImplementedError(f"no deleted-vote triggers for {vendor}")
    for statement in statements[vendor]:
        schema_editor.execute(statement)


def create_triggers(apps, schema_editor) -> None:
    _run(schema_editor, {"postgresql": POSTGRESQL_CREATE, "sqlite": SQLITE_CREATE})


def drop_triggers(apps, schema_editor) -> None:
    _run(schema_editor, {"postgresql": POSTGRESQL_DROP, "sqlite": SQLITE_DROP})


class Migration(migrations.Migration):
    dependencies = [
        ("votes", "0002_moderators_group"),
    ]

    operations = [
        migrations.CreateModel(
            name="DeletedVote",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("comment_id", models.BigIntegerField()),
                ("recorded_at", models.DateTimeField(db_default=django.db.models.functions.datetime.Now())),
            ],
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
