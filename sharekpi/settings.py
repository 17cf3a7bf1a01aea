"""ShareKPI settings, read straight from environment variables.

With no variables set the app runs on one machine: SQLite and a filesystem
Celery broker under ``var/``. Production sets DATABASE_URL and CELERY_BROKER_URL.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab as _crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SHAREKPI_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_flag(name: str, default: bool) -> bool:
    """Read an on/off environment variable (on/off, yes/no, true/false, 1/0)."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "on", "yes", "true"}:
        return True
    if value in {"0", "off", "no", "false"}:
        return False
    raise ImproperlyConfigured(f"{name} must be on or off, not {raw!r}")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_flag("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DJANGO_DEBUG is off "
            "(set DJANGO_DEBUG=on for local development)."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "sharekpi.errors.csrf_failure"

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
    "axes",
    "csp",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "audit",
    "accounts",
    "campaigns",
    "verification",
    # scoring before dashboard: their share-status receivers run in this order.
    "scoring",
    "dashboard",
    "presence",
    # Top of the layering: reads any app, nobody imports it.
    "notifications",
    "health",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response (see CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions (it reads the language saved there), before common (404 redirects).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "sharekpi.middleware.RejectControlCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A logged-in person's saved language wins over the cookie and the browser.
    "accounts.languages.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sharekpi.urls"
WSGI_APPLICATION = "sharekpi.wsgi.application"

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
                "accounts.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'sharekpi.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# Django's PostgreSQL backend with a cheaper health check (sharekpi/db/postgresql): a
# kept connection is checked before reuse at most once in this many seconds (0 = before
# every request and task, as Django does).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "sharekpi.db.postgresql"
SHAREKPI_DB_HEALTH_CHECK_SECONDS = float(os.environ.get("SHAREKPI_DB_HEALTH_CHECK_SECONDS", "5"))
# The statements run for every verified share are prepared once per PostgreSQL connection
# (sharekpi/prepared.py). Off behind a pooler in transaction mode (PgBouncer), where the
# next transaction may run on another server connection, which never saw the PREPARE.
SHAREKPI_DB_PREPARED_STATEMENTS = env_flag("SHAREKPI_DB_PREPARED_STATEMENTS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker, beat) share the file: wait for locks
    # instead of failing, and let readers run beside the writer.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# The cache counts password-reset mails (and anything else short-lived). Production
# points CACHE_URL at Redis so every web process shares the counts.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if (CACHE_URL := os.environ.get("CACHE_URL", ""))
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
SHAREKPI_API_TOKEN_DAYS = int(os.environ.get("SHAREKPI_API_TOKEN_DAYS", "30"))
# Seconds an API token's user stays in the cache (accounts.authentication); 0 = off.
# On by default only with a cache the web processes share (CACHE_URL): a per-process
# cache could not be told in every process that a token was revoked.
SHAREKPI_API_TOKEN_CACHE_SECONDS = int(
    os.environ.get("SHAREKPI_API_TOKEN_CACHE_SECONDS", "30" if CACHE_URL else "0")
)
SHAREKPI_PASSWORD_RESET_PER_HOUR = int(os.environ.get("SHAREKPI_PASSWORD_RESET_PER_HOUR", "3"))

AUTHENTICATION_BACKENDS = [
    "accounts.backends.LockoutBackend",
    "accounts.backends.StaffIdOrEmailBackend",
]

# Login throttling (django-axes, see accounts/lockout.py): SHAREKPI_LOGIN_FAILURE_LIMIT
# failures for one account (staff ID and e-mail count as one) or from one address lock
# it for SHAREKPI_LOGIN_LOCKOUT_MINUTES; a success resets the account's count.
AXES_FAILURE_LIMIT = int(os.environ.get("SHAREKPI_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(
    minutes=int(os.environ.get("SHAREKPI_LOGIN_LOCKOUT_MINUTES", "15"))
)
AXES_LOCKOUT_PARAMETERS = env_list("SHAREKPI_LOGIN_LOCKOUT_BY", "username,ip_address")
AXES_USERNAME_CALLABLE = "accounts.lockout.canonical_username"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.locked_out_response"
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The languages people may choose, named in their own language. LANGUAGE_CODE is the
# default for anyone whose browser asks for none of them and who has chosen none.
LANGUAGES = [
    ("en", "English"),
    ("ms", "Bahasa Melayu"),
    ("id", "Bahasa Indonesia"),
]
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "").strip() or "en"
if LANGUAGE_CODE not in {code for code, _name in LANGUAGES}:
    raise ImproperlyConfigured(f"LANGUAGE_CODE must be one of en, ms or id, not {LANGUAGE_CODE!r}")
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates and numbers follow the language (Django's formats; English day-first, see there).
FORMAT_MODULE_PATH = ["sharekpi.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Kuala_Lumpur")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_MANIFEST_STRICT = False
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Mail: EMAIL_URL (smtp+tls://user:password@host:587, see sharekpi/email_url.py), or
# EMAIL_BACKEND and the EMAIL_HOST/PORT/HOST_USER/HOST_PASSWORD/USE_TLS/USE_SSL variables.
# Default: the console backend (e-mails are printed by the process that sends them).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_flag("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_flag("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", "30"))
if os.environ.get("EMAIL_URL", "").strip():
    from sharekpi import email_url as _email_url

    globals().update(_email_url.parse(os.environ["EMAIL_URL"].strip()))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "sharekpi@localhost")

SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_flag("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_flag("SECURE_COOKIES", True)
# HTTPS, for a deployment behind a TLS-terminating proxy (docker-compose.yml turns them
# on). Off by default so that `make run` on http://127.0.0.1 keeps working.
SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", False)
# /healthz answers the container's own plain-http health check.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_flag("SECURE_HSTS_PRELOAD", False)
# Trust X-Forwarded-Proto: https only behind a proxy that always sets it (and strips
# it from clients' requests).
if env_flag("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = []
if SECURE_HSTS_SECONDS and not SECURE_HSTS_PRELOAD:
    # Preloading a domain into the browsers' HSTS lists is the domain owner's decision
    # (SECURE_HSTS_PRELOAD=on), not a default: no warning for leaving it off.
    SILENCED_SYSTEM_CHECKS.append("security.W021")

# Content-Security-Policy (django-csp 4) on every response: our own origin only, no
# inline script or style (behaviour lives in static/js, styles in static/css), no
# framing. img-src allows data: for the icons Swagger UI's stylesheet embeds.
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- REST API ---------------------------------------------------------------
REST_FRAMEWORK = {
    "EXCEPTION_HANDLER": "sharekpi.api_errors.exception_handler",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an anonymous API call gets 401 with WWW-Authenticate.
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's JSON renderer and parser on orjson (the same bytes, faster); the browsable
    # API without its inline style (Content-Security-Policy).
    "DEFAULT_RENDERER_CLASSES": [
        "sharekpi.json_api.ORJSONRenderer",
        "sharekpi.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "sharekpi.json_api.ORJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "sharekpi.openapi.ShareKpiAutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ShareKPI API",
    "DESCRIPTION": "Log shares of official posts, see verification status and KPI points.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Request and response bodies as separate components: a request's required,
    # non-blank fields and file uploads described as they are (not as responses).
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "sharekpi.openapi.review_reason_required_to_reject",
    ],
    # Swagger UI from our own static files (drf-spectacular-sidecar), never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "CampaignStatusEnum": "campaigns.models.CampaignStatus",
        "ShareStatusEnum": "campaigns.models.ShareStatus",
        "ShareSourceEnum": "campaigns.models.ShareSource",
        "SnapshotSourceEnum": "presence.models.SnapshotSource",
        "PlatformEnum": "accounts.models.Platform",
    },
}

# --- Celery -----------------------------------------------------------------
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_IGNORE_RESULT = True
# One queue by default; a separate name isolates a deployment (or a test run) on a shared Redis.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("SHAREKPI_TASK_QUEUE", "celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Keep each worker thread's database connection between tasks (CONN_MAX_AGE and the
# health check decide, see sharekpi.celery), instead of Celery's Django fix-up
# closing it before and after every task: a new PostgreSQL connection per task cost
# more than the task's own queries.
CELERY_DB_REUSE_MAX = 1_000_000
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {
        "task": "health.tasks.record_heartbeat",
        "schedule": 30.0,
    },
    # Recompute the open KPI years from the shares once a day (set-based); the
    # per-share signal keeps them current in between.
    "scoring-recompute-kpi-scores": {
        "task": "scoring.tasks.recompute_kpi_scores",
        "schedule": 24 * 60 * 60.0,
    },
    # Rebuild the dashboard's share counts of recent campaigns once a day (set-based);
    # the per-share signal keeps them current in between.
    "dashboard-refresh-stats": {
        "task": "dashboard.tasks.refresh_dashboard_stats",
        "schedule": 24 * 60 * 60.0,
    },
    # Fold the status changes noted since into the dashboard's counts (reads fold too).
    "dashboard-fold-changes": {
        "task": "dashboard.tasks.fold_dashboard_changes",
        "schedule": 10.0,
    },
}

# --- ShareKPI ---------------------------------------------------------------
# How long without a worker heartbeat before /healthz reports the worker down.
SHAREKPI_HEARTBEAT_MAX_AGE_SECONDS = int(os.environ.get("SHAREKPI_HEARTBEAT_MAX_AGE", "120"))
# Where people reach the app: for links in emails sent by commands
# (web requests use their own host).
SHAREKPI_BASE_URL = os.environ.get("SHAREKPI_BASE_URL", "http://127.0.0.1:8000")
SHAREKPI_ORGANISATION_NAME = os.environ.get("SHAREKPI_ORGANISATION_NAME", "ShareKPI demo agency")
# First month of the KPI year (1 = calendar year).
SHAREKPI_KPI_YEAR_START_MONTH = int(os.environ.get("SHAREKPI_KPI_YEAR_START_MONTH", "1"))

# Verification: off = structural checks only, no outbound requests.
SHAREKPI_VERIFY_NETWORK = env_flag("SHAREKPI_VERIFY_NETWORK", True)
# Workers on the thread pool write their verifications' decisions in shared
# transactions (verification.group_commit); off: one transaction per share.
SHAREKPI_VERIFY_GROUP_COMMIT = env_flag("SHAREKPI_VERIFY_GROUP_COMMIT", True)
# A web process gathers the shares logged within this many milliseconds into one
# verification message (verification.batching); 0: one message per share, sent in the
# request.
SHAREKPI_VERIFY_PUBLISH_BATCH_MS = float(os.environ.get("SHAREKPI_VERIFY_PUBLISH_BATCH_MS", "100"))
SHAREKPI_FETCH_CONNECT_TIMEOUT = float(os.environ.get("SHAREKPI_FETCH_CONNECT_TIMEOUT", "5"))
SHAREKPI_FETCH_READ_TIMEOUT = float(os.environ.get("SHAREKPI_FETCH_READ_TIMEOUT", "10"))
# Wall-clock limit for one fetch, all redirect hops together.
SHAREKPI_FETCH_TOTAL_TIMEOUT = float(os.environ.get("SHAREKPI_FETCH_TOTAL_TIMEOUT", "20"))
SHAREKPI_FETCH_MAX_BYTES = int(os.environ.get("SHAREKPI_FETCH_MAX_BYTES", str(2 * 1024 * 1024)))
SHAREKPI_FETCH_MAX_REDIRECTS = 5
SHAREKPI_FETCH_USER_AGENT = "ShareKPI-verifier/0.1 (share verification for staff KPI)"
# Hosts allowed on top of the platforms' own (comma-separated).
SHAREKPI_FETCH_EXTRA_HOSTS = env_list("SHAREKPI_FETCH_EXTRA_HOSTS")
# TEST ONLY: {"www.tiktok.com": "127.0.0.1:8123"} sends that host's requests,
# over plain http, to a local fake platform server. Never set in production.
SHAREKPI_FETCH_TEST_HOST_MAP: dict[str, str] = {}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"no_traceback_for_4xx": {"()": "sharekpi.errors.NoTracebackFor4xx"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # A 403 or 404 is logged as one line, never with a traceback.
        "django.request": {"filters": ["no_traceback_for_4xx"]},
    },
}

# --- Share verification (verification.services, verification.tasks) ---------------
# At most this many requests per second to one platform host, all workers together
# (counted in Redis when the broker is Redis, else per process). 0 = no limit.
SHAREKPI_RATE_LIMIT_PER_HOST = int(os.environ.get("SHAREKPI_RATE_LIMIT_PER_HOST", "5"))
# Tries after the first when a platform cannot be reached (time-out, 429, 5xx); then review.
SHAREKPI_VERIFY_MAX_RETRIES = int(os.environ.get("SHAREKPI_VERIFY_MAX_RETRIES", "5"))
# Exponential backoff factor in seconds (30, 60, 120, ... with full jitter), and the
# longest wait between two tries, a platform's Retry-After included.
SHAREKPI_VERIFY_RETRY_BACKOFF = int(os.environ.get("SHAREKPI_VERIFY_RETRY_BACKOFF", "30"))
SHAREKPI_VERIFY_RETRY_MAX_DELAY = int(os.environ.get("SHAREKPI_VERIFY_RETRY_MAX_DELAY", "600"))
# The database unreachable during a verification (a restart, a failover): retried this
# many times with its own backoff (2, 4, 8 … s with jitter, at most the max delay).
SHAREKPI_VERIFY_DB_MAX_RETRIES = int(os.environ.get("SHAREKPI_VERIFY_DB_MAX_RETRIES", "10"))
SHAREKPI_VERIFY_DB_RETRY_BACKOFF = float(os.environ.get("SHAREKPI_VERIFY_DB_RETRY_BACKOFF", "2"))
SHAREKPI_VERIFY_DB_RETRY_MAX_DELAY = float(
    os.environ.get("SHAREKPI_VERIFY_DB_RETRY_MAX_DELAY", "60")
)
# Shares still pending after this many minutes are queued again (lost message, broker outage).
SHAREKPI_PENDING_SWEEP_MINUTES = float(os.environ.get("SHAREKPI_PENDING_SWEEP_MINUTES", "10"))
# Re-checks of verified shares: a batch of the ones checked longest ago per beat run,
# each share at most once per SHAREKPI_RECHECK_MIN_AGE_HOURS.
SHAREKPI_RECHECK_BATCH_SIZE = int(os.environ.get("SHAREKPI_RECHECK_BATCH_SIZE", "100"))
SHAREKPI_RECHECK_MIN_AGE_HOURS = float(os.environ.get("SHAREKPI_RECHECK_MIN_AGE_HOURS", "24"))
# Screenshots staff attach to a share in review (PNG, JPEG, WebP or GIF).
SHAREKPI_SCREENSHOT_MAX_BYTES = int(
    os.environ.get("SHAREKPI_SCREENSHOT_MAX_BYTES", str(5 * 1024 * 1024))
)
# Screenshots are decoded and encoded again (sharekpi.screenshots): at most this many
# pixels (width x height), checked before the image is unpacked (decompression bombs).
SHAREKPI_SCREENSHOT_MAX_PIXELS = int(os.environ.get("SHAREKPI_SCREENSHOT_MAX_PIXELS", "25000000"))
# Appeals: days after a rejection or removal in which the staff member may appeal (once).
SHAREKPI_APPEAL_DAYS = int(os.environ.get("SHAREKPI_APPEAL_DAYS", "14"))
# !!! TEST ONLY !!! tests/integration starts a real worker process that must reach the
# local fake platform server; it passes the host map (JSON, e.g.
# {"publish.twitter.com": "127.0.0.1:8123"}) in this environment variable. verification.fetch
# accepts loopback ip:port values only. NEVER set it in production.
if os.environ.get("SHAREKPI_FETCH_TEST_HOST_MAP"):
    import json as _json

    SHAREKPI_FETCH_TEST_HOST_MAP = _json.loads(os.environ["SHAREKPI_FETCH_TEST_HOST_MAP"])

CELERY_BEAT_SCHEDULE["verification-sweep-pending"] = {
    "task": "verification.tasks.sweep_pending",
    "schedule": 300.0,
}
CELERY_BEAT_SCHEDULE["verification-recheck-verified"] = {
    "task": "verification.tasks.recheck_verified",
    "schedule": 900.0,
}

# Retention: screenshots and verification attempt details of a KPI year are purged
# this many days after the year was closed (verification.retention; daily beat task).
SHAREKPI_RETENTION_DAYS = int(os.environ.get("SHAREKPI_RETENTION_DAYS", "730"))
CELERY_BEAT_SCHEDULE["verification-purge-expired"] = {
    "task": "verification.tasks.purge_expired",
    "schedule": 24 * 3600.0,
}

# Notifications (notifications/): the weekly digest and team summaries, Mondays 08:00
# organisation time, in batches of SHAREKPI_DIGEST_BATCH_SIZE people a task.
SHAREKPI_DIGEST_BATCH_SIZE = int(os.environ.get("SHAREKPI_DIGEST_BATCH_SIZE", "500"))
CELERY_BEAT_SCHEDULE["notifications-weekly-digests"] = {
    "task": "notifications.tasks.send_weekly_digests",
    "schedule": _crontab(day_of_week="mon", hour=8, minute=0),
}

# --- Follower growth (presence.followers_api; daily beat task) -----------------------
# The official API hosts the daily follower fetch may reach through the safe fetch
# (only that fetch: a link a person pastes never reaches them). Comma-separated.
# Nothing is fetched for a platform until HR saves its key (admin: follower API keys).
SHAREKPI_FOLLOWER_API_HOSTS = env_list(
    "SHAREKPI_FOLLOWER_API_HOSTS", "www.googleapis.com,api.x.com"
)
CELERY_BEAT_SCHEDULE["presence-fetch-follower-counts"] = {
    "task": "presence.tasks.fetch_follower_counts",
    "schedule": 24 * 3600.0,
}
# The compliance report (/presence/) keeps its per-unit counts this many seconds in the
# cache (dropped at once when a person, account, confirmation or rule changes; bulk
# writes wait for the time-out). 0 = count on every request.
SHAREKPI_PRESENCE_REPORT_CACHE_SECONDS = int(
    os.environ.get("SHAREKPI_PRESENCE_REPORT_CACHE_SECONDS", "60")
)
