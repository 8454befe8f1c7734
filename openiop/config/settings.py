# SPDX-License-Identifier: AGPL-3.0-or-later
"""The one settings module. Every knob is an environment variable read through
``openiop.config.env`` so that a bad value stops start-up naming the variable.

SQLite under var/ by default so a fresh checkout just works; PostgreSQL through
DATABASE_URL for production and the second half of the test suite.
"""

from __future__ import annotations

from pathlib import Path

from openiop.audit.keys import audit_key
from openiop.config.env import (
    csp_sources_for_url_template,
    database,
    env_bool,
    env_int,
    env_list,
    env_networks,
    env_str,
    secret_key,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("OPENIOP_VAR_DIR") or BASE_DIR / "var")

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = secret_key(VAR_DIR)
# The audit log: seals are keyed with a secret that never enters the database
# (OPENIOP_AUDIT_KEY[_FILE], else generated once into var/audit_key); signed
# checkpoints of the chain's head go to a directory outside it.
OPENIOP_AUDIT_KEY = audit_key(VAR_DIR)
OPENIOP_AUDIT_CHECKPOINT_DIR = Path(env_str("OPENIOP_AUDIT_CHECKPOINT_DIR") or VAR_DIR / "audit-checkpoints")
OPENIOP_AUDIT_CHECKPOINT_MINUTES = env_int("OPENIOP_AUDIT_CHECKPOINT_MINUTES", 60, minimum=1, maximum=60)
OPENIOP_AUDIT_SEAL_SECONDS = env_int("OPENIOP_AUDIT_SEAL_SECONDS", 20, minimum=1, maximum=50)
OPENIOP_AUDIT_SEAL_DEADLINE_SECONDS = 60
# An audit action name no app registered (openiop.audit.actions) raises: on in
# DEBUG and tests, off in production, where losing the event is worse.
OPENIOP_AUDIT_STRICT_ACTIONS = env_bool("OPENIOP_AUDIT_STRICT_ACTIONS", DEBUG)
# The clearinghouse file drop: outbox/ (270s, claims), inbox/ (271s, 835s, 999s), processed/.
OPENIOP_CLEARINGHOUSE_DIR = Path(env_str("OPENIOP_CLEARINGHOUSE_DIR") or VAR_DIR / "clearinghouse")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else ["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # Django's admin with every page that shows records audited.
    "openiop.audit.admin_site.AuditedAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "django_filters",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "openiop.core",
    "openiop.accounts",
    "openiop.sites",
    "openiop.audit",
    "openiop.patients",
    "openiop.admissions",
    "openiop.assessments",
    "openiop.treatment",
    "openiop.medications",
    "openiop.scheduling",
    "openiop.privacy",
    "openiop.insurance",
    "openiop.diagnoses",
    "openiop.billing",
    "openiop.claims",
    "openiop.ledger",
    "openiop.assistance",
    "openiop.estimates",
    "openiop.reports",
    "openiop.directory",
    "openiop.public",
    # Last: the demo program drives every app above (manage.py seed).
    "openiop.demo",
]

MIDDLEWARE = [
    # First: an oversized body is refused before anything reads it.
    "openiop.core.middleware.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "openiop.core.middleware.RequestIdMiddleware",
    # After WhiteNoise (static files keep their long cache life), before everything else.
    "openiop.core.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # A NUL in any value is a 400 here, never a query PostgreSQL refuses (a 500).
    "openiop.core.input_guard.RejectNulMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "openiop.core.middleware.SiteTimeZoneMiddleware",
    # Before idle logoff, so the automatic logout event names who was signed out.
    "openiop.audit.middleware.AuditContextMiddleware",
    "openiop.accounts.middleware.IdleLogoutMiddleware",
    "openiop.accounts.middleware.RequireMFAMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that a lockout response is produced after authentication ran.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "openiop.config.urls"
WSGI_APPLICATION = "openiop.config.wsgi.application"
ASGI_APPLICATION = "openiop.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "openiop" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "openiop.core.context_processors.openiop",
            ],
        },
    },
]

