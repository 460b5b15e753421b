"""Sign-in by username, the same way on the site and through the API."""

from django.contrib.auth.backends import ModelBackend
from django.db.models import Value
from django.db.models.functions import Lower

from .models import User


def user_by_username(username: str) -> User | None:
    """The account a typed username names: NFKC-normalised and matched without regard to case
    (the database holds at most one, see User.Meta.constraints; the lookup uses that index)."""
    normalized = User.normalize_username(username)
    return User.objects.alias(username_lower=Lower("username")).filter(username_lower=Lower(Value(normalized))).first()


class UsernameBackend(ModelBackend):
    """Django's ModelBackend, except that "Hanako", "HANAKO" and full-width "ｈａｎａｋｏ" all
    sign in as hanako, like the uniqueness rule that makes them one reader."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        user = user_by_username(username)
        if user is None:
            # Hash anyway, so that an unknown username takes as long as a wrong password.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def lockout_username(request, credentials: dict | None) -> str | None:
    """AXES_USERNAME_CALLABLE: the sign-in lock-out counts failures per reader, not per spelling,
    so "Hanako" and "HANAKO" share one count (as they share one account)."""
    username = (credentials or {}).get(User.USERNAME_FIELD) or (credentials or {}).get("username")
    return User.normalize_username(username).lower() if username else None
