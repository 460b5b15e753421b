"""The one settings module. Every knob comes from an environment variable with a safe default.

With no variables set the forum runs on an embedded default that needs only Python: SQLite in WAL
mode and kombu's filesystem transport as the Celery broker, both under ``var/``. With
``DATABASE_URL`` and ``CELERY_BROKER_URL`` it runs on PostgreSQL and Redis, the setup that scales out.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import csp.constants
import dj_database_url
import kombu
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
# Importing this module writes nothing: the folders under VAR_DIR are made at start-up
# (config.apps.SiteConfig.ready) and the development secret key at its first use.
VAR_DIR = Path(os.environ.get("FORUM_VAR_DIR", BASE_DIR / "var")).resolve()


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)


def _development_secret_key() -> str:
    """The key generated into var/ the first time one is needed, then kept. Written to a temporary
    file and linked into place, so processes starting together all end up with the same key."""
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        draft = VAR_DIR / f"secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        draft.write_text(secrets.token_urlsafe(50))
        draft.chmod(0o600)
        try:
            os.link(draft, key_file)
        except FileExistsError:
            pass  # another process's key got there first: use it
        finally:
            draft.unlink()
    return key_file.read_text().strip()


def _secret_key() -> str | SimpleLazyObject:
    """Production refuses to start without a key; development generates one into var/ once."""
    key = os.environ.get("DJANGO_SECRET_KEY")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY: it is required when DJANGO_DEBUG is off.")
    return SimpleLazyObject(_development_secret_key)


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from the project, not a CDN
    "csp",
    "django_countries",
    "config.apps.AxesConfig",  # django-axes, named in the admin's language
    # E-mail addresses, their verification and password reset (accounts.mail wires them in).
    "allauth",
    "allauth.account",
    # Sign-in with LINE, Yahoo! JAPAN ID (OpenID Connect), Google and Apple (accounts/social.py).
    "allauth.socialaccount",
    "allauth.socialaccount.providers.line",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.apple",
    "allauth.mfa",  # two-factor authentication (accounts.two_factor)
    "accounts",
    "forum",
    "votes",
    "moderation",
    "notifications",
    "config.apps.SiteConfig",
]

MIDDLEWARE = [
    # First: refuses an oversized body before anything reads it (see the request body block).
    "config.middleware.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Outermost but for security headers: an outage met by any view answers 503, not 500.
    "config.outages.OutageMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A moderator or superuser without two-factor authentication is sent to set it up before the admin.
    "accounts.two_factor.StaffTwoFactorMiddleware",
    # The reader's time zone (accounts/time_zones.py), once the reader is known.
    "config.middleware.TimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Gives a browser that has just signed in its device cookie (accounts.sign_in_limits).
    "accounts.sign_in_limits.DeviceCookieMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Last: turns a sign-in refused for a lock-out into the 429 page (or JSON under /api/).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # LANGUAGE_CODE for <html lang> and the language switcher in base.html.
                "django.template.context_processors.i18n",
                # The header's bell: a signed-in reader's unread notifications (a cache read).
                "notifications.context_processors.bell",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
# Persistent connections: a DRF list on PostgreSQL served ~250 req/s with CONN_MAX_AGE=0 and
# ~1,450 with it on. Health checks drop a connection the server closed instead of failing a request.
CONN_MAX_AGE = int(os.environ.get("DJANGO_CONN_MAX_AGE", "600"))
SQLITE_PATH = Path(os.environ.get("FORUM_SQLITE_PATH", VAR_DIR / "forum.sqlite3")).resolve()
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # A database host that does not answer fails the request (503) in seconds, not minutes.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
            "connect_timeout", int(os.environ.get("DJANGO_DB_CONNECT_TIMEOUT", "3"))
        )
        # Behind PgBouncer in transaction mode (deploy/) consecutive transactions may run on
        # different server connections, so nothing may outlive a transaction: no server-side cursor
        # (QuerySet.iterator() would open one WITH HOLD on one connection and fetch on another) and no
        # prepared statement (psycopg prepares a query on its sixth run on one connection and
        # would then EXECUTE it on a connection that never saw the PREPARE).
        if env_bool("DATABASE_PGBOUNCER", False):
            DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
            DATABASES["default"]["OPTIONS"]["prepare_threshold"] = None
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "CONN_MAX_AGE": CONN_MAX_AGE,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                # Web, worker and beat share one file: WAL lets readers run beside the writer,
                # IMMEDIATE takes the write lock at BEGIN (no lock upgrade deadlocks) and the
                # timeout makes writers queue instead of failing with "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            "TEST": {"NAME": VAR_DIR / "test-forum.sqlite3"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.NotOnlyWhitespacePasswordValidator"},
]
# AxesBackend refuses sign-ins while locked out; the UsernameBackend after it checks the
# password, matching usernames without regard to case or Unicode compatibility forms.
AUTHENTICATION_BACKENDS = ["accounts.sign_in_limits.SignInLimitBackend", "accounts.backends.UsernameBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ja", _("Japanese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Asia/Tokyo")
USE_I18N = True
USE_TZ = True
# The language follows the browser (LocaleMiddleware) until the reader picks one with the switcher
# in base.html (Django's set_language view, remembered in this cookie); the admin follows it too.
LANGUAGE_COOKIE_NAME = "forum_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Each language's date formats, with the time zone shown (config/formats/<lang>/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]

# --- Static files (whitenoise serves them from the app server) ---------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"  # made at start-up: whitenoise warns at every start when it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Security when not debugging ---------------------------------------------------------------
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE  # the language switcher's forum_language
# X-Forwarded-Proto is trusted only behind a proxy that sets it (and strips a client's own):
# without one, any client could claim https.
if env_bool("DJANGO_TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HTTPS-only deployments turn these on (check --deploy's W004 and W008); off by default so that
# plain-HTTP development and tests keep working.
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
# A stale tab's form gets a page that says to reload (JSON for scripts and the API), not Django's.
CSRF_FAILURE_VIEW = "config.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"

# --- Content-Security-Policy (django-csp) ------------------------------------------------------
# Scripts only from our own origin and never inline: an injected <script> or on* attribute does
# not run. Swagger UI is served from the project (drf-spectacular-sidecar) with its initialiser
# as a file (SpectacularSwaggerSplitView). Styles allow inline: Swagger UI and the admin set
# style attributes, and a style cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.constants.SELF],
        "script-src": [csp.constants.SELF],
        "style-src": [csp.constants.SELF, csp.constants.UNSAFE_INLINE],
        "img-src": [csp.constants.SELF, "data:"],
        "connect-src": [csp.constants.SELF],
        "font-src": [csp.constants.SELF],
        "object-src": [csp.constants.NONE],
        "base-uri": [csp.constants.SELF],
        # Also the sign-in providers switched on (below, with them).
        "form-action": [csp.constants.SELF],
        "frame-ancestors": [csp.constants.NONE],
    },
}

# --- Request body limit (config/middleware.py) ---------------------------------------------------
# Bodies declared larger than this are refused with 413 before they are read. No form takes files
# and the API's largest body is a comment, so 64 kB leaves ample room.
MAX_REQUEST_BODY_BYTES = int(os.environ.get("FORUM_MAX_REQUEST_BODY_BYTES", str(64 * 1024)))

# --- Forum rules ------------------------------------------------------------------------------
COMMENT_MAX_LENGTH = int(os.environ.get("FORUM_COMMENT_MAX_LENGTH", "2000"))
COMMENT_EDIT_WINDOW_SECONDS = int(os.environ.get("FORUM_COMMENT_EDIT_WINDOW_SECONDS", "900"))
# The perception gap (forum.selectors.perception) compares Japan's and the world's agreement with a
# comment only when each region has cast at least this many votes on it.
PERCEPTION_MIN_VOTES_PER_REGION = int(os.environ.get("FORUM_PERCEPTION_MIN_VOTES_PER_REGION", "5"))
# A new account waits this long after signing up before its first vote or comment, so accounts
# minted in bulk cannot vote at once (staff are exempt).
NEW_ACCOUNT_WAIT_SECONDS = int(os.environ.get("FORUM_NEW_ACCOUNT_WAIT_SECONDS", "600"))
# A reader's country (their section and voting region) changes at most once in this many days.
COUNTRY_CHANGE_DAYS = int(os.environ.get("FORUM_COUNTRY_CHANGE_DAYS", "30"))

# A thread under a top-level comment shows its first replies (oldest first) on the article page,
# then "N more replies"; the thread's own page shows them all, this many a page.
FORUM_THREAD_REPLIES_SHOWN = int(os.environ.get("FORUM_THREAD_REPLIES_SHOWN", "3"))
FORUM_THREAD_REPLIES_PER_PAGE = int(os.environ.get("FORUM_THREAD_REPLIES_PER_PAGE", "100"))

# --- Moderation (moderation app) --------------------------------------------------------------
# Checks every comment's text goes through when posted or edited (forum.services): each is a
# function taking the text, raising ValidationError to refuse it, returning True to hold it
# pending. Named here rather than imported by forum, because moderation imports forum.
FORUM_COMMENT_SCREENS = ["moderation.words.screen_comment"]
# Checks a new username or display name goes through (accounts.names): each takes the name and
# raises ValidationError to refuse it. Named here because accounts imports no other app.
FORUM_NAME_SCREENS = ["moderation.words.screen_name"]
# What runs when a reader's byline (display name, username, country) changes, in the transaction
# of the change (accounts.services.byline_changed): each takes the user. The forum re-renders the
# pages they commented on. Named here because accounts imports no other app.
ACCOUNTS_BYLINE_HOOKS = ["forum.services.author_byline_changed"]
# What runs when replies come into view: posted visible (forum.services.post_comment) or approved
# by a moderator (forum.services.set_comment_status), after the commit; each takes reply_ids.
# The notifications app tells the readers they answer. Named here because forum may not import it.
FORUM_REPLY_HOOKS = ["notifications.services.replies_became_visible"]
# What runs when a reader's account is about to be deleted, in the transaction of the deletion and
# before the cascade (accounts.services.account_leaving): each takes the user. The forum keeps other
# readers' replies to them, under placeholders. Named here because accounts imports no other app.
ACCOUNTS_DELETION_HOOKS = ["forum.services.author_leaving"]
# Which comments a reader has reported and not yet seen decided, so the article page can mark them
# (forum.page_cache): a function taking the reader and returning a queryset of those comments'
# ids. Named here because forum may not import moderation; empty: no marks.
FORUM_READER_REPORTED_COMMENTS = "moderation.selectors.reported_comment_ids"
# A comment with at least this many votes from accounts younger than the age, cast within the
# window, is flagged for unusual voting (votes.unusual_voting, after each tally batch); comments
# flagged on one article within the window make one burst, one item in the moderation queue.
FORUM_UNUSUAL_VOTES = int(os.environ.get("FORUM_UNUSUAL_VOTES", "10"))
FORUM_UNUSUAL_ACCOUNT_AGE_HOURS = int(os.environ.get("FORUM_UNUSUAL_ACCOUNT_AGE_HOURS", "48"))
FORUM_UNUSUAL_WINDOW_MINUTES = int(os.environ.get("FORUM_UNUSUAL_WINDOW_MINUTES", "30"))
# Comments close by themselves this many days after an article is published (0: never).
FORUM_COMMENTS_CLOSE_AFTER_DAYS = int(os.environ.get("FORUM_COMMENTS_CLOSE_AFTER_DAYS", "14"))
# A comment reported by this many distinct readers is held out of view until a moderator decides.
REPORTS_TO_HOLD = int(os.environ.get("FORUM_REPORTS_TO_HOLD", "3"))
# Only reports from readers in good standing count toward that (accounts.selectors.
# reporting_standing): among others, an account must be this many days old. Younger accounts'
# reports still reach the queue, marked as such.
FORUM_REPORT_TRUST_ACCOUNT_AGE_DAYS = int(os.environ.get("FORUM_REPORT_TRUST_ACCOUNT_AGE_DAYS", "3"))
# This many open reports on one comment from new accounts within the window show in the queue as a
# brigade (a badge and a filter).
FORUM_REPORT_BRIGADE_REPORTS = int(os.environ.get("FORUM_REPORT_BRIGADE_REPORTS", "3"))
FORUM_REPORT_BRIGADE_WINDOW_MINUTES = int(os.environ.get("FORUM_REPORT_BRIGADE_WINDOW_MINUTES", "60"))

# --- E-mail -----------------------------------------------------------------------------------
# Where the site is, for links in e-mail sent without a request (reply notifications and their
# digest, sent by the worker): scheme and host, no trailing slash.
FORUM_SITE_URL = os.environ.get("FORUM_SITE_URL", "http://localhost:8000").rstrip("/")
# Verification links, password resets and rejected comments' notices. Development prints e-mails
# to the console; production points the SMTP backend at a relay (docs/operations.md, "Configuration"). Account
# mail is sent by a Celery task (accounts.tasks.send_account_mail), retried on SMTP failures.
EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "forum@localhost")
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("DJANGO_EMAIL_USE_TLS", "") == "1"
EMAIL_USE_SSL = os.environ.get("DJANGO_EMAIL_USE_SSL", "") == "1"
EMAIL_TIMEOUT = int(os.environ.get("DJANGO_EMAIL_TIMEOUT", "10"))
# To comment, vote or report, a reader needs a verified e-mail address (accounts.selectors.
# has_verified_email); staff are exempt. On by default: only a closed test site turns it off.
FORUM_REQUIRE_VERIFIED_EMAIL = os.environ.get("FORUM_REQUIRE_VERIFIED_EMAIL", "1") != "0"
# Password reset links work once, for this long.
PASSWORD_RESET_TIMEOUT = int(os.environ.get("FORUM_PASSWORD_RESET_SECONDS", "3600"))

# django-allauth keeps the addresses (EmailAddress) and runs verification and password reset.
# Sign-up, sign-in and the sign-in limits stay the site's own (accounts.views, sign_in_limits).
ACCOUNT_ADAPTER = "accounts.mail.ForumAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
# A new address replaces the old one only once it is verified.
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = int(os.environ.get("FORUM_EMAIL_CONFIRMATION_DAYS", "3"))
# The link opens a page with a button: a mail scanner fetching links verifies nothing.
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# The reset form's answer never says whether an address has an account.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# Sign-up, re-send and reset are limited by RATE_LIMITS below (infra/rate_limits.py), not allauth's own.
ACCOUNT_RATE_LIMITS = False

# Two-factor authentication: allauth.mfa keeps the authenticators (a TOTP secret, recovery codes);
# the sign-in step, the settings pages and the API are the site's own (accounts.two_factor).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = os.environ.get("FORUM_TOTP_ISSUER", "News Forum")
# A code from the 30-second step before or after counts too: phones' clocks drift.
MFA_TOTP_TOLERANCE = 1
# allauth refuses a new address to an account with two-factor until verified, because its own
# sign-in can go by e-mail; the forum's goes by username, and a new address is verified anyway.
MFA_ALLOW_UNVERIFIED_EMAIL = True
# Staff (moderators, superusers) must have two-factor authentication to open the admin.
FORUM_STAFF_TWO_FACTOR_REQUIRED = os.environ.get("FORUM_STAFF_TWO_FACTOR_REQUIRED", "1") != "0"
# How long the code step of a sign-in waits after the password was right.
TWO_FACTOR_SIGN_IN_SECONDS = int(os.environ.get("FORUM_TWO_FACTOR_SIGN_IN_SECONDS", "300"))


# --- Sign-in with LINE, Yahoo! JAPAN ID, Google and Apple (accounts/social.py) ----------------
YAHOO_JAPAN_SERVER_URL = os.environ.get("FORUM_YAHOO_JAPAN_SERVER_URL", "https://auth.login.yahoo.co.jp/yconnect/v2")


# Each provider is on when its client id and secret are set, and hidden (no button, no API)
# otherwise. The apps live here, not in SocialApp rows: a deploy's environment says which exist.
def _social_apps() -> dict:
    env = os.environ.get
    providers: dict = {}
    if env("FORUM_LINE_CLIENT_ID") and env("FORUM_LINE_SECRET"):
        # LINE Login's channel id and secret; "openid" and "email" give the address LINE verified.
        providers["line"] = {
            "APPS": [{"client_id": env("FORUM_LINE_CLIENT_ID"), "secret": env("FORUM_LINE_SECRET")}],
            "SCOPE": ["profile", "openid", "email"],
            "OAUTH_PKCE_ENABLED": True,
        }
    if env("FORUM_YAHOO_JAPAN_CLIENT_ID") and env("FORUM_YAHOO_JAPAN_SECRET"):
        # Yahoo! JAPAN ID speaks OpenID Connect (YConnect v2): allauth's generic provider, from discovery.
        providers["openid_connect"] = {
            "APPS": [
                {
                    "provider_id": "yahoo-japan",
                    "name": "Yahoo! JAPAN ID",
                    "client_id": env("FORUM_YAHOO_JAPAN_CLIENT_ID"),
                    "secret": env("FORUM_YAHOO_JAPAN_SECRET"),
                    "settings": {
                        "server_url": YAHOO_JAPAN_SERVER_URL,
                    },
                }
            ],
            "SCOPE": ["openid", "profile", "email"],
            "OAUTH_PKCE_ENABLED": True,
        }
    if env("FORUM_GOOGLE_CLIENT_ID") and env("FORUM_GOOGLE_SECRET"):
        providers["google"] = {
            "APPS": [{"client_id": env("FORUM_GOOGLE_CLIENT_ID"), "secret": env("FORUM_GOOGLE_SECRET")}],
            "SCOPE": ["openid", "profile", "email"],
            "OAUTH_PKCE_ENABLED": True,
        }
    apple = [env(f"FORUM_APPLE_{part}") for part in ("CLIENT_ID", "KEY_ID", "TEAM_ID", "PRIVATE_KEY")]
    if all(apple):
        # Sign in with Apple: the Services ID, the key's id, the team and the key itself (PEM).
        client_id, key_id, team_id, private_key = apple
        providers["apple"] = {
            "APPS": [
                {
                    "client_id": client_id,
                    "secret": key_id,
                    "key": team_id,
                    "settings": {"certificate_key": private_key.replace("\\n", "\n")},
                }
            ],
            "SCOPE": ["name", "email"],
        }
    return providers


SOCIALACCOUNT_PROVIDERS = _social_apps()
# The sign-in buttons post to the site, which redirects to the provider: browsers hold that redirect
# to the page's form-action too, so the origins of the providers switched on are added to it.
CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] += [
    origin
    for provider, origin in (
        ("line", "https://access.line.me"),
        ("openid_connect", "{0.scheme}://{0.netloc}".format(urlsplit(YAHOO_JAPAN_SERVER_URL))),
        ("google", "https://accounts.google.com"),
        ("apple", "https://appleid.apple.com"),
    )
    if provider in SOCIALACCOUNT_PROVIDERS
]
SOCIALACCOUNT_ADAPTER = "accounts.social.ForumSocialAccountAdapter"
# A new reader always sees the sign-up form: they choose a username, display name and country.
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_FORMS = {"signup": "accounts.forms.SocialSignUpForm"}
# Signed in at once; an address the provider did not verify gets a link, and until it is followed
# the forum's own rule refuses votes and comments (FORUM_REQUIRE_VERIFIED_EMAIL).
SOCIALACCOUNT_EMAIL_VERIFICATION = "optional"
# A provider's address never signs into an existing account by itself: the reader signs in and links.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False


# --- Rate limits (forum/rate_limits.py: the pages and the API share them) ---------------------
def _rate(scope: str, default: str) -> str | None:
    """RATE_LIMIT_<SCOPE>, or the older API_THROTTLE_<SCOPE>; "<n>/<s|m|h|d>", empty for no limit."""
    value = os.environ.get(f"RATE_LIMIT_{scope}", os.environ.get(f"API_THROTTLE_{scope}", default))
    return value.strip() or None


# Per reader ("_USER") and per client address ("_ANON", whether signed in or not).
RATE_LIMITS = {
    "comment_user": _rate("COMMENT_USER", "10/min"),
    "comment_anon": _rate("COMMENT_ANON", "30/min"),
    "vote_user": _rate("VOTE_USER", "120/min"),
    "vote_anon": _rate("VOTE_ANON", "600/min"),
    "auth_anon": _rate("AUTH_ANON", "20/min"),
    "signup_anon": _rate("SIGNUP_ANON", "10/hour"),
    "report_user": _rate("REPORT_USER", "10/min"),
    "report_anon": _rate("REPORT_ANON", "30/min"),
    # Account e-mail (verification links and password resets) requested from one address, by one
    # reader, and sent to one e-mail address: nobody can flood an inbox or the relay.
    "account_mail_anon": _rate("ACCOUNT_MAIL_ANON", "10/hour"),
    "account_mail_user": _rate("ACCOUNT_MAIL_USER", "5/hour"),
    "account_mail_email": _rate("ACCOUNT_MAIL_EMAIL", "5/hour"),
    # Two-factor codes typed (signing in, or changing two-factor settings) from one address and for
    # one account: a six-digit code has a million values, so 10 an hour for an account makes
    # guessing one take years, while a reader who mistypes a few times is not held up.
    "two_factor_anon": _rate("TWO_FACTOR_ANON", "30/hour"),
    "two_factor_account": _rate("TWO_FACTOR_ACCOUNT", "10/hour"),
}

# --- Sign-in lock-out (django-axes and device cookies, accounts/sign_in_limits.py) ------------
# An account is never locked for everyone. Failures lock the (username, address) pair and the
# address, each after FORUM_SIGN_IN_FAILURE_LIMIT within the cool-off. Guessing one reader's
# password from many addresses is slowed per account for unknown clients only: a browser or app
# that signed in as that reader before holds a device token and is not refused, except for its
# own failures. The counts axes keeps live in the database, so every web process sees them.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_FAILURE_LIMIT = int(os.environ.get("FORUM_SIGN_IN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(seconds=int(os.environ.get("FORUM_SIGN_IN_LOCKOUT_SECONDS", "900")))
# A refused attempt is not counted: a locked address adds no failures to other usernames, and
# trying again does not stretch a lock (the lock-out page says how long is left).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "infra.rate_limits.sign_in_locked_out"
AXES_CLIENT_IP_CALLABLE = "infra.rate_limits.client_address"  # the same address the rate limits use
AXES_USERNAME_CALLABLE = "accounts.backends.lockout_username"
# A client with a device token for the account is left to that token's own limit.
AXES_WHITELIST_CALLABLE = "accounts.sign_in_limits.is_trusted_device"
AXES_VERBOSE = False
# axes keeps a failed attempt's form fields for the admin: mask every password field the forms
# that count (sign-in, password change, account deletion) send, not only "password".
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "ip_address",
    "old_password",
    "new_password1",
    "new_password2",
    "csrfmiddlewaretoken",
]
# Unknown clients' failures for one account (from any address) within the cool-off before unknown
# clients are refused for it; known devices still sign in.
SIGN_IN_ACCOUNT_FAILURE_LIMIT = int(os.environ.get("FORUM_SIGN_IN_ACCOUNT_FAILURE_LIMIT", "20"))
# Failures from one device token (a known browser or app) within the cool-off before it is locked.
SIGN_IN_DEVICE_FAILURE_LIMIT = AXES_FAILURE_LIMIT
DEVICE_COOKIE_NAME = "forum_device"
DEVICE_TOKEN_MAX_AGE_SECONDS = int(os.environ.get("FORUM_DEVICE_TOKEN_DAYS", "365")) * 86400

# --- Celery -----------------------------------------------------------------------------------
# The defaults below are chosen, not inherited; each says why.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
BROKER_IS_REDIS = CELERY_BROKER_URL.startswith(("redis://", "rediss://"))
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The embedded broker: messages are files in one absolute folder shared by every process.
    _broker_dir = VAR_DIR / "celery-broker"  # made at start-up (config.apps)
    # kombu's transport with atomic writes (config/broker.py): its own writes a message file in
    # place, and a worker reading one half-written died with JSONDecodeError under heavy voting.
    CELERY_BROKER_TRANSPORT = "config.broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "control_folder": str(_broker_dir / "control"),
        "polling_interval": 0.1,
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # A message a worker took but never acknowledged (the worker died) goes back to the queue
        # after this long. Our tasks run in well under a second and are idempotent, so a
        # redelivery is harmless; the reconciliation covers whatever is lost meanwhile.
        "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "300")),
        # A vote must never wait long on a broker that is down: fail fast, the vote is stored.
        "socket_connect_timeout": 1,
        "socket_timeout": 2,
        "max_retries": 1,
    }
# Tasks are idempotent, so acknowledge only after they ran: a worker killed mid-task leaves its
# message to be redelivered instead of losing it ...
CELERY_TASK_ACKS_LATE = True
# ... and that includes a worker process killed by a signal or the OOM killer.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# If the broker connection drops, unacknowledged messages go back to the queue; cancel the tasks
# still running for them rather than let them finish and run twice (Celery 6's default).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# One message at a time per process: tally tasks are short, and a worker that prefetches many
# holds them hostage if it dies or is slow.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A tally is milliseconds; a task stuck for half a minute is a bug or a database outage.
CELERY_TASK_SOFT_TIME_LIMIT = 30
CELERY_TASK_TIME_LIMIT = 60
# Nothing reads task results: counters are read from the comment rows.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
# Publishing happens in the request path: retry once, quickly, then give up (the vote is stored
# and the reconciliation will tally it).
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "forum")
# One queue per kind of work, so that nothing can delay a tally: a backlog of reconciliation, mail
# or moderation waits in its own queue for its own worker (deploy/ runs one per queue). A single
# worker (make run, the embedded default, the tests) consumes them all: CELERY_WORKER_QUEUES
# below. Mail tasks are named send_*mail* in any app's tasks module.
CELERY_QUEUE_NAMES = {
    kind: f"{CELERY_TASK_DEFAULT_QUEUE}.{kind}" for kind in ("tallies", "reconcile", "mail", "moderation")
}
CELERY_TASK_ROUTES = {
    "votes.tasks.reconcile_*": {"queue": CELERY_QUEUE_NAMES["reconcile"]},
    "votes.tasks.tally_*": {"queue": CELERY_QUEUE_NAMES["tallies"]},
    "*.tasks.send_*mail*": {"queue": CELERY_QUEUE_NAMES["mail"]},
    "moderation.tasks.*": {"queue": CELERY_QUEUE_NAMES["moderation"]},
}
# A worker started without -Q consumes every queue declared here: the default one and each routed
# one. A worker given -Q (deploy/) consumes only those named.
CELERY_TASK_QUEUES = [
    kombu.Queue(name, kombu.Exchange(name), routing_key=name)
    for name in (CELERY_TASK_DEFAULT_QUEUE, *CELERY_QUEUE_NAMES.values())
]
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# The forum's Redis (infra/redis_clients.py): the vote tally's dirty marks and the rate limits.
# Without one (the embedded default) votes mark their comments dirty in the database instead
# (VOTES_DIRTY_MARKS below), and rate limits count in a file under var/. TALLY_REDIS_URL is its
# former name.
FORUM_REDIS_URL = os.environ.get(
    "FORUM_REDIS_URL", os.environ.get("TALLY_REDIS_URL", CELERY_BROKER_URL if BROKER_IS_REDIS else "")
)
TALLY_KEY_PREFIX = os.environ.get("TALLY_KEY_PREFIX", "forum:tally")
# Tally rounds start at most this often; the votes on a comment in between share one counter write.
TALLY_COALESCE_SECONDS = float(os.environ.get("TALLY_COALESCE_SECONDS", "0.25"))
TALLY_BATCH_SIZE = int(os.environ.get("TALLY_BATCH_SIZE", "200"))
# How often beat sweeps the dirty set (a safety net for a lost scheduling message).
TALLY_SWEEP_SECONDS = float(os.environ.get("TALLY_SWEEP_SECONDS", "1"))
# How often beat reconciles counters from the database alone, and how far back it looks past
# its last run to cover transactions still open then and clocks that differ between machines.
RECONCILE_SECONDS = float(os.environ.get("RECONCILE_SECONDS", "5"))
RECONCILE_GRACE_SECONDS = float(os.environ.get("RECONCILE_GRACE_SECONDS", "30"))
# How a vote reaches the counters (votes/counters.py): the tally from the rows. `make bench`
# starts a server with its baseline backend (bench/baseline_counters.py) named here instead.
VOTES_COUNTER_BACKEND = os.environ.get("VOTES_COUNTER_BACKEND", "votes.counters.TallyFromRows")
# Where votes mark their comments dirty for the next tally round (votes/coalescing.py): Redis
# when the forum has it, else a table written in the vote's own transaction.
VOTES_DIRTY_MARKS = os.environ.get(
    "VOTES_DIRTY_MARKS", "votes.coalescing.RedisMarks" if FORUM_REDIS_URL else "votes.coalescing.DatabaseMarks"
)

# Live counts on an open article page (forum/live.py). However many votes arrive, an article
# gets at most one new live version per LIVE_VERSION_SECONDS (the content version as it was when
# the period began), so every poller in that period shares one answer, which is public for the
# rest of the period: a shared cache in front (deploy/'s nginx) answers them, and the app sees
# about one request per article, page shape and period. The answer tells the page's script how
# long to wait before its next poll: LIVE_POLL_SECONDS while the article changes, and
# LIVE_QUIET_POLL_SECONDS once nothing has changed for LIVE_QUIET_AFTER_SECONDS (a hidden tab
# waits longer again, static/js/article.js).
LIVE_VERSION_SECONDS = float(os.environ.get("FORUM_LIVE_VERSION_SECONDS", "1"))
LIVE_POLL_SECONDS = float(os.environ.get("FORUM_LIVE_POLL_SECONDS", "3.5"))
LIVE_QUIET_POLL_SECONDS = float(os.environ.get("FORUM_LIVE_QUIET_POLL_SECONDS", "15"))
LIVE_QUIET_AFTER_SECONDS = float(os.environ.get("FORUM_LIVE_QUIET_AFTER_SECONDS", "60"))

# --- Caches -----------------------------------------------------------------------------------
# "default": per-process scratch.
# "pages": what every process must agree on — articles' content versions and the pages, sections
# and live answers cached under them (every key is named in forum/caching.py). It is filled by
# anonymous requests, so it never shares a Redis database with the broker and the rate limits:
# FORUM_CACHE_REDIS_URL, which production points at a Redis instance of its own with maxmemory
# and an LRU policy (allkeys-lru), so that filling it evicts only cache entries. Unset, it is database n + 8
# (mod 16) on the forum Redis (0 → 8, 6 → 14, 15 → 7): separate keys, but the same memory, so
# there nothing may be evicted and every key expires instead (config/cache_backends.py).
# "api_tokens": API tokens' readers (accounts/authentication.py) with their revocation marks,
# which must not be evicted: on the forum Redis, every entry expiring within
# API_TOKEN_CACHE_SECONDS. Without a Redis: files under var/, which one machine's processes share.
# Nothing of it is in the "pages" cache, and a new PAGE_CACHE_FORMAT leaves it as it is (its
# entries' shape is named in their keys, accounts.authentication.cache_key).
PAGE_CACHE_SECONDS = int(os.environ.get("FORUM_PAGE_CACHE_SECONDS", "300"))
# No key in the caches lives longer than this (content versions use it; a lost version restarts
# from the clock, so expiry costs one cache miss per article and day).
CACHE_MAX_SECONDS = int(os.environ.get("FORUM_CACHE_MAX_SECONDS", str(24 * 60 * 60)))
# How long the vote API may use an API token's reader from the "api_tokens" cache instead of the
# database (accounts/authentication.py). Revocations remove the entry at once; this bounds only
# changes made behind the application's back (a bulk UPDATE of users).
API_TOKEN_CACHE_SECONDS = int(os.environ.get("API_TOKEN_CACHE_SECONDS", "60"))
# The shape of what the "pages" cache holds: raised when cached markup or answers must not be
# served after a deploy (every entry, content versions included, is then new; a missing version
# restarts from the clock, see forum/caching.py). 2: comment markup without author ids, and
# comments' "signed" in the API (the anonymity fix). 3: comment markup with its lang attribute,
# and comments' "language" in the API.
PAGE_CACHE_FORMAT = 3


def _separate_database(url: str) -> str:
    """The same Redis server as ``url``, database n + 8 (mod 16)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    if parts.scheme in {"redis", "rediss"}:
        database = int(parts.path.strip("/") or query.pop("db", "0"))
        return urlunsplit(parts._replace(path=f"/{(database + 8) % 16}", query=urlencode(query)))
    database = int(query.get("db", "0"))  # unix://path?db=n
    return urlunsplit(parts._replace(query=urlencode({**query, "db": (database + 8) % 16})))


