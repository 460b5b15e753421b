"""kill -9 of the Celery worker in the middle of a tally: a new worker and beat make every counter
exact again within two reconciliation periods, with no help from Redis (the popped ids died with
the worker). Real PostgreSQL, real Redis broker, real worker and beat processes.

Beat runs with RECONCILE_SECONDS=3 (set in the child processes' environment) so two periods are 6 s:
the first reconciliation is due one period after beat starts, and the second period is the slack
for a loaded machine.
"""

import time

import psycopg
import pytest
from django.db import connection, transaction

from forum.models import Comment
from infra.redis_clients import forum_redis
from tests.conftest import redis_is_the_broker
from tests.factories import CommentFactory, UserFactory
from tests.faults.helpers import logs_on_failure, wrong_counters
from tests.processes import start_beat, start_worker, wait_for
from votes.coalescing import key
from votes.services import cast_vote

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

RECONCILE_SECONDS = 3


def lock_comment_row(comment_id: int) -> psycopg.Connection:
    """Hold the comment's row lock from another session, so a tally of it waits mid-transaction."""
    db = connection.settings_dict
    holder = psycopg.connect(
        dbname=db["NAME"], user=db["USER"] or "postgres", host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432
    )
    holder.execute("SELECT id FROM forum_comment WHERE id = %s FOR UPDATE", [comment_id])
    return holder


def tally_waiting_on_a_row_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND query LIKE '%%forum_comment%%FOR NO KEY UPDATE%%'"
        )
        return cursor.fetchone()[0] > 0


def test_counters_are_exact_within_two_reconciliation_periods_after_the_worker_is_killed_mid_tally(
    article, process_log_dir
):
    """The worker dies with a popped batch partly tallied; a new worker and beat repair every counter within 6 s."""
    if not redis_is_the_broker():
        pytest.skip("needs the Redis broker (the PostgreSQL + Redis run)")
    comments = CommentFactory.create_batch(12, article=article)
    comment_ids = sorted(comment.pk for comment in comments)
    voters = [UserFactory(country="JP" if n % 3 == 0 else "DE", password=None) for n in range(6)]
    # All votes in one transaction: the dirty marks land together, before any worker runs, so the
    # first tally task pops the whole batch of 12 at once.
    with transaction.atomic():
        for n, voter in enumerate(voters):
            for comment in comments:
                cast_vote(user=voter, comment=comment, choice="agree" if (n + comment.pk) % 2 else "disagree")
    assert forum_redis().scard(key("dirty")) == 12

    processes = []
    with logs_on_failure(processes):
        # The sixth comment's row is locked: the tally's batch skips it and commits the other eleven,
        # then the task waits on that row inside its own transaction. It dies there.
        holder = lock_comment_row(comment_ids[5])
        try:
            processes.append(start_worker(log_dir=process_log_dir, concurrency=1))
            wait_for(tally_waiting_on_a_row_lock, timeout=20, what="the tally to wait on the locked comment")
            processes[0].kill()  # SIGKILL to the worker and its pool process
        finally:
            holder.close()  # the lock goes; the dead worker's session finds its client gone and rolls back

        assert set(wrong_counters(comment_ids)) == {comment_ids[5]}
        assert forum_redis().scard(key("dirty")) == 0, "the popped ids died with the worker"
        # Votes keep coming while no worker runs; these do reach the dirty set.
        late_voter = UserFactory(country="JP", password=None)
        for comment_id in comment_ids[:2]:
            cast_vote(user=late_voter, comment=Comment.objects.get(pk=comment_id), choice="agree")

        env = {"RECONCILE_SECONDS": str(RECONCILE_SECONDS)}
        processes.append(start_worker(log_dir=process_log_dir, concurrency=1, **env))
        beat = start_beat(log_dir=process_log_dir, **env)
        processes.append(beat)
        wait_for(lambda: "beat: Starting..." in beat.log(), timeout=30, what="beat start")
        beat_started = time.monotonic()

        wait_for(
            lambda: not wrong_counters(comment_ids),
            timeout=2 * RECONCILE_SECONDS,
            interval=0.1,
            what="every counter to be exact within two reconciliation periods",
        )
        converged_after = time.monotonic() - beat_started
        assert "Reconciliation corrected the counters of" in processes[1].log()
        print(f"counters exact {converged_after:.2f} s after beat started")  # the report's figure
