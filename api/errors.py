"""One error shape for the whole API, and the schema entries that document it.

- 400: field errors, ``{"field": ["message", ...], ...}``; errors about the request as a whole
  (malformed JSON, a body that is not an object) come under ``"non_field_errors"``.
- every other 4xx: ``{"detail": "message"}`` (401 with ``WWW-Authenticate``, 429 with ``Retry-After``);
  a refusal an app can act on adds ``"code"`` (403: ``email_unverified``, ``incorrect_code``,
  ``csrf_failed`` for a session's request whose CSRF token is stale or missing, and the codes of
  the refusal rules in forum.services and votes.services such as ``section_closed``; 400
  ``disposable_email``).
- 503 when the database or the broker is unreachable: ``{"detail": "message"}`` with ``Retry-After``.
"""

import math

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiResponse
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, Throttled, ValidationError
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from infra.outages import dependency_of, outage_detail, retry_after_seconds, tracker
from infra.rate_limits import too_many_requests_text

from .authentication import CSRF_FAILED, CsrfFailed
from .base import RequestBodyTooLarge

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY

# DRF's messages that its own Japanese catalogue leaves in English, for those the forum's API can
# answer: repeated here so that `make messages` puts them in the project's catalogue, which comes
# before DRF's (LOCALE_PATHS). Nothing reads this tuple.
DRF_MESSAGES_WITHOUT_JAPANESE = (
    gettext_lazy("Not a valid string."),
    gettext_lazy("Invalid input."),
    gettext_lazy("Must be a valid boolean."),
    gettext_lazy("A valid biginteger is required."),
    gettext_lazy("Datetime value out of range."),
    gettext_lazy("Surrogate characters are not allowed: U+{code_point:X}."),
    gettext_lazy("This dictionary may not be empty."),
    gettext_lazy("Ensure this field has at least {min_length} elements."),
    gettext_lazy("Ensure this field has no more than {max_length} elements."),
)


class DependencyUnavailable(APIException):
    """A dependency is down: "try again shortly", not "our bug". DRF sends ``wait`` as Retry-After."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "unavailable"

    def __init__(self, detail: str, wait: int):
        super().__init__(detail)
        self.wait = wait


class RefusedInput(ValidationError):
    """400 with the usual field errors plus a ``"code"`` an app can act on (``disposable_email``)."""

    def __init__(self, detail, *, app_code: str):
        super().__init__(detail)
        self.app_code = app_code


class TooManyRequests(APIException):
    """429 worded as one sentence of ours. DRF's Throttled glues an English-only tail ("Expected
    available in 46 seconds.") to its translated detail; DRF sends ``wait`` as Retry-After."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "throttled"

    def __init__(self, wait: int):
        super().__init__(too_many_requests_text(wait))
        self.wait = wait


def api_exception_handler(exc, context):
    # A refusal that names a code an app can act on (e.g. "email_unverified", see
    # accounts.services.Refusal) keeps it: the body is {"detail": ..., "code": ...}.
    code = getattr(exc.args[0], "code", None) if isinstance(exc, DjangoPermissionDenied) and exc.args else None
    if isinstance(exc, CsrfFailed):
        code = CSRF_FAILED
    elif code:
        exc = PermissionDenied(str(exc.args[0]), code=code)
    code = code or getattr(exc, "app_code", None)
    if isinstance(exc, Throttled) and exc.wait is not None:
        exc = TooManyRequests(max(1, math.ceil(exc.wait)))
    elif isinstance(exc, DjangoValidationError):
        exc = ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        # get_object_or_404's message names the model; a client needs no more than this.
        exc = NotFound()
    elif isinstance(exc, RequestDataTooBig):
        # Django's own limit (DATA_UPLOAD_MAX_MEMORY_SIZE) trips before our parser sees the body.
        exc = RequestBodyTooLarge()
    elif (dependency := dependency_of(exc)) is not None:
        tracker.failed(dependency, exc)
        exc = DependencyUnavailable(outage_detail(context["request"].method), retry_after_seconds())
    response = exception_handler(exc, context)
    if response is None:
        return None
    if response.status_code == status.HTTP_400_BAD_REQUEST:
        response.data = _field_errors(response.data)
    elif not (isinstance(response.data, dict) and set(response.data) == {"detail"}):
        response.data = {"detail": _first_message(response.data)}
    if code:
        response.data["code"] = code
    return response