FORUM_CACHE_REDIS_URL = os.environ.get("FORUM_CACHE_REDIS_URL") or (
    _separate_database(FORUM_REDIS_URL) if FORUM_REDIS_URL else ""
)


def _expiring_cache(redis_url: str, folder: str, *, prefix: str, timeout: int, version: int = 1) -> dict:
    common = {"TIMEOUT": timeout, "MAX_TIMEOUT": max(timeout, CACHE_MAX_SECONDS), "VERSION": version}
    if redis_url:
        return {
            "BACKEND": "config.cache_backends.ExpiringRedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": prefix,
            **common,
        }
    return {"BACKEND": "config.cache_backends.ExpiringFileBasedCache", "LOCATION": str(VAR_DIR / folder), **common}


CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": _expiring_cache(
        FORUM_CACHE_REDIS_URL,
        "page-cache",
        prefix=os.environ.get("FORUM_PAGE_CACHE_PREFIX", "forum:pages"),
        timeout=PAGE_CACHE_SECONDS,
        version=PAGE_CACHE_FORMAT,
    ),
    "api_tokens": _expiring_cache(
        FORUM_REDIS_URL, "api-token-cache", prefix="forum:api-tokens", timeout=API_TOKEN_CACHE_SECONDS
    ),
    # Each reader's unread notifications count, for the header's bell (notifications.selectors.
    # unread_count): rewritten after every change, so reading the bell is one cache read. On the
    # forum Redis, which evicts nothing; every entry expires.
    "notifications": _expiring_cache(FORUM_REDIS_URL, "notification-cache", prefix="forum:notifications", timeout=3600),
}
# Rate-limit counts when there is no Redis (infra/rate_limits.py counts in Redis when there is): one
# SQLite file under var/, so every web process of the machine counts against the same limit.
RATE_LIMIT_COUNTS_FILE = VAR_DIR / "rate-limits.sqlite3"

