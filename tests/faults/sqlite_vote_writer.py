"""One writer process of the SQLite fault test (run as ``python -m tests.faults.sqlite_vote_writer``).

It does what a web process and a worker do on the embedded default: casts the reader's votes
through the services and tallies the comments, each in its own IMMEDIATE transaction. It starts
when the test says go, and prints a JSON summary with every error it met instead of stopping.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--user-id", type=int, required=True)
    parser.add_argument("--comment-ids", required=True, help="comma-separated")
    parser.add_argument("--rounds", type=int, required=True)
    parser.add_argument("--sync-dir", type=Path, required=True)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from accounts.models import User
    from forum.models import Comment
    from votes.counting import tally_comment
    from votes.services import cast_vote

    user = User.objects.get(pk=args.user_id)
    comments = list(Comment.objects.filter(pk__in=[int(pk) for pk in args.comment_ids.split(",")]).order_by("pk"))

    (args.sync_dir / f"ready-{args.user_id}").touch()
    deadline = time.monotonic() + 60
    while not (args.sync_dir / "go").exists() and time.monotonic() < deadline:
        time.sleep(0.005)

    votes = tallies = 0
    errors: list[str] = []
    for round_number in range(args.rounds):
        for comment in comments:
            choice = "agree" if (round_number + comment.pk + user.pk) % 2 else "disagree"
            try:
                cast_vote(user=user, comment=comment, choice=choice)
                votes += 1
                tally_comment(comment_id=comment.pk)
                tallies += 1
            except Exception as error:  # every error is the test's finding
                errors.append(f"{type(error).__name__}: {error}")
    print(json.dumps({"user": user.pk, "votes": votes, "tallies": tallies, "errors": errors}))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
