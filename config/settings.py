"""Claimbridge settings, read from environment variables only.

Every variable is documented in `.env.example`. Defaults are safe for local
development; with `CLAIMBRIDGE_ENV=production` the process refuses to start on an
insecure value.
"""

import os
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be a boolean (1/0, true/false), not {raw!r}"
    )


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_cache(name: str, default: str) -> dict[str, Any]:
    """A cache from a URL: db://<table>, redis://host:port/db, locmem://, dummy://."""
    raw = os.environ.get(name) or default
    scheme, _, rest = raw.partition("://")
    if scheme == "db":
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": rest or "claimbridge_cache",
            # Rate-limit counters live here: culling them early would lift a limit.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    if scheme in {"redis", "rediss"}:
        # Needs the `redis` package, which is not a default dependency.
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": raw,
        }
    if scheme == "locmem":
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": rest,
        }
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ImproperlyConfigured(
        f"{name} must start with db://, redis://, rediss://, locmem:// or dummy://, "
        f"not {raw!r}"
    )


ENVIRONMENT = env_str("CLAIMBRIDGE_ENV", "development")
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured("CLAIMBRIDGE_ENV must be 'development' or 'production'")
IS_PRODUCTION = ENVIRONMENT == "production"

# Development-only fallback; production refuses it (checked below).
_DEV_SECRET_KEY = "dev-insecure-key-do-not-use-in-production-0123456789abcdef"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET_KEY)
DEBUG = env_bool("DEBUG", not IS_PRODUCTION)
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if IS_PRODUCTION else ["127.0.0.1", "localhost", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

if IS_PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off in production")
    if SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to 50 or more random characters"
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must name the hosts in production")

# Rate limits, log-in throttling and used TOTP codes live in this cache, so it must
# be shared by every web process: the database by default (the table is created
# by the core app's migrations), Redis by choice.
CACHES = {"default": env_cache("CACHE_URL", "db://claimbridge_cache")}
# The counters of django-ratelimit: with the database cache, a table of integers
# counted with one statement each (core.cache.CounterCache); with Redis, Redis.
CACHES["ratelimit"] = (
    {"BACKEND": "claimbridge.core.cache.CounterCache"}
    if CACHES["default"]["BACKEND"].endswith("DatabaseCache")
    else CACHES["default"]
)
if IS_PRODUCTION and CACHES["default"]["BACKEND"].endswith(
    ("LocMemCache", "DummyCache")
):
    raise ImproperlyConfigured(
        "CACHE_URL must name a cache shared by all processes (db:// or redis://) "
        "in production"
    )

# Absolute base of the links in e-mails, e.g. https://claims.example.com
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_countries",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "django_ratelimit",
    "claimbridge.core",
    "claimbridge.accounts",
    "claimbridge.organisations",
    "claimbridge.audit",
    "claimbridge.notifications",
    "claimbridge.documents",
    "claimbridge.tasks",
    "claimbridge.messaging",
    "claimbridge.cases",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the body: an oversized upload is refused unread.
    "claimbridge.documents.middleware.UploadSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "claimbridge.accounts.middleware.SessionIdleTimeoutMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "claimbridge.organisations.middleware.ActiveMembershipMiddleware",
    "claimbridge.organisations.middleware.RequireTwoFactorMiddleware",
    # Turns django-ratelimit's refusal into RATELIMIT_VIEW's 429 page.
    "django_ratelimit.middleware.RatelimitMiddleware",
]
# `make bench` only: each response says how many SQL queries it ran.
if env_bool("BENCH_QUERY_COUNT", False):
    MIDDLEWARE.insert(0, "claimbridge.core.middleware.QueryCountMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "claimbridge.organisations.context_processors.memberships",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str(
            "DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'claimbridge.sqlite3'}"
        ),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the worker read while the other writes;
    # IMMEDIATE makes a writing transaction take the lock at its start, so a
    # row-locking service never fails half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "cases:list"
LOGOUT_REDIRECT_URL = "account_login"

