"""One voter process of the embedded-broker stress test (``python -m tests.config.broker_vote_writer``).

It votes as a web process does on the embedded default: each vote through the service, whose
commit publishes a tally task to the filesystem broker. It starts when the test says go and
prints a JSON summary with every error it met instead of stopping.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--user-ids", required=True, help="comma-separated")
    parser.add_argument("--comment-ids", required=True, help="comma-separated")
    parser.add_argument("--votes", type=int, required=True)
    parser.add_argument("--sync-dir", type=Path, required=True)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from accounts.models import User
    from forum.models import Comment
    from votes.services import cast_vote

    users = list(User.objects.filter(pk__in=[int(pk) for pk in args.user_ids.split(",")]).order_by("pk"))
    comments = list(Comment.objects.filter(pk__in=[int(pk) for pk in args.comment_ids.split(",")]).order_by("pk"))
    (args.sync_dir / f"ready-{os.getpid()}").touch()
    deadline = time.monotonic() + 60
    while not (args.sync_dir / "go").exists() and time.monotonic() < deadline:
        time.sleep(0.005)

    errors: list[str] = []
    for n in range(args.votes):
        user = users[n % len(users)]
        comment = comments[(n // len(users)) % len(comments)]
        try:
            cast_vote(user=user, comment=comment, choice="agree" if (n + user.pk) % 3 else "disagree")
        except Exception as error:  # every error is the test's finding
            errors.append(f"{type(error).__name__}: {error}")
    print(json.dumps({"votes": args.votes - len(errors), "errors": errors[:20]}))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
