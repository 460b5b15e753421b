"""What the benchmark reads from PostgreSQL and Redis: the bench database's life cycle, the seed
data, counter writes on the hot comment, quiescence of the tally, and drift.

Imported after django.setup() with the benchmark's environment (its own database and Redis db).
"""

import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.utils import timezone

from accounts.models import User
from forum.models import COUNTER_FIELDS, Article, Comment, Section
from infra.redis_clients import forum_redis
from votes.counting import Counters, counters_from_votes, tally_comments
from votes.models import ReconciliationWatermark, Vote


def recreate_database(*, admin_url: str, name: str) -> None:
    """Drop and create the bench database (it is the benchmark's alone)."""
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def drop_database(*, admin_url: str, name: str) -> None:
    connection.close()
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Seed:
    article: Article
    spread_comment_ids: list[int]
    probe_comment_ids: list[int]
    hot_comment_id: int
    baseline_hot_comment_id: int
    voters: list[User]
    probers: list[User]


def seed(*, voters: int, probers: int, spread_comments: int) -> Seed:
    """One article; comments by one author; readers half in Japan, half elsewhere. Passwords are
    unusable (nobody signs in: sessions and tokens are made here), so no hashing cost."""
    author = User.objects.create(username="bench-author", country="GB", password="!", email_verified=True)
    readers = User.objects.bulk_create(
        [
            User(username=f"bench-voter-{i}", country="JP" if i % 2 else "US", password="!", email_verified=True)
            for i in range(voters + probers + 1)
        ]
    )
    article = Article.objects.create(
        title="Benchmark article",
        slug="benchmark",
        dateline=timezone.localdate(),
        body="Votes.",
        status=Article.Status.PUBLISHED,
    )
    comments = Comment.objects.bulk_create(
        [
            Comment(article=article, author=author, section=Section.WORLD, signed=True, body=f"Comment {i}.")
            for i in range(spread_comments + probers + 2)
        ]
    )
    ids = [comment.pk for comment in comments]
    hot_comment_id, baseline_hot_comment_id = ids.pop(), ids.pop()
    # A tally round counts its dirty comments in id order: the probes' comments are spread evenly
    # through the ids so that their lag is a fair sample of where a comment sits in a round.
    step = len(ids) // probers
    probe_ids = [ids[step // 2 + i * step] for i in range(probers)]
    return Seed(
        article=article,
        spread_comment_ids=[pk for pk in ids if pk not in probe_ids],
        probe_comment_ids=probe_ids,
        hot_comment_id=hot_comment_id,
        baseline_hot_comment_id=baseline_hot_comment_id,
        voters=readers[:voters],
        probers=readers[voters:],
    )


def session_headers(user: User) -> dict[str, str]:
    """A signed-in browser's headers: a session as django.contrib.auth.login stores it, and a CSRF
    cookie with the same (unmasked) secret in the header, which CsrfViewMiddleware accepts."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "accounts.backends.UsernameBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    csrf = secrets.token_hex(16)  # 32 characters, the length of a CSRF secret
    return {
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}; {settings.CSRF_COOKIE_NAME}={csrf}",
        "X-CSRFToken": csrf,
        "Accept": "application/json",
    }


def token_headers(user: User) -> dict[str, str]:
    from rest_framework.authtoken.models import Token

    token, _ = Token.objects.get_or_create(user=user)
    return {"Authorization": f"Token {token.key}", "Accept": "application/json"}


def api_vote_route_exists() -> bool:
    from django.urls import Resolver404, resolve

    try:
        resolve("/api/v1/comments/1/vote/")
    except Resolver404:
        return False
    return True


# --- Counter writes -----------------------------------------------------------------------------
# A row trigger logs every UPDATE of the hot comment's row, synchronously in the writing
# transaction: exact, per row, and unaffected by when backends flush their statistics (the
# pg_stat_user_tables.n_tup_upd counter is per table and is flushed by each backend on its own
# schedule, up to ~10 s late for an idle one). Rows are only ever appended, so the log adds no
# lock of its own; it is installed only for the coalesced phase, where writes are a few a second.

WRITE_LOG_SQL = """
CREATE TABLE IF NOT EXISTS bench_comment_write (comment_id bigint NOT NULL, at timestamptz NOT NULL);
CREATE OR REPLACE FUNCTION bench_log_comment_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO bench_comment_write VALUES (NEW.id, clock_timestamp());
    RETURN NULL;
END $$;
"""


def start_counting_writes(comment_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(WRITE_LOG_SQL)
        cursor.execute("DROP TRIGGER IF EXISTS bench_count_writes ON forum_comment")
        cursor.execute(
            "CREATE TRIGGER bench_count_writes AFTER UPDATE ON forum_comment FOR EACH ROW "
            f"WHEN (NEW.id = {int(comment_id)}) EXECUTE FUNCTION bench_log_comment_write()"
        )


def stop_counting_writes(comment_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER IF EXISTS bench_count_writes ON forum_comment")
        cursor.execute("SELECT count(*) FROM bench_comment_write WHERE comment_id = %s", [comment_id])
        return cursor.fetchone()[0]


# --- Quiescence and drift -----------------------------------------------------------------------


def tally_is_idle() -> bool:
    """Nothing marked dirty, no tally round scheduled, no tally task queued."""
    client = forum_redis()
    prefix = settings.TALLY_KEY_PREFIX
    with client.pipeline(transaction=False) as pipe:
        pipe.scard(f"{prefix}:dirty")
        pipe.exists(f"{prefix}:scheduled")
        pipe.llen(settings.CELERY_QUEUE_NAMES["tallies"])
        dirty, scheduled, queued = pipe.execute()
    return not dirty and not scheduled and not queued


def wait_for_tally(comment_ids: list[int], *, timeout: float = 20) -> float:
    """Wait until the tally is idle and the given comments' counters match their votes; returns the
    seconds waited (or raises after timeout)."""
    started = time.monotonic()
    while True:
        if tally_is_idle() and not drifted_comments(comment_ids):
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise RuntimeError(f"the tally did not settle within {timeout}s")
        time.sleep(0.05)


def wait_for_reconciliation(after: datetime, *, timeout: float) -> float | None:
    """Wait until a reconciliation that started after ``after`` has finished (its watermark);
    returns the seconds waited, or None if none finished within the timeout."""
    started = time.monotonic()
    while True:
        until = ReconciliationWatermark.objects.filter(pk=1).values_list("reconciled_until", flat=True).first()
        if until is not None and until > after:
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            return None
        time.sleep(0.2)


# Counts every comment's votes by choice and region in SQL, independently of the tally's code
# (votes.models.COUNTED: a choice, and not voided by a moderator).
DRIFT_SQL = """
WITH fresh AS (
    SELECT c.id,
        count(v.id) FILTER (WHERE v.choice = 'agree' AND v.region = 'japan') AS aj,
        count(v.id) FILTER (WHERE v.choice = 'agree' AND v.region = 'world') AS aw,
        count(v.id) FILTER (WHERE v.choice = 'disagree' AND v.region = 'japan') AS dj,
        count(v.id) FILTER (WHERE v.choice = 'disagree' AND v.region = 'world') AS dw
    FROM forum_comment c LEFT JOIN votes_vote v ON v.comment_id = c.id AND v.voided_at IS NULL
    {where}
    GROUP BY c.id
)
SELECT c.id FROM forum_comment c JOIN fresh f ON f.id = c.id
WHERE (c.agree_japan_count, c.agree_world_count, c.disagree_japan_count, c.disagree_world_count,
       c.agree_count, c.disagree_count)
   IS DISTINCT FROM (f.aj, f.aw, f.dj, f.dw, f.aj + f.aw, f.dj + f.dw)
ORDER BY c.id
"""


def drifted_comments(comment_ids: list[int] | None = None) -> list[int]:
    """Ids of comments whose six stored counts differ from a fresh count of their vote rows."""
    with connection.cursor() as cursor:
        if comment_ids is None:
            cursor.execute(DRIFT_SQL.format(where=""))
        else:
            cursor.execute(DRIFT_SQL.format(where="WHERE c.id = ANY(%s)"), [list(comment_ids)])
        return [row[0] for row in cursor.fetchall()]


def comments_with_stale_scores() -> int:
    """Comments whose stored counters or sort scores differ from counters_from_votes (the tally's
    own computation): the scores are derived too, and must follow the counts."""
    wrong = 0
    for comment in Comment.objects.only(*COUNTER_FIELDS).iterator(chunk_size=2000):
        wrong += Counters.stored_on(comment) != counters_from_votes([comment.pk])[comment.pk]
    return wrong


def comment_count() -> int:
    return Comment.objects.count()


def vote_rows() -> int:
    return Vote.objects.count()


def reset_forum_redis() -> None:
    """The bench's Redis database is its own: start with no marks and no queued tasks."""
    forum_redis().flushdb()


# --- The article page's seed (bench/page.py) ----------------------------------------------------
PAGE_SLUG = "bench-page"
PER_SECTION = 100  # forum.selectors.COMMENTS_PER_PAGE: 200 comments shown


@dataclass
class PageSeed:
    path: str
    reader_id: int
    reader_headers: dict[str, str]


def seed_page(*, per_section: int = PER_SECTION, extra: int = 20, replies: int = 0) -> PageSeed:
    """An article with two full sections (and a few comments more, so both have a second page); a
    reader in Japan who wrote three comments in each section and voted on a tenth of the rest.
    With ``replies``: that many replies spread evenly over the threads of the comments the first
    pages show (2,000 over 200 threads: 10 each, 3 shown and "7 more replies"), under its own slug."""
    who = "page-threads" if replies else "page"  # two seeds, one database
    article = Article.objects.create(
        title="Page benchmark" + (" with threads" if replies else ""),
        slug=f"{PAGE_SLUG}-threads" if replies else PAGE_SLUG,
        dateline=timezone.localdate(),
        body="A long-running story.\n\n" * 20,
        status=Article.Status.PUBLISHED,
    )
    authors = User.objects.bulk_create(
        [
            User(username=f"{who}-author-{i}", country="JP" if i % 2 else "FR", password="!", email_verified=True)
            for i in range(20)
        ]
    )
    reader = User.objects.create(username=f"{who}-reader", country="JP", password="!", email_verified=True)
    comments = []
    for section in (Section.JAPAN, Section.WORLD):
        for i in range(per_section + extra):
            author = reader if i in (3, 40, 77) else authors[i % len(authors)]
            body = f"Comment {i} in {section}: a few sentences of an opinion,\nwith a second line."
            comments.append(
                Comment(article=article, author=author, section=section, signed=section.signs_comments, body=body)
            )
    comments = Comment.objects.bulk_create(comments)
    votes = Vote.objects.bulk_create(
        [
            Vote(
                user=reader,
                comment=comment,
                choice="agree" if n % 20 else "disagree",
                region=reader.region,
                updated_at=timezone.now(),
            )
            for n, comment in enumerate(comments)
            if comment.author_id != reader.pk and n % 10 == 0
        ]
    )
    # Counted like any vote: left untallied, these comments were the "drift" the vote phases
    # reported with the reconciliation off, and the corrections it logged with it on.
    tally_comments(comment_ids=[vote.comment_id for vote in votes])
    # The replies come after the reader's votes, which stay on top-level comments as on the page
    # without threads: the two signed-in figures differ by the threads alone.
    if replies:
        # The newest sort (the page's default) shows each section's last ``per_section``.
        shown = [c for c in comments if int(c.body.split()[1]) >= extra]
        later = timezone.now()
        Comment.objects.bulk_create(
            Comment(
                article=article,
                author=(author := authors[(n + 1) % len(authors)]),
                section=parent.section,
                signed=author.country != "JP",
                body=f"Reply {n} in the thread: an answer,\nwith a second line.",
                parent=parent,
                reply_to=parent,
                created_at=later + timedelta(milliseconds=n),
            )
            for n in range(replies)
            for parent in [shown[n % len(shown)]]
        )
    # A browser's headers: the session and CSRF cookies, not the JSON Accept the vote phases send.
    headers = {key: value for key, value in session_headers(reader).items() if key == "Cookie"}
    return PageSeed(path=article.get_absolute_url(), reader_id=reader.pk, reader_headers=headers)
