"""Many requests at once against the real PostgreSQL: the vote rows stay one per reader and the
counters, once tallied, equal the rows. Each thread is its own client with its own connection."""

import random
import threading
from collections import Counter
from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import CommentFactory, UserFactory
from tests.faults.helpers import close_thread_connections, wrong_counters
from tests.tally_rounds import run_scheduled_round
from votes.models import Vote
from votes.services import cast_vote

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 16


def session_of(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def run_in_threads(work: list[list[Callable[[], object]]], *, in_step: bool = False) -> list[object]:
    """Run each list of calls in its own thread, all starting together (and, with in_step, each
    step together). A call's exception is returned as its outcome, never lost in the thread."""
    barrier = threading.Barrier(len(work))
    outcomes: list[object] = []
    lock = threading.Lock()

    def thread_main(calls):
        mine = []
        try:
            barrier.wait()
            for call in calls:
                if in_step:
                    barrier.wait()
                try:
                    mine.append(call())
                except Exception as error:  # the test reports every failure it saw
                    mine.append(error)
        finally:
            close_thread_connections()
            with lock:
                outcomes.extend(mine)

    threads = [threading.Thread(target=thread_main, args=(calls,)) for calls in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request thread hung"
    return outcomes


def vote_request(session_key: str, comment_id: int, choice: str) -> Callable[[], int]:
    """One press of a vote button (the form endpoint, toggle semantics) by the signed-in reader."""

    def press() -> int:
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = session_key
        return client.post(reverse("vote", args=[comment_id]), {"choice": choice}).status_code

    return press


def test_a_hundred_identical_votes_at_once_from_one_reader_leave_one_row(comment, reader):
    """100 simultaneous presses of "I agree" by one reader answer without a 5xx and store one row."""
    session_key = session_of(reader)
    press = vote_request(session_key, comment.pk, "agree")
    outcomes = run_in_threads([[press] * 5 for _ in range(20)], in_step=True)

    assert Counter(outcomes) == Counter({302: 100})
    assert Vote.objects.filter(comment=comment).count() == 1
    assert Vote.objects.get().user == reader
    run_scheduled_round()
    assert wrong_counters([comment.pk]) == {}


def test_a_hundred_identical_casts_at_once_end_in_one_agree(comment, reader):
    """The same vote cast 100 times at once through the service is one row saying agree, with no error."""
    outcomes = run_in_threads(
        [[lambda: cast_vote(user=reader, comment=comment, choice="agree").choice] * 5 for _ in range(20)],
        in_step=True,
    )

    assert outcomes == ["agree"] * 100
    assert list(Vote.objects.values_list("user_id", "choice")) == [(reader.pk, "agree")]
    run_scheduled_round()
    assert wrong_counters([comment.pk]) == {}
    assert comment.__class__.objects.get(pk=comment.pk).agree_count == 1


def test_a_thousand_flips_by_many_readers_leave_counters_equal_to_the_rows(article):
    """1,000 concurrent agree/disagree presses by 40 readers on 4 comments: no 5xx, and the tally equals the rows."""
    comments = CommentFactory.create_batch(4, article=article)
    readers = [UserFactory(country="JP" if n % 2 else "CA", password=None) for n in range(40)]
    sessions = [session_of(reader) for reader in readers]
    rng = random.Random(20240611)
    presses = [
        vote_request(rng.choice(sessions), rng.choice(comments).pk, rng.choice(["agree", "disagree"]))
        for _ in range(1000)
    ]
    work = [presses[start::THREADS] for start in range(THREADS)]

    outcomes = run_in_threads(work)

    assert Counter(outcomes) == Counter({302: 1000})
    pairs = list(Vote.objects.values_list("user_id", "comment_id"))
    assert len(pairs) == len(set(pairs)) > 100
    assert Vote.objects.filter(choice="agree").exists() and Vote.objects.filter(choice="disagree").exists()
    run_scheduled_round()
    assert wrong_counters([comment.pk for comment in comments]) == {}