# Log-in, password reset and two-factor authentication: django-allauth.
# Invite-only: nobody signs up (accounts.adapter.AccountAdapter closes it).
ACCOUNT_ADAPTER = "claimbridge.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"login": "claimbridge.accounts.forms.LoginForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# Addresses are given by the organisation that invites a person.
ACCOUNT_EMAIL_VERIFICATION = "none"
# A reset asked for an unknown address sends nothing (and says the same).
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Claimbridge] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if IS_PRODUCTION else "http"
# The session ends with the browser; SESSION_IDLE_TIMEOUT ends it earlier.
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# Failed log-ins: 10 a minute per address and 5 per account in 5 minutes; then
# the account is locked for the rest of the window, whatever the password.
ACCOUNT_RATE_LIMITS = {
    "login": env_str("RATE_LIMIT_LOGIN", "30/m/ip"),
    "login_failed": env_str("RATE_LIMIT_LOGIN_FAILED", "10/m/ip,5/5m/key"),
    "reset_password": env_str("RATE_LIMIT_RESET_PASSWORD", "20/m/ip,5/m/key"),
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "reauthenticate": "10/m/user",
}
# Behind a load balancer, the number of proxies whose X-Forwarded-For entries
# are trusted for the client's address (0: REMOTE_ADDR).
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = "Claimbridge"
MFA_PASSKEY_LOGIN_ENABLED = False
# allauth refuses two-factor set-up while an address is unverified, against
# strangers signing up with someone else's address; nobody signs up here.
MFA_ALLOW_UNVERIFIED_EMAIL = True
# WebAuthn needs https; the development server runs on http://127.0.0.1.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not IS_PRODUCTION
# "Log out everywhere" lists and ends a person's other sessions.
USERSESSIONS_TRACK_ACTIVITY = False

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Uploaded case files: never under a public URL; served only by an
    # access-checked view (documents.views.download).
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media"))},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if IS_PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
MEDIA_ROOT = STORAGES["default"]["OPTIONS"]["location"]
WHITENOISE_USE_FINDERS = not IS_PRODUCTION

# Upload limits (DESIGN §7): 25 MB per file; one message or upload carries at
# most 10 files and 50 MB together.
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_BYTES", 25 * 1024 * 1024)
DOCUMENT_MAX_FILES_PER_UPLOAD = env_int("DOCUMENT_MAX_FILES_PER_UPLOAD", 10)
DOCUMENT_MAX_BYTES_PER_UPLOAD = env_int(
    "DOCUMENT_MAX_BYTES_PER_UPLOAD", 50 * 1024 * 1024
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = DOCUMENT_MAX_FILES_PER_UPLOAD + 1

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("EMAIL_PORT", 8025)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL", "Claimbridge <no-reply@claimbridge.local>"
)

# Outbox delivery: attempts before a notification is marked failed, and the
# first retry delay in seconds (doubled on each attempt).
NOTIFICATION_MAX_ATTEMPTS = env_int("NOTIFICATION_MAX_ATTEMPTS", 8)
NOTIFICATION_RETRY_BASE_SECONDS = env_int("NOTIFICATION_RETRY_BASE_SECONDS", 30)
# Seconds a worker holds the mails it claimed; a crashed worker's mails are
# taken over by another once this has passed.
NOTIFICATION_CLAIM_SECONDS = env_int("NOTIFICATION_CLAIM_SECONDS", 300)
# Chat messages to one person on one case are mailed together once no new
# message came for this many seconds.
NOTIFICATION_QUIET_SECONDS = env_int("NOTIFICATION_QUIET_SECONDS", 600)

TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
# Not saved on every request: accounts.middleware.SessionIdleTimeoutMiddleware
# records activity once a minute, which saves the session and moves its expiry.
SESSION_SAVE_EVERY_REQUEST = False
# A session without a page opened or form sent for this long is logged out
# (the case page's chat polling does not count as activity).
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere: htmx is configured by a meta tag
# (includeIndicatorStyles false, allowEval false) and scripts are static files.
# A response that sets its own policy keeps it (file downloads: "sandbox").
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# Posting messages and uploading files, per person (django-ratelimit); the
# answer is a 429 page (core.views.too_many_requests).
RATE_LIMIT_MESSAGES = env_str("RATE_LIMIT_MESSAGES", "30/m")
RATE_LIMIT_UPLOADS = env_str("RATE_LIMIT_UPLOADS", "20/m")
RATELIMIT_VIEW = "claimbridge.core.views.too_many_requests"
RATELIMIT_USE_CACHE = "ratelimit"
SILENCED_SYSTEM_CHECKS = [
    # django-ratelimit knows memcached and django-redis only. core.cache.CounterCache
    # counts atomically (one upsert, one UPDATE … RETURNING), so its limits are
    # exact; with another cache two requests at the same instant may count once.
    "django_ratelimit.E003",
    "django_ratelimit.W001",
]
if IS_PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Where the demo's local SMTP sink stores received mails as .eml files.
DEMO_MAIL_DIR = env_str("DEMO_MAIL_DIR", str(BASE_DIR / "var" / "mail"))
