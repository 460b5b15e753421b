"""The rules for the names readers are seen by (username and display name), on sign-up, the
profile page, the API and the admin (accounts.forms):

- a name may not read as a title of the site's staff ("Official Moderator", "ＡＤＭＩＮ", "運営");
  staff accounts may carry one when a superuser sets it in the admin;
- a name goes through the screens in settings.FORUM_NAME_SCREENS (the banned word list, which
  lives in the moderation app: accounts imports no other app, so they are named in a setting);
- a name may not read the same as another account's username or display name once folded
  (accounts.folding.name_skeleton: "аlice" with a Cyrillic а is "alice").

The rules apply when a name is set or changed: a name already held stays until it is changed.
"""

from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .folding import name_skeleton
from .models import User

# Titles that would make a reader look like the site's staff, matched anywhere in the name once
# folded and stripped of everything but letters ("a.d.m.i.n", "SiteAdmin", "公式_ニュース").
STAFF_TITLES = (
    "admin",
    "moderator",
    "official",
    "staff",
    "editor",
    "webmaster",
    "sysop",
    "運営",
    "管理人",
    "管理者",
    "モデレーター",
    "モデレータ",
    "編集部",
    "編集長",
    "公式",
    "スタッフ",
    "事務局",
    "オフィシャル",
    "アドミン",
)
# Ordinary words and names that contain a title: they do not count as one.
STAFF_TITLE_INNOCENT = (
    "badminton",
    "creditor",
    "stafford",
    "staffan",
    "flagstaff",
    "非公式",
)


def _letters(name: str) -> str:
    return "".join(char for char in name_skeleton(name) if char.isalpha())


@cache
def _folded_titles() -> tuple[tuple[str, ...], tuple[str, ...]]:
    return tuple(_letters(title) for title in STAFF_TITLES), tuple(_letters(word) for word in STAFF_TITLE_INNOCENT)


def reads_as_staff_title(name: str) -> bool:
    titles, innocent = _folded_titles()
    letters = _letters(name)
    for word in innocent:
        letters = letters.replace(word, "\0")
    return any(title in letters for title in titles)


def name_taken_by(*, name: str, user: User | None = None) -> str | None:
    """The username of another account whose username or display name reads the same as ``name``."""
    skeleton = name_skeleton(name)
    if not skeleton:
        return None
    others = User.objects.filter(Q(username_skeleton=skeleton) | Q(display_name_skeleton=skeleton))
    if user is not None and user.pk is not None:
        others = others.exclude(pk=user.pk)
    return others.values_list("username", flat=True).first()


def check_name(
    *, name: str, user: User | None = None, staff_title_allowed: bool = False, is_username: bool = False
) -> None:
    """Raise ValidationError naming what is wrong with ``name`` as a new username (``is_username``)
    or display name of ``user`` (None: an account being created)."""
    if not name:
        return
    if not staff_title_allowed and reads_as_staff_title(name):
        raise ValidationError(
            _("This name reads as a title of the site's staff (such as “moderator” or “運営”); choose another."),
            code="staff_title",
        )
    for path in settings.FORUM_NAME_SCREENS:
        import_string(path)(name)
    taken_by = name_taken_by(name=name, user=user)
    if taken_by is not None and is_username and taken_by.casefold() == name.casefold():
        # The same username but for case: "taken", as the unique constraint says (the API's 409).
        raise ValidationError(_("A user with that username already exists."), code="unique")
    if taken_by is not None:
        raise ValidationError(
            _("Another reader's name looks the same as this one; choose a name that cannot be mistaken for it."),
            code="name_lookalike",
        )
