"""What every API view shares: JSON in (bounded, strictly typed), JSON out, whatever the client asks.

The API answers every input with a documented status, so each way a body or a string could reach
the database and fail there (a huge body, nesting deep enough to exhaust the parser's recursion, a
lone surrogate the database cannot encode, a NUL byte) is refused here with a 4xx first.
"""

import codecs
import json

from django.conf import settings
from django.core.validators import RegexValidator
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

# The site's one body limit (config.middleware refuses larger declared bodies before any view);
# the parser enforces it again on what it actually reads.
MAX_BODY_BYTES = settings.MAX_REQUEST_BODY_BYTES

# Enforced on input and stated in the schema (drf-spectacular turns a RegexValidator into a
# "pattern"), so that a client can tell a valid value from an invalid one before sending it.
NO_NUL = RegexValidator(r"\A[^\x00]*\Z", gettext_lazy("The text contains a character that cannot be stored."))
HAS_TEXT = RegexValidator(
    r"\A[^\x00]*[^\s\x00][^\x00]*\Z", gettext_lazy("Write something besides white space."), code="blank"
)


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


class RequestBodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"

    def __init__(self):
        # Worded when raised, in the reader's language (a default_detail is worded at import).
        super().__init__(_("The request body is larger than %(limit)d bytes.") % {"limit": MAX_BODY_BYTES})


class BoundedJSONParser(JSONParser):
    """JSON bodies up to MAX_BODY_BYTES. DRF's own parser reads the stream to its end, unbounded."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        request = parser_context.get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            raise RequestBodyTooLarge()
        raw = stream.read(MAX_BODY_BYTES + 1) if stream is not None else b""
        if len(raw) > MAX_BODY_BYTES:
            raise RequestBodyTooLarge()
        encoding = parser_context.get("encoding") or "utf-8"
        try:
            text = codecs.decode(raw, encoding)
            return json.loads(text, parse_constant=_reject_constant)
        except json.JSONDecodeError as error:
            where = {"line": error.lineno, "column": error.colno}
            raise ParseError(_("The body is not valid JSON (line %(line)d, column %(column)d).") % where) from error
        except (ValueError, LookupError) as error:
            raise ParseError(_("The body is not valid JSON.")) from error
        except RecursionError as error:
            raise ParseError(_("The body is not valid JSON: it is nested too deeply.")) from error


class AlwaysJSON(BaseContentNegotiation):
    """The API speaks JSON only; an Accept header asking for something else still gets JSON
    (a client can always read it), rather than a 406 no operation would document."""

    def select_parser(self, request, parsers):
        for parser in parsers:
            if request.content_type.split(";")[0].strip().lower() == parser.media_type:
                return parser
        return None

    def select_renderer(self, request, renderers, format_suffix=None):
        renderer = renderers[0]
        return renderer, renderer.media_type


def _carries_credentials(request) -> bool:
    return "HTTP_AUTHORIZATION" in request.META or settings.SESSION_COOKIE_NAME in request.COOKIES


class ForumApiView(APIView):
    parser_classes = [BoundedJSONParser]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = AlwaysJSON
    # Whether every answer is the reader's own (their account, export, comments): then no cache
    # may keep it, whoever asks.
    per_reader = False

    def finalize_response(self, request, response, *args, **kwargs):
        """An answer made for a reader (a per-reader view, or any request with a token or a
        session whose view did not say otherwise) is ``private, no-store``, varying on the
        credentials: no shared cache keeps it and no browser stores it to disk."""
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.per_reader or (_carries_credentials(request) and not response.has_header("Cache-Control")):
            patch_cache_control(response, private=True, no_store=True)
            patch_vary_headers(response, ("Authorization", "Cookie"))
        return response


class TextField(serializers.CharField):
    """A string and nothing else: DRF's CharField would turn 12 or true into "12" or "True".

    Also refuses text PostgreSQL cannot store: NUL (DRF's validator) and lone surrogates, which
    JSON can carry (\\ud800) but UTF-8 cannot encode.
    """

    default_error_messages = {
        "not_a_string": gettext_lazy("Not a valid string."),
        "unencodable": gettext_lazy("The text contains a character that cannot be stored."),
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(NO_NUL)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        try:
            data.encode("utf-8")
        except UnicodeEncodeError:
            self.fail("unencodable")
        return super().to_internal_value(data)