CELERY_BEAT_SCHEDULE = {
    "reconcile-vote-counters": {
        "task": "votes.tasks.reconcile_vote_counters",
        "schedule": RECONCILE_SECONDS,
        # A run still queued when the next is due is dropped: the next covers the same votes.
        "options": {"expires": RECONCILE_SECONDS},
    },
}
CELERY_BEAT_SCHEDULE["close-old-discussions"] = {
    "task": "moderation.tasks.close_old_discussions",
    "schedule": 600,
    "options": {"expires": 600},
}
CELERY_BEAT_SCHEDULE["tally-dirty-comments"] = {
    "task": "votes.tasks.tally_dirty_comments",
    "schedule": TALLY_SWEEP_SECONDS,
    "options": {"expires": TALLY_SWEEP_SECONDS * 5},
}

# Reply notifications (notifications app). E-mail for replies, per reader: "off", "immediate" or
# "daily" (one digest a day). The default for a reader who chose nothing is the digest: at most
# one e-mail a day, only when someone answered them, only to a verified address, and every one
# with a one-click unsubscribe; immediate mail for every reply would flood whoever writes a
# comment that draws a crowd, and "off" would leave most readers never learning they were answered.
NOTIFICATIONS_DEFAULT_REPLY_MAIL = os.environ.get("FORUM_DEFAULT_REPLY_MAIL", "daily")
# The hour (CELERY_TIMEZONE, Asia/Tokyo by default) beat sends the daily digests.
NOTIFICATIONS_DIGEST_HOUR = int(os.environ.get("FORUM_DIGEST_HOUR", "7"))
# How long the header's unread count is kept in the "notifications" cache (every change rewrites it).
NOTIFICATIONS_BELL_CACHE_SECONDS = int(os.environ.get("FORUM_BELL_CACHE_SECONDS", "3600"))
CELERY_BEAT_SCHEDULE["send-reply-digest-mails"] = {
    "task": "notifications.tasks.send_reply_digest_mails",
    "schedule": crontab(minute=0, hour=NOTIFICATIONS_DIGEST_HOUR),
    # A run missed by an hour is dropped: the next day's digest takes what it would have sent.
    "options": {"expires": 3600},
}

