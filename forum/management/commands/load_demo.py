from django.core.management.base import BaseCommand

from forum.demo import load_demo


class Command(BaseCommand):
    help = "Load the demo article and its comments. Safe to run again: it creates nothing new."

    def handle(self, *args, **options) -> None:
        result = load_demo()
        self.stdout.write(
            self.style.SUCCESS(f"Demo article “{result.article.title}”: {result.created_comments} comments added.")
        )
