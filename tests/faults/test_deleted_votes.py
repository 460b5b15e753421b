"""Every way a vote row can disappear leaves 0 stale counters within one reconciliation period,
with a real Celery worker and beat on the real PostgreSQL and Redis.

Before this, the reconciliation only looked at vote rows changed since its watermark, and a
deleted row is never seen: the counters of every comment a deleted voter had voted on stayed
wrong until an operator ran ``recount_votes``. Now the database records the comments that lost
votes (a trigger) and the reconciliation counts them out.

Beat runs with RECONCILE_SECONDS=2. Each path's deadline is one period plus RUN_SLACK for the
reconciliation task itself to be queued and run on this busy two-core machine. The votes are
aged past the watermark first, so no other recent vote on the same comments gets them
re-tallied by chance.
"""

import time
from datetime import timedelta

import psycopg
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.conftest import redis_is_the_broker
from tests.factories import CommentFactory, UserFactory
from tests.faults.helpers import logs_on_failure, wrong_counters
from tests.processes import start_beat, start_worker, wait_for
from votes.models import ReconciliationWatermark, Vote
from votes.services import cast_vote

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

RECONCILE_SECONDS = 2
RUN_SLACK = 1.5
PASSWORD = "correct horse battery"  # the factories' password
COMMENTS_PER_PATH = 6


def operator_sql(statement: str, params: list) -> None:
    """SQL run by an operator in psql: another session, autocommit, nothing the application sees."""
    db = connection.settings_dict
    with psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"] or "postgres",
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        autocommit=True,
    ) as operator:
        operator.execute(statement, params)


def delete_account_on_the_web(voter, admin):
    client = Client()
    client.force_login(voter)
    assert client.post(reverse("account_delete"), {"password": PASSWORD}).status_code == 302


def delete_account_through_the_api(voter, admin):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=voter).key}")
    assert client.delete("/api/v1/me/", {"password": PASSWORD}, format="json").status_code == 204


def delete_user_in_the_admin(voter, admin):
    client = Client()
    client.force_login(admin)
    response = client.post(reverse("admin:accounts_user_delete", args=[voter.pk]), {"post": "yes"})
    assert response.status_code == 302


def delete_votes_in_the_admin(voter, admin):
    client = Client()
    client.force_login(admin)
    votes = list(Vote.objects.filter(user=voter).values_list("pk", flat=True))
    response = client.post(
        reverse("admin:votes_vote_changelist"),
        {"action": "delete_selected", "_selected_action": votes, "post": "yes"},
    )
    assert response.status_code == 302


def queryset_delete(voter, admin):
    Vote.objects.filter(user=voter).delete()


def cascade_from_the_user(voter, admin):
    voter.delete()


def operator_deletes_vote_rows(voter, admin):
    operator_sql("DELETE FROM votes_vote WHERE user_id = %s", [voter.pk])


def operator_voids_votes_in_place(voter, admin):
    operator_sql("UPDATE votes_vote SET choice = NULL WHERE user_id = %s", [voter.pk])


PATHS = [
    delete_account_on_the_web,
    delete_account_through_the_api,
    delete_user_in_the_admin,
    delete_votes_in_the_admin,
    queryset_delete,
    cascade_from_the_user,
    operator_deletes_vote_rows,
    operator_voids_votes_in_place,
]


def test_every_deletion_path_leaves_no_stale_counter_after_one_reconciliation_period(article, process_log_dir):
    """Eight ways to remove a voter's votes; after each, every affected counter equals its rows
    within one reconciliation period (plus the task's own run time)."""
    if not redis_is_the_broker():
        pytest.skip("needs the Redis broker (the PostgreSQL + Redis run)")
    admin = UserFactory(is_staff=True, is_superuser=True)
    stayers = [UserFactory(country="JP"), UserFactory(country="DE")]
    processes = []
    converged = {}
    with logs_on_failure(processes):
        env = {"RECONCILE_SECONDS": str(RECONCILE_SECONDS)}
        processes.append(start_worker(log_dir=process_log_dir, concurrency=2, **env))
        beat = start_beat(log_dir=process_log_dir, **env)
        processes.append(beat)
        wait_for(lambda: "beat: Starting..." in beat.log(), timeout=30, what="beat start")
        # A forum that has been running: the watermark is set, so only recent votes are looked at.
        wait_for(ReconciliationWatermark.objects.exists, timeout=15, what="the first reconciliation")

        for path in PATHS:
            voter = UserFactory(country="JP" if len(converged) % 2 else "US")
            comments = CommentFactory.create_batch(COMMENTS_PER_PATH, article=article)
            comment_ids = [c.pk for c in comments]
            for n, comment in enumerate(comments):
                cast_vote(user=voter, comment=comment, choice="agree" if n % 2 else "disagree")
                for stayer in stayers:
                    cast_vote(user=stayer, comment=comment, choice="agree")
            wait_for(lambda ids=comment_ids: not wrong_counters(ids), timeout=15, what=f"{path.__name__}: the tally")
            # Votes from long ago: only the record of the deletion can bring these comments back.
            Vote.objects.filter(comment_id__in=comment_ids).update(updated_at=timezone.now() - timedelta(hours=1))

            path(voter, admin)
            removed_at = time.monotonic()
            wait_for(
                lambda ids=comment_ids: not wrong_counters(ids),
                timeout=RECONCILE_SECONDS + RUN_SLACK,
                interval=0.05,
                what=f"{path.__name__}: 0 stale counters within one reconciliation period",
            )
            converged[path.__name__] = time.monotonic() - removed_at
            assert Vote.objects.filter(comment_id__in=comment_ids, choice__isnull=False).count() == (
                COMMENTS_PER_PATH * len(stayers)
            )

    assert set(converged) == {path.__name__ for path in PATHS}
    print({name: f"{seconds:.2f} s" for name, seconds in converged.items()})  # the report's figures
