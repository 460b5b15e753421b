import sys

from django.core.management.base import BaseCommand
from tqdm import tqdm

from forum.models import Comment
from votes.counting import recount_all_votes


class Command(BaseCommand):
    help = "Rebuild every comment's agree/disagree counters from the vote rows and report how many were wrong."

    def handle(self, *args, **options) -> None:
        with tqdm(
            total=Comment.objects.count(), unit="comment", file=sys.stderr, disable=options["verbosity"] == 0
        ) as bar:
            summary = recount_all_votes(progress=bar.update)
        self.stdout.write(
            self.style.SUCCESS(
                f"Checked {summary.checked} comments; {summary.wrong} had wrong counters and were fixed."
            )
        )
