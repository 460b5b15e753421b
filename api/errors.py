"""One error shape for the whole API, and the schema entries that document it.

- 400: field errors, ``{"field": ["message", ...], ...}``; errors about the request as a whole
  (malformed JSON, a body that is not an object) come under ``"non_field_errors"``.
- every other 4xx: ``{"detail": "message"}`` (401 with ``WWW-Authenticate``, 429 with ``Retry-After``).
"""

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiResponse
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from .base import RequestBodyTooLarge

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY


def api_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        # get_object_or_404's message names the model; a client needs no more than this.
        exc = NotFound()
    elif isinstance(exc, RequestDataTooBig):
        # Django's own limit (DATA_UPLOAD_MAX_MEMORY_SIZE) trips before our parser sees the body.
        exc = RequestBodyTooLarge()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if response.status_code == status.HTTP_400_BAD_REQUEST:
        response.data = _field_errors(response.data)
    elif not (isinstance(response.data, dict) and set(response.data) == {"detail"}):
        response.data = {"detail": _first_message(response.data)}
    return response


def _field_errors(data) -> dict[str, list[str]]:
    if isinstance(data, dict) and set(data) == {"detail"}:
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
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}
DETAIL_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}

_DESCRIPTIONS = {
    400: "The input is invalid; the body says which field and why.",
    401: "Not signed in, or the token is invalid.",
    403: "Signed in, but this is not allowed; the detail says why.",
    404: "No such resource (or not visible), or an invalid cursor.",
    409: "Conflicts with existing data.",
    413: "The request body is too large.",
    415: "The request body must be JSON (Content-Type: application/json).",
    429: "Too many requests; retry after the number of seconds in the Retry-After header.",
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
