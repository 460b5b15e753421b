"""API token authentication without a database round trip on the hot path.

A vote is the forum's most frequent write, and DRF's TokenAuthentication reads the token and its
user from the database on every request. ``CachedTokenAuthentication`` keeps, for a short while,
what a vote needs to know about the token's reader (id, name, active, staff, joined, country) in
its own "api_tokens" cache (on the forum Redis, which evicts nothing, so a revocation mark stays
for its whole lifetime; files under var/ without Redis), under a hash of the token's key.

Revocation is honoured at once: every way a token stops working or its reader changes removes
the entry, in the same transaction and again after commit (see ``forget_tokens``):
- a token deleted, one by one or by a queryset (accounts.services.revoke_api_tokens: sign-out
  everywhere, a password change, a deactivation), by an account's deletion (the cascade), or by
  a superuser in the admin (its TokenProxy);
- a reader saved (deactivated, made staff, moved country, a new password set in the admin);
- a reader's standing changed (a sanction imposed or lifted: accounts.services.refresh_standing).
A forgotten entry is replaced by a "revoked" mark for the cache's lifetime, and an entry is only
ever written with ``add``: a request that read the token from the database just before the
revocation cannot write it back after.

Not covered: a reader changed by a bulk ``QuerySet.update()``, which sends no signal; its entry
lives out API_TOKEN_CACHE_SECONDS. The forum never does that.

The user it gives is built from the entry, not loaded: it carries no password and must not be
saved. So only views that read the reader's identity use it (the vote API); every other view
keeps DRF's TokenAuthentication.
"""

import hashlib
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from drf_spectacular.drainage import set_override
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from .models import User

# The user fields an entry keeps: what the vote's rules and rate limits read.
CACHED_FIELDS = (
    "id",
    "username",
    "display_name",
    "country",
    "is_active",
    "is_staff",
    "is_superuser",
    "date_joined",
    # The reader's standing (accounts.services.refresh_standing): taking_part_refusal reads it.
    "suspended_until",
    "is_banned",
    "is_premoderated",
    # Whether the address is verified (voting, commenting, reporting) and which it is (GET /me/).
    "email_verified",
    "email",
)
REVOKED = "revoked"


CACHE_ALIAS = "api_tokens"


def _cache():
    return caches[CACHE_ALIAS]


def cache_key(token_key: str) -> str:
    # A hash: the cache's keys are listed by anyone who can reach Redis; the tokens must not be.
    # "2": entries cached before CACHED_FIELDS held email_verified are never read back.
    return "api-token:2:" + hashlib.sha256(token_key.encode()).hexdigest()


def forget_tokens(token_keys: Iterable[str]) -> None:
    """Make these tokens be read from the database on their next use: at once, and again after the
    transaction commits (a request between the two would otherwise cache what is being revoked)."""
    keys = [cache_key(key) for key in token_keys]
    if not keys:
        return

    def mark() -> None:
        _cache().set_many(dict.fromkeys(keys, REVOKED), settings.API_TOKEN_CACHE_SECONDS)

    mark()
    transaction.on_commit(mark)


def _entry_of(user: User) -> dict:
    entry = {name: getattr(user, name) for name in CACHED_FIELDS}
    entry["country"] = user.country.code or ""  # the code, not django-countries' Country object
    return entry


class CachedTokenAuthentication(TokenAuthentication):
    """TokenAuthentication with the token's reader cached briefly; see the module's docstring."""

    def authenticate_credentials(self, key: str) -> tuple[User, Token]:
        entry = _cache().get(cache_key(key))
        if isinstance(entry, dict):
            user = User(**entry)
            user._state.adding = False  # a stored row, not a new one
            return user, Token(key=key, user=user)
        user, token = super().authenticate_credentials(key)  # raises for an unknown key or an inactive reader
        if entry is None:  # a "revoked" mark stays until it expires; meanwhile the database answers
            _cache().add(cache_key(key), _entry_of(user), settings.API_TOKEN_CACHE_SECONDS)
        return user, token


# To a client it is the same "Token <key>" scheme: the API schema documents it as DRF's tokenAuth
# (drf-spectacular matches subclasses) instead of warning that two classes share the name.
set_override(CachedTokenAuthentication, "suppress_collision_warning", True)
