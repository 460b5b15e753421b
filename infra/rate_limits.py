"""Rate limits for the site and the API alike: the scopes, their rates and the counting.

Both faces of the forum go through this module, so a limit is the same whether a reader posts
from the page or from the app: the API's throttles (api/throttles.py) and the pages'
``rate_limited`` decorator are thin adapters over ``check``. The rates are
``settings.RATE_LIMITS`` ("<n>/<s|m|h|d>", or None for no limit), set from the environment.

The counters live in Redis when the forum has one (FORUM_REDIS_URL), so every web process shares
them, at one round trip per request whatever its limits; on the embedded default they live in one
SQLite file under var/ (RATE_LIMIT_COUNTS_FILE) that every process of the machine shares
(infra/machine_counts.py): a count per process let each of three web processes take a reader's
full limit.
A limit whose store cannot be reached lets the request through: a vote must not fail because
the rate limiter is down.
"""

import hashlib
import logging
import math
import sqlite3
import time
from collections.abc import Callable, Iterable
from functools import wraps

import redis
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import machine_counts
from .outages import REDIS, dependency_of, tracker
from .redis_clients import forum_redis

logger = logging.getLogger(__name__)

# Each scope counts per reader (signed-in requests only), per client address (every request), per
# e-mail address the request sends mail to (requests that name one), or per account the request
# acts on, signed in or not (a two-factor code typed for it).
PER_READER, PER_ADDRESS, PER_EMAIL, PER_ACCOUNT = "reader", "address", "email", "account"
SCOPES = {
    "comment_user": PER_READER,  # comments posted by one reader
    "comment_anon": PER_ADDRESS,  # comments posted from one address
    "vote_user": PER_READER,  # votes cast or taken back by one reader
    "vote_anon": PER_ADDRESS,  # votes from one address
    "auth_anon": PER_ADDRESS,  # sign-ins and sign-ups from one address (guessing passwords)
    "signup_anon": PER_ADDRESS,  # accounts created from one address (minting voters)
    "report_user": PER_READER,  # comments reported by one reader
    "report_anon": PER_ADDRESS,  # reports from one address
    "account_mail_anon": PER_ADDRESS,  # verification and reset mails asked for from one address
    "account_mail_user": PER_READER,  # verification mails one reader asked for
    "account_mail_email": PER_EMAIL,  # verification and reset mails sent to one e-mail address
    "two_factor_anon": PER_ADDRESS,  # two-factor codes typed from one address
    "two_factor_account": PER_ACCOUNT,  # two-factor codes typed for one account (guessing its codes)
}
COMMENT = ("comment_user", "comment_anon")
VOTE = ("vote_user", "vote_anon")
SIGN_IN = ("auth_anon",)
SIGN_UP = ("auth_anon", "signup_anon")
REPORT = ("report_user", "report_anon")
ACCOUNT_MAIL = ("account_mail_anon", "account_mail_user", "account_mail_email")
TWO_FACTOR = ("two_factor_anon", "two_factor_account")

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str | None) -> tuple[int, int] | None:
    """ "10/min" -> (10, 60): requests allowed per window of so many seconds; None for no limit."""
    if not rate:
        return None
    count, period = rate.split("/")
    return int(count), PERIODS[period.strip()[0]]


def client_address(request) -> str:
    """The client's address: the socket's, or with API_NUM_PROXIES proxies in front, the one
    the outermost trusted proxy saw (a client cannot pick its own by sending X-Forwarded-For)."""
    remote_addr = request.META.get("REMOTE_ADDR", "")
    num_proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES") or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if num_proxies == 0 or not forwarded:
        return remote_addr
    addresses = forwarded.split(",")
    return addresses[-min(num_proxies, len(addresses))].strip()


def count_in_window(key: str, window_seconds: int) -> int:
    """Count one more request under ``key`` (which names the window) and return the count."""
    return count_in_windows([(key, window_seconds)])[0]


def count_in_windows(windows: list[tuple[str, int]]) -> list[int]:
    """Count one more request under each (key, window seconds) and return the counts, in one
    Redis round trip for all of them (a vote counts in two scopes)."""
    client = forum_redis()
    if client is None:  # the embedded default: one machine, one file its processes share
        return machine_counts.count(windows)
    # One round trip: each count and, for a window's first request, its expiry.
    with client.pipeline(transaction=False) as pipe:
        for key, window_seconds in windows:
            pipe.incr(f"{settings.TALLY_KEY_PREFIX}:throttle:{key}")
            pipe.expire(f"{settings.TALLY_KEY_PREFIX}:throttle:{key}", window_seconds + 1, nx=True)
        replies = pipe.execute()
    return replies[::2]


# Locks that outlast a count (a device token locked after repeated failures): the key holds when
# the lock ends, and expires then. Same store as the counts (Redis, or the embedded default's
# shared file), so every web process sees a lock; a store that cannot be reached keeps no lock,
# as ``check`` applies no limit.


def _stored_key(key: str) -> str:
    return f"{settings.TALLY_KEY_PREFIX}:throttle:{key}"


def add_failure(key: str, window_seconds: int) -> int:
    """One more failure under ``key``, in a window that starts with the first; the count so far."""
    try:
        return count_in_window(key, window_seconds)
    except (redis.RedisError, OSError, sqlite3.Error) as error:
        logger.warning("Failure count %s not kept, its store failed: %s", key, error)
        return 0


def set_lock(key: str, seconds: int) -> None:
    ends = time.time() + seconds
    try:
        client = forum_redis()
        if client is None:
            machine_counts.set_lock(key, ends)
        else:
            client.set(_stored_key(key), ends, ex=seconds)
    except (redis.RedisError, OSError, sqlite3.Error) as error:
        logger.warning("Lock %s not kept, its store failed: %s", key, error)