def _field_errors(data) -> dict[str, list[str]]:
    # {"detail": message} is an error about the whole request (a ParseError); a field that is
    # itself named "detail" (a report's detail) comes as a list of messages and stays a field.
    if isinstance(data, dict) and set(data) == {"detail"} and not isinstance(data["detail"], list):
        return {NON_FIELD: [str(data["detail"])]}
    if isinstance(data, list):
        return {NON_FIELD: [str(message) for message in data]}
    return {str(key): _messages(value) for key, value in data.items()}


def _messages(value) -> list[str]:
    """A field's messages as a flat list of strings (nested errors are flattened, not lost)."""
    if isinstance(value, dict):
        return [message for item in value.values() for message in _messages(item)]
    if isinstance(value, list):
        return [message for item in value for message in _messages(item)]
    return [str(value)]


def _first_message(data) -> str:
    messages = _messages(data)
    return messages[0] if messages else ""


@csrf_exempt  # nothing here to protect, and a CSRF refusal would answer HTML, not the 404
def api_not_found(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    """Any path under /api/ that names nothing: the same JSON 404 as the views give."""
    return JsonResponse({"detail": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)


# --- Schema ---------------------------------------------------------------------------------------

FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": 'Messages per input field; errors about the request as a whole are under "non_field_errors".',
    "properties": {
        "code": {
            "type": "string",
            "description": "On some refusals, what an app can act on: `disposable_email` (the e-mail address is "
            "at a domain of throwaway mailboxes; ask for another address).",
        }
    },
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}
DETAIL_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "code": {
            "type": "string",
            "description": "On refusals (403), what an app can act on: `email_unverified` (verify the "
            "e-mail address; POST /api/v1/me/email/resend/ sends the link again); `csrf_failed` (a request "
            "signed in with the site's session cookie carried no valid CSRF token: take a fresh one and retry); "
            "`incorrect_code` (the two-factor code is not right: ask for it again); `sign_in`, "
            "`discussion_closed`, `section_closed`, `own_comment`, `not_author`, `edit_window_passed`, "
            "`not_open_for_votes`, `comment_deleted` (a comment deleted while it had replies takes no votes, "
            "edits, reports or replies), `not_answerable`.",
        },
    },
    "required": ["detail"],
}

_DESCRIPTIONS = {
    400: "The input is invalid; the body says which field and why.",
    401: "Not signed in, or the token is invalid.",
    403: "Signed in, but this is not allowed; the detail says why.",
    404: "No such resource (or not visible), or an invalid cursor.",
    409: "Conflicts with existing data.",
    413: "The request body is too large.",
    414: "The request line (path and query string) is too long; answered by the server before the API.",
    415: "The request body must be JSON (Content-Type: application/json).",
    429: "Too many requests; retry after the number of seconds in the Retry-After header.",
    431: "A request header is too long, or there are too many; answered by the server before the API.",
    503: "The database or the queue is briefly unreachable; retry after the number of seconds in the "
    "Retry-After header. Repeating a PUT or DELETE is safe.",
}


def error_responses(*codes: int, **descriptions: str) -> dict[int, OpenApiResponse]:
    """Schema entries for the error statuses an operation can answer; ``descriptions`` overrides
    the generic wording per code (``d403="..."``)."""
    responses = {}
    for code in codes:
        description = descriptions.get(f"d{code}", _DESCRIPTIONS[code])
        schema = FIELD_ERRORS_SCHEMA if code == status.HTTP_400_BAD_REQUEST else DETAIL_SCHEMA
        responses[code] = OpenApiResponse(response=schema, description=description)
    return responses


# Every operation that reads a JSON body can answer these besides its own errors.
BODY_ERRORS = (400, 413, 415)


# Answered for every operation, whatever its own errors: 503 by the API when a dependency is down
# (JSON, with Retry-After); 414 and 431 by gunicorn before the request reaches Django, with its own
# short HTML page (its limits are set in gunicorn.conf.py: limit_request_line, limit_request_fields,
# limit_request_field_size).
RETRY_AFTER_HEADER = {
    "Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "integer"}},
}
SERVER_ERRORS = {
    "414": {"description": _DESCRIPTIONS[414], "content": {"text/html": {"schema": {"type": "string"}}}},
    "431": {"description": _DESCRIPTIONS[431], "content": {"text/html": {"schema": {"type": "string"}}}},
    "503": {
        "description": _DESCRIPTIONS[503],
        "headers": RETRY_AFTER_HEADER,
        "content": {"application/json": {"schema": DETAIL_SCHEMA}},
    },
}


def add_server_errors(result, generator, request, public):
    """drf-spectacular postprocessing hook: document SERVER_ERRORS on every operation."""
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method in {"get", "put", "post", "patch", "delete"}:
                for code, response in SERVER_ERRORS.items():
                    operation.setdefault("responses", {}).setdefault(code, response)
    return result
