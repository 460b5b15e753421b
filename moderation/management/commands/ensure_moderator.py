import secrets

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User


class Command(BaseCommand):
    help = (
        "Create the local 'moderator' account (in the Moderators group) if it is missing, and print how "
        "to sign in. For development: its password is generated once into var/moderator-password."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--username", default="moderator")

    def handle(self, *args, username: str, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("This creates a development account; use createsuperuser in production.")
        password_file = settings.VAR_DIR / "moderator-password"
        if not password_file.exists():
            password_file.write_text(secrets.token_urlsafe(12))
            password_file.chmod(0o600)
        password = password_file.read_text().strip()
        user, created = User.objects.get_or_create(
            username=username, defaults={"display_name": "Moderator", "is_staff": True}
        )
        if created or not user.check_password(password):
            user.set_password(password)
            user.is_staff = True
            user.save()
        user.groups.add(Group.objects.get(name="Moderators"))
        self.stdout.write(f"Moderator sign-in: username '{username}', password '{password}' (kept in {password_file})")