def lock_left(key: str) -> int | None:
    """Seconds left of the lock under ``key``, or None if there is none."""
    try:
        client = forum_redis()
        ends = machine_counts.lock_ends(key) if client is None else client.get(_stored_key(key))
    except (redis.RedisError, OSError, sqlite3.Error) as error:
        logger.warning("Lock %s not read, its store failed: %s", key, error)
        return None
    if ends is None:
        return None
    left = math.ceil(float(ends) - time.time())
    return left if left > 0 else None


def check(request, scopes: Iterable[str], *, email: str | None = None, account: int | None = None) -> int | None:
    """Count this request in each scope; return the seconds to wait if one is over its limit.

    A fixed window per scope: one atomic INCR per request, whatever the rate, and one round trip
    for all the scopes. (A sliding log costs as much as the rate allows and loses counts under
    concurrency.) Across a window boundary up to twice the rate can pass, which is fine for
    stopping floods. ``request`` is Django's or DRF's; the reader scopes skip requests not signed
    in, the e-mail scopes skip requests that name no ``email``, and the account scopes requests that
    name no ``account`` (a user's id). Every scope counts the
    request, even when another is already over its limit.
    """
    now = time.time()
    counted: list[tuple[str, int, int, int]] = []  # scope, allowed, window number, window seconds
    keys: list[tuple[str, int]] = []
    for scope in scopes:
        limit = parse_rate(settings.RATE_LIMITS.get(scope))
        if limit is None:
            continue
        if SCOPES[scope] == PER_READER:
            if not request.user.is_authenticated:
                continue
            ident = f"user:{request.user.pk}"
        elif SCOPES[scope] == PER_EMAIL:
            if not email:
                continue
            # A digest: the store keeps no readable addresses.
            ident = "email:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
        elif SCOPES[scope] == PER_ACCOUNT:
            if account is None:
                continue
            ident = f"account:{account}"
        else:
            ident = f"addr:{client_address(request)}"
        allowed, window_seconds = limit
        window = int(now // window_seconds)
        counted.append((scope, allowed, window, window_seconds))
        keys.append((f"{scope}:{ident}:{window}", window_seconds))
    if not keys:
        return None
    try:
        counts = count_in_windows(keys)
    except (redis.RedisError, OSError, sqlite3.Error) as error:
        names = ", ".join(scope for scope, *_ in counted)
        if dependency_of(error) is None:
            logger.warning("Rate limits %s not applied, their store failed: %s", names, error)
        else:  # an outage: logged once as it begins, not once per request
            tracker.failed(REDIS, error)
        return None
    if settings.FORUM_REDIS_URL:
        tracker.ok(REDIS)
    waits = [
        max(1, math.ceil((window + 1) * window_seconds - now))
        for (_scope, allowed, window, window_seconds), count in zip(counted, counts, strict=True)
        if count > allowed
    ]
    return max(waits) if waits else None


def duration_text(seconds: int) -> str:
    """A wait in words a reader understands: "40 seconds", "15 minutes", "2 hours"."""
    if seconds < 60:
        return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    if seconds < 3600:
        minutes = math.ceil(seconds / 60)
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    hours = math.ceil(seconds / 3600)
    return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}


def too_many_requests_text(wait_seconds: int) -> str:
    """The 429's message, one whole sentence in the reader's language, pages and API alike."""
    return _("Too many requests. Please wait %(duration)s and try again.") % {"duration": duration_text(wait_seconds)}


def too_many_requests(request: HttpRequest, *, wait_seconds: int, message: str | None = None) -> HttpResponse:
    """429 with Retry-After: a readable page, or the API's JSON error shape under /api/ (the
    pages' scripts call the API, so a page's address always answers HTML)."""
    message = message or too_many_requests_text(wait_seconds)
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = render(
            request, "rate_limited.html", {"message": message, "wait": duration_text(wait_seconds)}, status=429
        )
    response["Retry-After"] = str(wait_seconds)
    return response


def rate_limited(*scopes: str, methods: tuple[str, ...] = ("POST",)) -> Callable:
    """Apply the scopes' limits to a page's view (its POSTs by default): over a limit, the
    reader gets the 429 page instead of the view."""
    for scope in scopes:
        if scope not in SCOPES:
            raise ValueError(f"unknown rate limit scope {scope!r}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def limited(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method in methods:
                wait_seconds = check(request, scopes)
                if wait_seconds is not None:
                    return too_many_requests(request, wait_seconds=wait_seconds)
            return view(request, *args, **kwargs)

        return limited

    return decorator


# --- Sign-in lock-out (django-axes counts the failures; these are its hooks) ---------------------


def lockout_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def sign_in_locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the page, the admin, the API's token sign-in, and a password asked for
    again (password change, account deletion) all answer 429 with how long the lock lasts.

    accounts.sign_in_limits leaves on the request which lock refused it and for how long
    (``sign_in_lock``, ``sign_in_wait``); a failure that has just reached a limit locks for the
    whole cool-off."""
    seconds = getattr(request, "sign_in_wait", None) or lockout_seconds()
    if getattr(request, "sign_in_lock", None) == "account":
        message = _(
            "Too many failed sign-in attempts for this account from devices it has not signed in on. "
            "Signing in from a new device is locked for %(duration)s; a device where you signed in before "
            "still can."
        ) % {"duration": duration_text(seconds)}
    else:
        message = _(
            "Too many failed sign-in attempts for this account or from your address. "
            "Signing in is locked for %(duration)s."
        ) % {"duration": duration_text(seconds)}
    return too_many_requests(request, wait_seconds=seconds, message=message)