# --- REST framework ---------------------------------------------------------------------------
# The API's views set their own parsers, renderers and negotiation (api/base.py); their
# throttles use RATE_LIMITS above (infra/rate_limits.py).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        # The site's pages call the API with the reader's session; DRF's session authentication
        # checks the CSRF token of every unsafe request it authenticates (403 csrf_failed).
        "api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
    # The client address is REMOTE_ADDR unless this many proxies in front append X-Forwarded-For
    # (trusting the header without a proxy would let any client pick its own address).
    "NUM_PROXIES": int(os.environ.get("API_NUM_PROXIES", "0")),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "News forum API",
    "DESCRIPTION": "Articles, two comment sections and agree/disagree votes.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "VoteChoiceEnum": "votes.models.Vote.Choice",
        "SectionEnum": "forum.models.Section",
        "ReportReasonEnum": "moderation.models.Report.Reason",
        "RejectionReasonEnum": "moderation.models.Decision.RejectReason",
        "CommentStatusEnum": "forum.models.Comment.Status",
        # Three models have a "kind": each its own enum, named for what it is.
        "BadgeKindEnum": "accounts.models.Badge.Kind",
        "NotificationKindEnum": "notifications.models.Notification.Kind",
        "SanctionKindEnum": "accounts.models.Sanction.Kind",
        # A comment's language, an article's version and its original: one enum, the site's languages.
        "LanguageEnum": "django.conf.settings.LANGUAGES",
    },
    # Swagger UI from drf-spectacular-sidecar's files, not a CDN's "latest".
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The statuses every operation can answer (503, and gunicorn's 414/431) go on every operation.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.errors.add_server_errors"],
}

# --- Outages ----------------------------------------------------------------------------------
# A database or broker outage answers 503 with this Retry-After (infra/outages.py, config/outages.py). A restarted
# PostgreSQL is back within seconds; a client retrying sooner only adds load.
OUTAGE_RETRY_AFTER_SECONDS = int(os.environ.get("OUTAGE_RETRY_AFTER_SECONDS", "5"))

TASK_LOG_LEVEL = os.environ.get("FORUM_TASK_LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # A 4xx is a request line in gunicorn's access log (--access-logfile=-, make run and the
        # Procfile); django.request's own "Not Found: ..." WARNING printed each one a second time.
        # Server errors (5xx) it logs at ERROR, with the traceback, and those stay.
        "django.request": {"level": "ERROR"},
        # Celery's line per routine task ("received", "succeeded") and beat's "Sending due task":
        # several a second from the tally sweep and reconciliation. make run (supervisord.conf)
        # sets WARNING so its console shows requests, warnings and errors; failures are ERROR and
        # outages are logged by infra/outages.py either way.
        **{name: {"level": TASK_LOG_LEVEL} for name in ("celery.app.trace", "celery.worker.strategy", "celery.beat")},
    },
}
