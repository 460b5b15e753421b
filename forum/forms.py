from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .services import clean_comment_body


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        # No maxlength: a browser cuts pasted text at maxlength without a word. The page's script
        # shows a counter (data-max-length) and the service says clearly when the text is too long.
        widget=forms.Textarea(
            attrs={"rows": 4, "data-max-length": settings.COMMENT_MAX_LENGTH, "aria-describedby": "body-counter"}
        ),
        # Length and blankness are checked by the service, with its messages; the form keeps the
        # raw text so a reader who typed too much gets it back to shorten.
        strip=False,
        required=False,
    )

    # The author's word on the language the comment is in (its lang attribute); left on
    # "detect", the text decides (forum.services.comment_language).
    language = forms.ChoiceField(
        label=_("Comment language"),
        choices=[("", _("Detect from the text")), *settings.LANGUAGES],
        required=False,
    )

    def clean_body(self) -> str:
        try:
            return clean_comment_body(self.cleaned_data.get("body", ""))
        except ValidationError as error:
            raise forms.ValidationError(error.messages, code=error.code) from error


class EditCommentForm(CommentForm):
    """Rewording one's own comment: the same text rules as posting it."""


class ReplyForm(CommentForm):
    """A reply in a thread: the same text rules as a comment."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].label = _("Your reply")
        # Not the comment box's: a page may hold both, and the script copies this one under a comment.
        self.fields["body"].widget.attrs["aria-describedby"] = "body-counter"
