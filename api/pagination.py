"""Keyset cursor pagination over (sort column, id).

DRF's CursorPagination positions a cursor on the first ordering column only and counts an offset
past the rows that tie with it. Comments tie a lot (every new comment has a best score of 0), and a
new comment that arrives among the tied rows shifts that offset: the next page repeats a comment.
Here the cursor holds the last row's sort value *and* its id, and the next page is the rows strictly
after that pair in the total order that forum.selectors.SORTS defines (each ending in "-id"), so
rows arriving or leaving elsewhere never make a page skip or repeat one.
"""

import base64
import binascii
import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db.models import F, Model, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.utils.urls import replace_query_param

from .base import TextField

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_ID = 2**63 - 1
CURSOR_PARAM = "cursor"


class PageQuery(serializers.Serializer):
    """The query parameters every paginated list takes (subclass to add a list's own)."""

    cursor = TextField(
        required=False, max_length=1000, help_text="Opaque; copy it from the `next` link of the previous page."
    )
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE_SIZE, default=DEFAULT_PAGE_SIZE
    )


def query_values(request: Request) -> dict[str, str]:
    """The query string as a plain dict, so that "?cursor=" is an empty cursor (invalid) rather
    than, as DRF reads form-style input, no cursor at all: the schema says which is which."""
    return request.query_params.dict()


def page_of(item: type[serializers.Serializer], name: str) -> type[serializers.Serializer]:
    """The response envelope of a paginated list, for the schema and for the view."""
    return type(
        name,
        (serializers.Serializer,),
        {
            "next": serializers.URLField(allow_null=True, help_text="The next page, or null on the last one."),
            "results": item(many=True),
        },
    )


@dataclass(frozen=True)
class Page:
    items: list[Model]
    next_url: str | None
    next_cursor: str | None = None  # the token in next_url: what a cache keeps (the URL carries the host)


def after(column: str, value, last_id: int) -> TupleLessThan:
    """Rows strictly after (value, last_id) in ("-column", "-id") order, as one row comparison,
    ``(column, id) < (value, last_id)``: PostgreSQL seeks the sort's index to it (an Index Cond),
    where the equivalent ``column < v OR (column = v AND id < i)`` is a filter applied to every
    row from the top of the section, so that a deep page cost as much as every page before it.
    (Django's tuple lookups, from composite keys; other databases get the OR form.)"""
    return TupleLessThan(Tuple(F(column), F("id")), (value, last_id))


def after_ascending(column: str, value, last_id: int) -> TupleGreaterThan:
    """Rows strictly after (value, last_id) in ("column", "id") order: ``(column, id) > (value, last_id)``."""
    return TupleGreaterThan(Tuple(F(column), F("id")), (value, last_id))


def paginate(*, queryset: QuerySet, ordering: tuple[str, ...], request: Request, cursor: str | None, size: int) -> Page:
    """One page of ``queryset`` in ``ordering``: a descending column then "-id", or an ascending
    column then "id" (a thread, oldest first): one query."""
    descending = ordering[:1] and ordering[0].startswith("-")
    if len(ordering) != 2 or ordering[1] != ("-id" if descending else "id"):
        raise ImproperlyConfigured(f"keyset pagination needs ('-column', '-id') or ('column', 'id'), not {ordering!r}")
    column = ordering[0].removeprefix("-")
    if cursor:
        value, last_id = _decode(cursor, queryset.model, column)
        seek = after if descending else after_ascending
        queryset = queryset.filter(seek(column, value, last_id))
    rows = list(queryset.order_by(*ordering)[: size + 1])
    items = rows[:size]
    token = encode_cursor(column, getattr(items[-1], column), items[-1].pk) if len(rows) > size else None
    return Page(items=items, next_url=next_page_url(request, token), next_cursor=token)


def next_page_url(request: Request, token: str | None) -> str | None:
    return replace_query_param(request.build_absolute_uri(), CURSOR_PARAM, token) if token else None


def encode_cursor(column: str, value, last_id: int) -> str:
    if isinstance(value, datetime):
        value = value.isoformat()
    payload = json.dumps({"c": column, "v": value, "i": last_id}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def _decode(token: str, model: type[Model], column: str):
    """The (value, id) a cursor points after; any cursor we did not make for this sort is a 404."""
    invalid = NotFound(_("Invalid cursor."))
    try:
        payload = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        raw_value, last_id = payload["v"], payload["i"]
        if payload["c"] != column or type(last_id) is not int or not 0 < last_id <= MAX_ID:
            raise invalid
        value = _column_value(model, column, raw_value)
    except (ValueError, TypeError, KeyError, binascii.Error, ValidationError, OverflowError) as error:
        raise invalid from error
    return value, last_id


def _column_value(model: type[Model], column: str, raw):
    field = model._meta.get_field(column)
    if field.get_internal_type() == "DateTimeField":
        if not isinstance(raw, str):
            raise ValueError("not a timestamp")
        value = field.to_python(raw)
        if value is None or timezone.is_naive(value):
            raise ValueError("not an aware timestamp")
        return value.astimezone(UTC)  # OverflowError here, not in the database, for year 1 at +05:00
    if field.get_internal_type() == "FloatField":
        if type(raw) not in (int, float) or not math.isfinite(raw):
            raise ValueError("not a finite number")
        return float(raw)
    if type(raw) is not int or not 0 <= raw <= MAX_ID:
        raise ValueError("not a counter")
    return raw