DATABASES = {"default": database(VAR_DIR / "openiop.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out username before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout (django-axes): after AXES_FAILURE_LIMIT failures a username is locked
# for the cool-off period, whatever address the attempts come from.
AXES_FAILURE_LIMIT = env_int("OPENIOP_LOCKOUT_FAILURES", 5, minimum=1, maximum=100)
AXES_COOLOFF_TIME = env_int("OPENIOP_LOCKOUT_MINUTES", 30, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
# Not by address: a clinic's staff share one public address behind NAT, so an
# address lockout would let one person's typos lock out the whole site.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# Throttles in front of the lockout (openiop/accounts/throttle.py, counted in the
# shared "ratelimit" cache). One address that fails OPENIOP_LOGIN_ADDRESS_FAILURES
# times within OPENIOP_LOGIN_ADDRESS_MINUTES is told to wait (429) before its
# guesses can lock out more than a couple of accounts; the default leaves room
# for a whole clinic's typos behind one address.
OPENIOP_LOGIN_ADDRESS_FAILURES = env_int("OPENIOP_LOGIN_ADDRESS_FAILURES", 10, minimum=1, maximum=1000)
OPENIOP_LOGIN_ADDRESS_MINUTES = env_int("OPENIOP_LOGIN_ADDRESS_MINUTES", 15, minimum=1, maximum=24 * 60)
# Password-reset requests per hour from one address, and for one e-mail address
# (past that, the same neutral page and no e-mail).
OPENIOP_RESET_PER_ADDRESS_HOURLY = env_int("OPENIOP_RESET_PER_ADDRESS_HOURLY", 10, minimum=1, maximum=1000)
OPENIOP_RESET_PER_ACCOUNT_HOURLY = env_int("OPENIOP_RESET_PER_ACCOUNT_HOURLY", 3, minimum=1, maximum=100)

# Multi-factor authentication is required for every staff login unless this one
# variable switches it off (the demo does, and the login page then says so).
OPENIOP_REQUIRE_MFA = env_bool("OPENIOP_REQUIRE_MFA", True)
OTP_TOTP_ISSUER = "OpenIOP"
# No one reads a TOTP secret in Django's admin, superusers included: our own
# TOTPDevice admin (openiop/accounts/admin.py) never shows it; this keeps the
# stock one from doing so should it ever be registered again.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Links in e-mails (password reset uses the request's host; background jobs have none).
OPENIOP_BASE_URL = env_str("OPENIOP_BASE_URL") or "http://127.0.0.1:8000"

# Treatment plans and notes (read by openiop/treatment/conf.py): review cycle and
# how long after a session a signed note counts as a late entry.
OPENIOP_PLAN_REVIEW_DAYS = env_int("OPENIOP_PLAN_REVIEW_DAYS", 30, minimum=1, maximum=365)
OPENIOP_NOTE_LATE_HOURS = env_int("OPENIOP_NOTE_LATE_HOURS", 72, minimum=1, maximum=24 * 30)

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Shared by every gunicorn worker: the public forms' rate limits (django-ratelimit),
    # in a database table with atomic increments (openiop/public/ratelimit.py).
    "ratelimit": {
        "BACKEND": "openiop.public.ratelimit.RateLimitCache",
        "LOCATION": "openiop_ratelimit",
        "OPTIONS": {"MAX_ENTRIES": 100000},
    },
}
RATELIMIT_USE_CACHE = "ratelimit"

# Public locator: map tiles from a self-hosted or licensed tile server, e.g.
# https://tiles.example.org/{z}/{x}/{y}.png. Empty: no map, the list only.
OPENIOP_MAP_TILE_URL = env_str("OPENIOP_MAP_TILE_URL") or ""
# Shown under the map, as most tile licences require (plain text, e.g.
# "© OpenStreetMap contributors"), linked to the _URL when one is given.
OPENIOP_MAP_TILE_ATTRIBUTION = env_str("OPENIOP_MAP_TILE_ATTRIBUTION") or ""
OPENIOP_MAP_TILE_ATTRIBUTION_URL = env_str("OPENIOP_MAP_TILE_ATTRIBUTION_URL") or ""
OPENIOP_DIRECTORY_IMPORT_MAX_BYTES = env_int("OPENIOP_DIRECTORY_IMPORT_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)

# --- Request size limits ------------------------------------------------------
# Any request body larger than this is refused (413) before it is read, except on
# pages that take a file, which allow their own limit (RequestBodyLimitMiddleware).
OPENIOP_MAX_REQUEST_BYTES = env_int("OPENIOP_MAX_REQUEST_BYTES", 3 * 1024 * 1024, minimum=64 * 1024)
# Form fields (files excluded) and their number, as Django checks them once read.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 5
# A file larger than this is streamed to a temporary file rather than kept in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# HIPAA automatic logoff (45 CFR 164.312(a)(2)(iii)): idle minutes before logout.
OPENIOP_IDLE_TIMEOUT_MINUTES = env_int("OPENIOP_IDLE_TIMEOUT_MINUTES", 15, minimum=1, maximum=24 * 60)
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Security headers -----------------------------------------------------
SECURE_HTTPS = env_bool("OPENIOP_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_SSL_REDIRECT = env_bool("OPENIOP_SSL_REDIRECT", SECURE_HTTPS)
SECURE_HSTS_SECONDS = env_int("OPENIOP_HSTS_SECONDS", 31536000 if SECURE_HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
OPENIOP_BEHIND_PROXY = env_bool("OPENIOP_BEHIND_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if OPENIOP_BEHIND_PROXY else None
# The addresses the proxy connects from; only they may pass on an X-Request-ID.
# No proxy, no trusted peer.
OPENIOP_TRUSTED_PROXIES = env_networks("OPENIOP_TRUSTED_PROXIES", ["127.0.0.1", "::1"]) if OPENIOP_BEHIND_PROXY else []
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts and styles from this site only,
# no inline script or style, no eval. htmx's own indicator <style> is switched
# off in base.html (its rules are in openiop.css); Leaflet positions the map
# through element.style, which CSP allows. Primer's and USWDS's form
# controls draw their arrows and ticks with data: images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *csp_sources_for_url_template("OPENIOP_MAP_TILE_URL", OPENIOP_MAP_TILE_URL)],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Email ---------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "OpenIOP <noreply@localhost>")

# --- Background jobs (django-tasks, database backend) ------------------------
TASKS = {
    "default": {
        "BACKEND": env_str("OPENIOP_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
OPENIOP_WORKER_STALE_SECONDS = env_int("OPENIOP_WORKER_STALE_SECONDS", 120, minimum=10)

# --- Internationalization -------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "openiop" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
# Front-end packages come from npm at set-up time (`make assets`), never a CDN.
STATICFILES_DIRS = [
    # The staff side's design system: GitHub's Primer (its design tokens from
    # @primer/primitives, its base, buttons and forms from @primer/css); the
    # public side's: the U.S. Web Design System (its fonts and images too).
    ("vendor/primer", BASE_DIR / "node_modules" / "@primer" / "css" / "dist"),
    ("vendor/primer-primitives", BASE_DIR / "node_modules" / "@primer" / "primitives" / "dist" / "css"),
    ("vendor/uswds", BASE_DIR / "node_modules" / "@uswds" / "uswds" / "dist"),
    ("vendor/leaflet", BASE_DIR / "node_modules" / "leaflet" / "dist"),
    # The locator's offline basemap (U.S. Census state and county outlines as
    # TopoJSON) when no tile server is configured.
    ("vendor/us-atlas", BASE_DIR / "node_modules" / "us-atlas"),
    ("vendor/topojson-client", BASE_DIR / "node_modules" / "topojson-client" / "dist"),
    # The scheduling time-grid (FullCalendar's MIT core, day/time grids and drag).
    *[
        (f"vendor/fullcalendar/{part}", BASE_DIR / "node_modules" / "@fullcalendar" / part)
        for part in ("core", "daygrid", "timegrid", "interaction")
    ],
]
# Uploaded and generated files (signed consents, release packets) hold patient
# data: MEDIA_URL is deliberately unset and nothing serves MEDIA_ROOT; each file
# is read back through an access-checked, audited view.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("OPENIOP_MANIFEST_STATIC", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Logging ---------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint logs each rendering step at INFO; its warnings still show.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}
