"""Validators for what a reader chooses: their password and their display name."""

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .text import control_characters, has_visible_text


class NotOnlyWhitespacePasswordValidator:
    """A password of spaces (or tabs, or other white space) passes the length check but is
    guessed at once; the form keeps passwords unstripped, so it must be refused here."""

    def validate(self, password: str, user=None) -> None:
        if not password.strip():
            raise ValidationError(_("Your password cannot be only white space."), code="password_only_whitespace")

    def get_help_text(self) -> str:
        return _("Your password cannot be only white space.")


@deconstructible
class DisplayNameValidator:
    """A display name signs comments: it must show something, and it may not hold control or
    format characters (bidi overrides and isolates reorder the byline around them, zero-width
    characters hide in it), so what readers see is what the reader typed."""

    message = gettext_lazy("A display name cannot contain invisible or text-direction characters (found: %(chars)s).")
    blank_message = gettext_lazy("Your display name must contain a visible character, or leave it empty.")

    def __call__(self, value: str) -> None:
        if not value:
            return  # empty: comments are signed with the username
        found = control_characters(value)
        if found:
            raise ValidationError(self.message, code="control_characters", params={"chars": ", ".join(found)})
        if not has_visible_text(value):
            raise ValidationError(self.blank_message, code="blank")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DisplayNameValidator)
