"""One article at scale, for the benchmark and for trying the forum under load: an article with
many comments in one section and many votes on them, written set-based by PostgreSQL itself
(INSERT ... SELECT over generate_series), not row by row through the ORM.

The counters are left at zero, as after a bulk import nobody tallied: ``recount_votes`` rebuilds
them (the benchmark times exactly that). Run it again with the same slug and it does nothing.
"""

import math
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.folding import name_skeleton
from accounts.models import User
from forum.models import COUNTER_FIELDS, Article, Comment, Section
from votes.models import Vote

USERS_SQL = """
INSERT INTO {user} (password, is_superuser, username, username_skeleton, display_name_skeleton, first_name,
                    last_name, email, is_staff, is_active, date_joined, display_name, country, is_banned,
                    is_premoderated, email_verified)
SELECT '!', false, %(prefix)s || i, skeletons.skeleton, '', '', '', '', false, true, %(now)s, '',
       CASE WHEN i %% 2 = 0 THEN 'JP' ELSE 'US' END, false, false, true
FROM unnest(%(skeletons)s::text[]) WITH ORDINALITY AS skeletons(skeleton, n), LATERAL (SELECT n - 1 AS i) AS numbered
"""

# Comments a second apart, newest last, by the scale users in turn; all visible, in one section.
COMMENTS_SQL = """
INSERT INTO {comment} (section, signed, body, status, created_at, {counters}, article_id, author_id,
                       edited_by_moderator)
SELECT %(section)s, %(signed)s, 'Comment ' || i || ' at scale.', 'visible',
       %(now)s - (%(comments)s - i) * interval '1 second', {zeros}, %(article)s, u.id, false
FROM generate_series(0, %(comments)s - 1) AS i
JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS idx FROM {user} WHERE username LIKE %(like)s) AS u
  ON u.idx = i %% %(users)s
"""

# Comment n gets floor(V(n+1)/C) - floor(Vn/C) votes (V in all, exactly), from distinct users; the
# mix of agree and disagree varies from comment to comment so that every sort has an order.
VOTES_SQL = """
INSERT INTO {vote} (choice, region, created_at, updated_at, comment_id, user_id)
SELECT CASE WHEN (c.n * 31 + k * 17) %% 10 < c.n %% 7 THEN 'disagree' ELSE 'agree' END,
       CASE WHEN u.idx %% 2 = 0 THEN 'japan' ELSE 'world' END, %(now)s, %(now)s, c.id, u.id
FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM {comment} WHERE article_id = %(article)s) AS c
CROSS JOIN LATERAL generate_series(
    0, (%(votes)s * (c.n + 1)) / %(comments)s - (%(votes)s * c.n) / %(comments)s - 1) AS k
JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS idx FROM {user} WHERE username LIKE %(like)s) AS u
  ON u.idx = (c.n * 13 + k) %% %(users)s
"""


class Command(BaseCommand):
    help = "Create one article with many comments and votes, fast (set-based SQL); counters are left to recount_votes."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--slug", default="scale")
        parser.add_argument("--comments", type=int, default=100_000)
        parser.add_argument("--votes", type=int, default=1_000_000)
        parser.add_argument("--users", type=int, default=1000, help="voters (and comment authors)")

    def handle(self, *args, slug: str, comments: int, votes: int, users: int, **options) -> None:
        if comments < 1 or votes < 0 or users < 1:
            raise CommandError("--comments and --users must be positive, --votes not negative.")
        users = max(users, math.ceil(votes / comments) + 1)  # a comment's voters must all differ
        if Article.objects.filter(slug=slug).exists():
            self.stdout.write(f"Article “{slug}” exists already; nothing created.")
            return
        started = time.monotonic()
        now = timezone.now()
        params = {
            "prefix": f"scale-{slug}-",
            # Usernames must be unique as they read too (accounts.folding), so each gets its skeleton.
            "skeletons": [name_skeleton(f"scale-{slug}-{i}") for i in range(users)],
            "like": f"scale-{slug}-%",
            "now": now,
            "users": users,
            "comments": comments,
            "votes": votes,
            "section": Section.WORLD,
            "signed": Section.WORLD.signs_comments,
        }
        tables = {"user": User._meta.db_table, "comment": Comment._meta.db_table, "vote": Vote._meta.db_table}
        with transaction.atomic(), connection.cursor() as cursor:
            article = Article.objects.create(
                title="An article at scale",
                slug=slug,
                dateline=timezone.localdate(),
                body="Many comments, many votes.",
                status=Article.Status.PUBLISHED,
                published_at=now,
            )
            params["article"] = article.pk
            cursor.execute(USERS_SQL.format(**tables), params)
            counters = ", ".join(COUNTER_FIELDS)
            zeros = ", ".join("0" for _ in COUNTER_FIELDS)
            cursor.execute(COMMENTS_SQL.format(**tables, counters=counters, zeros=zeros), params)
            cursor.execute(VOTES_SQL.format(**tables), params)
            vote_rows = cursor.rowcount
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {tables['comment']}, {tables['vote']}, {tables['user']}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Article “{slug}”: {comments:,} comments and {vote_rows:,} votes from {users:,} readers "
                f"in {time.monotonic() - started:.1f} s; counters not tallied (run recount_votes)."
            )
        )
