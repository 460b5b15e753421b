"""The signed-out comment list's shared copy: one entry per article, section, sort, page size,
cursor and language (its key and ETag: forum.caching.comment_list_key, comment_list_etag), valid
while the article's content version is the one it was made under, served with an ETag and a short
public max-age for the front to keep."""

import json
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from rest_framework.request import Request

from api.pagination import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    next_page_url,
)

from . import selectors
from .models import Section

# How long a shared cache in front (or the browser) may keep a signed-out comment list without
# asking again. Short: the list changes with every tally; after it, the ETag makes asking cheap.
LIST_MAX_AGE_SECONDS = 5
# A signed-in reader's answer differs from the shared one; the language may change messages.
LIST_VARY = ("Authorization", "Cookie", "Accept-Language")


def signed_out(request) -> bool:
    """No token and no session: nobody can be signed in (a session cookie goes the whole way,
    where DRF finds out whose it is)."""
    return "HTTP_AUTHORIZATION" not in request.META and settings.SESSION_COOKIE_NAME not in request.COOKIES


@dataclass(frozen=True)
class CachedList:
    """A signed-out list as cached: valid while its article's content version is still this one."""

    article_id: int
    version: int
    next_cursor: str | None
    results_json: bytes


def response(request, entry: CachedList) -> HttpResponse:
    # The body as DRF would render {"next": ..., "results": ...}; "next" carries this request's host.
    next_json = json.dumps(next_page_url(request, entry.next_cursor)).encode()
    body = b'{"next":' + next_json + b',"results":' + entry.results_json + b"}"
    return HttpResponse(body, content_type="application/json")


def canonical_query(request) -> tuple[str, str, int, str | None] | None:
    """The list's parameters when they are plainly valid (the form the API's own links use), for
    the cached answer; None sends the request the whole way, through CommentListQuery, which
    answers anything else (including its 400s). Only a subset of what it accepts, same meaning."""
    params = request.GET
    section, sort = params.get("section"), params.get("sort", selectors.DEFAULT_SORT)
    size, cursor = params.get("page_size", str(DEFAULT_PAGE_SIZE)), params.get("cursor")
    if section not in Section.values or sort not in selectors.SORTS:
        return None
    if not (size.isascii() and size.isdigit() and size == str(int(size)) and 1 <= int(size) <= MAX_PAGE_SIZE):
        return None
    if cursor is not None and not (0 < len(cursor) <= 1000 and cursor.isascii() and cursor.isprintable()):
        return None
    return section, sort, int(size), cursor


def if_none_match(request: Request) -> set[str]:
    header = request.headers.get("If-None-Match", "")
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def signed_out_headers(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=LIST_MAX_AGE_SECONDS)
    patch_vary_headers(response, LIST_VARY)
    return response
