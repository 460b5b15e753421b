from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from forum.demo import load_demo
from infra.rate_limits import duration_text


def new_account_wait_text() -> str:
    """The console's word on the new-account wait (accounts.services.taking_part_refusal), so a
    newcomer who signs up to try the demo knows why their first comment waits, and how long."""
    seconds = settings.NEW_ACCOUNT_WAIT_SECONDS
    if seconds <= 0:
        return "New accounts can vote and comment at once (FORUM_NEW_ACCOUNT_WAIT_SECONDS=0)."
    with translation.override("en"):  # the console speaks English, whatever LANGUAGE_CODE is
        duration = duration_text(seconds)
    return (
        f"New accounts can vote and comment {duration} after signing up "
        f"(FORUM_NEW_ACCOUNT_WAIT_SECONDS={seconds}); the moderator can at once."
    )


class Command(BaseCommand):
    help = "Load the demo article and its comments. Safe to run again: it creates nothing new."

    def handle(self, *args, **options) -> None:
        result = load_demo()
        self.stdout.write(
            self.style.SUCCESS(f"Demo article “{result.article.title}”: {result.created_comments} comments added.")
        )
        self.stdout.write(new_account_wait_text())
