"""Settings shared by every environment. Values come from the environment (see .env.example)."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("JICENG_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_str("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's assets, served by the app (no CDN)
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "jiceng.core",
    "jiceng.org",
    "jiceng.accounts",
    "jiceng.members",
    "jiceng.dues",
    "jiceng.activities",
    "jiceng.notifications",
    "jiceng.campaigns",
    "jiceng.documents",
    "jiceng.assessments",
    "jiceng.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jiceng.core.middleware.DefaultLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # members / personal data: nothing shown to a signed-in user is kept by a cache.
    "jiceng.core.middleware.NoStoreMiddleware",
    "jiceng.accounts.middleware.AccountSessionMiddleware",
    "jiceng.accounts.middleware.ReauthMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jiceng.urls"
WSGI_APPLICATION = "jiceng.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "jiceng" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jiceng.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# DATABASE_URL selects the database everywhere (server, commands, tests): sqlite:///path or
# postgres://user@host:port/name. Unset, it is the embedded SQLite file in var/.
DEFAULT_SQLITE_PATH = VAR_DIR / "jiceng.sqlite3"
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DEFAULT_SQLITE_PATH}")


def database_from_url(url: str) -> dict[str, Any]:
    config: dict[str, Any] = dict(
        dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers run beside the writer; IMMEDIATE transactions take the write lock
        # up front, so concurrent writers queue on the busy timeout instead of failing with
        # "database is locked" when a read transaction tries to upgrade.
        # Connections are kept (per thread, `CONN_MAX_AGE` as for PostgreSQL): when every
        # request opened and closed its own, the last connection of a process to close
        # checkpointed and deleted the -wal and -shm files while the other processes (gunicorn
        # workers, the job worker) were opening them again, and sessions failed in bursts of
        # "disk I/O error" under load (issue 9, item 8; `core/tests/test_load.py`). The WAL is
        # kept between checkpoints and truncated to `journal_size_limit` instead of deleted.
        config["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 600)
        config["CONN_HEALTH_CHECKS"] = True
        config["OPTIONS"] = {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA journal_size_limit=67108864;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA cache_size=-65536;"
                "PRAGMA temp_store=MEMORY;"
                "PRAGMA mmap_size=268435456;"
            ),
        }
    else:
        config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASES = {"default": database_from_url(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and sign-in -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "jiceng.accounts.backends.UsernameOrPhoneBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Lockout after repeated failures (django-axes); admins unlock from the account page.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
# Locked per account *and* address: failures from one address cannot shut the account out
# from another (an attacker cannot lock officials out); a shared office NAT address is not
# locked as a whole either.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "jiceng.accounts.backends.axes_username"
AXES_LOCKOUT_CALLABLE = "jiceng.accounts.views.locked_out"
AXES_VERBOSE = False
# The address axes locks with is the one every other part reads (`core/clientip.py`).
AXES_CLIENT_IP_CALLABLE = "jiceng.core.clientip.client_address"

# The client's address (audit, sessions, lockout, rate limits; `core/clientip.py`). Behind a
# reverse proxy every request comes from the proxy: name the header the proxy sets with the
# client's address ("HTTP_X_FORWARDED_FOR" or "HTTP_X_REAL_IP"; only one the proxy always
# overwrites or appends to, never one a client can reach the server with). Empty: REMOTE_ADDR,
# and forwarding headers are ignored. With X-Forwarded-For, the client is the entry this many
# from the right (one per proxy of ours in front of the server).
TRUSTED_PROXY_HEADER = env_str("TRUSTED_PROXY_HEADER", "")
TRUSTED_PROXY_HOPS = env_int("TRUSTED_PROXY_HOPS", 1)

# Sessions end after inactivity: every request pushes the expiry forward.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# ... and end this long after sign-in whatever the activity (seconds; 12 hours by default).
SESSION_ABSOLUTE_AGE = env_int("SESSION_ABSOLUTE_HOURS", 12) * 3600

# Second factor (TOTP in an authenticator app, with one-time recovery codes; django-otp).
# Any user may turn it on; accounts of these roles must (production lists every role that may
# unmask personal data or manage accounts; see `accounts/checks.py`). Empty: password alone.
MFA_REQUIRED_ROLES: list[str] = env_list("MFA_REQUIRED_ROLES", [])
OTP_TOTP_ISSUER = "Jiceng"
# How long the code may be typed after the password was accepted (seconds).
MFA_PENDING_SECONDS = 300

# Re-authentication (`accounts/reauth.py`): a fresh password or code, no older than this
# (seconds), before unmasking, unmasked exports and account changes. The views of other apps
# are listed here by URL name (`name?param`: only when that parameter is set) and enforced by
# `accounts.middleware.ReauthMiddleware`; account views use `require_recent_auth`.
REAUTH_MAX_AGE = env_int("REAUTH_MAX_AGE", 5 * 60)
SENSITIVE_VIEWS = [
    "members:unmask",
    "members:export_csv?unmasked",
    "members:export_start?unmasked",
]

# --- Security headers and Content-Security-Policy --------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# A failed CSRF check gets the site's own page (core/error_views.py), like 400/403/404/500.
CSRF_FAILURE_VIEW = "jiceng.core.error_views.csrf_failure"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ----------------------------------------------------------------
# Front-end packages are installed from the npm lock file into node_modules by the set-up and
# served by the app itself (WhiteNoise); nothing is ever loaded from a CDN.
NODE_MODULES = BASE_DIR / "node_modules"
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    # Only echarts.min.js, copied there by `make install` (the package's dist is 51 MB).
    ("vendor/echarts", NODE_MODULES / ".served" / "echarts"),
]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Files are never served from a public URL: views check scope, then stream them.
MEDIA_URL = "/files/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MAX_PHOTO_BYTES = env_int("MAX_PHOTO_BYTES", 5 * 1024 * 1024)
MAX_DOCUMENT_BYTES = env_int("MAX_DOCUMENT_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Uploads larger than this go to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Member rosters ---------------------------------------------------------------------------
# A roster upload may be this large (the file as uploaded) ...
MAX_IMPORT_BYTES = env_int("MAX_IMPORT_BYTES", 100 * 1024 * 1024)
# ... and an .xlsx may unpack to no more than this (zip-bomb guard).
MAX_IMPORT_UNPACKED_BYTES = env_int("MAX_IMPORT_UNPACKED_BYTES", 2 * 1024 * 1024 * 1024)
# ID numbers are encrypted at rest (AES-256-GCM) and indexed by a keyed hash (HMAC-SHA256).
# In production set MEMBER_DATA_KEY to 32 random bytes, base64-encoded; without it the keys
# are derived from SECRET_KEY, which is fine for a local install but ties them together.
MEMBER_DATA_KEY = env_str("MEMBER_DATA_KEY", "")
# The production settings require it: without one, every command stops (`jiceng.E002`); a key
# that is not the base64 of exactly 32 bytes always does (`jiceng.E001`, members/checks.py).
MEMBER_DATA_KEY_REQUIRED = False

# --- members / personal data ------------------------------------------------------------------
# Searches by ID number or phone are for roles that may unmask; each is audited (with a keyed
# hash of the value) and an account may make this many of them per window (then it is told to
# wait, and may still search by name or code).
MEMBER_IDENTIFIER_SEARCH_LIMIT = env_int("MEMBER_IDENTIFIER_SEARCH_LIMIT", 30)
MEMBER_IDENTIFIER_SEARCH_WINDOW_MINUTES = env_int("MEMBER_IDENTIFIER_SEARCH_WINDOW_MINUTES", 60)

# --- Cache ----------------------------------------------------------------------------------
# Shared by the web workers and the job worker (job progress, rate limits): files in var/ for
# the embedded set-up, Redis when REDIS_URL is set (redis://127.0.0.1:6379/0).
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Background jobs --------------------------------------------------------------------------
# Imports, large exports and roll-up rebuilds run in a job queue (django-tasks) whose queue is a
# table in the same database, so the embedded set-up needs no other server. `make run` starts
# one worker (`manage.py db_worker`) beside the web server.
TASKS = {"default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
# A running job that has not reported progress for this long is shown as interrupted and may
# be resumed.
JOB_STALE_SECONDS = env_int("JOB_STALE_SECONDS", 120)

# --- Files and retention ----------------------------------------------------------------------
# Finished exports and uploaded rosters (whatever became of their job) are deleted this many
# seconds after the export finished / the roster was uploaded (a day by default): each job
# queues `purge_expired_files` for its expiry, and `manage.py purge_expired_files` does the same
# by hand or from cron. Job rows stay; their pages then say the file has expired.
FILE_RETENTION_SECONDS = env_int("FILE_RETENTION_SECONDS", 24 * 3600)
# Where the key that encrypts export files at rest comes from (AES-256-GCM, derived from
# MEMBER_DATA_KEY): a function returning 32 bytes.
FILE_ENCRYPTION_KEY = "jiceng.members.crypto.file_key"

# --- Dues and complaints (rollup-tables) -----------------------------------------------------
# A dues payment above this many times the member's due for its year asks for confirmation
# (the form shows a checkbox; a caller of the service passes confirm_large_amount=True).
DUES_LARGE_PAYMENT_FACTOR = env_int("DUES_LARGE_PAYMENT_FACTOR", 3)
# A complaint is overdue when it has no first response by the end of this many working days
# (Monday to Friday) after the day it was received.
COMPLAINT_RESPONSE_WORKING_DAYS = env_int("COMPLAINT_RESPONSE_WORKING_DAYS", 2)

# --- API --------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Session first: a request without credentials answers 403, as the pages do.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "jiceng.api.authentication.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["jiceng.api.permissions.SignedIn"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "jiceng.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "jiceng.api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "jiceng.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
# notifications: reminders announce a task this many days before its deadline; email goes out
# only where a mail host is configured (intranets often have none), with links on SITE_URL.
REMINDER_DUE_DAYS = int(env_str("REMINDER_DUE_DAYS", "3"))
EMAIL_HOST = env_str("EMAIL_HOST", "")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "jiceng@localhost")
SITE_URL = env_str("SITE_URL", "")

SPECTACULAR_SETTINGS = {
    "TITLE": "Jiceng API",
    "DESCRIPTION": "Scoped REST API of the Jiceng platform. Every endpoint answers only "
    "inside the signed-in user's subtree.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema, like the docs (/api/v1/docs/) and the rest of the API, for signed-in users.
    "SERVE_PERMISSIONS": ["jiceng.api.permissions.SignedIn"],
    # Ids in API paths are the `id` converter's (jiceng/api/converters.py).
    "PATH_CONVERTER_OVERRIDES": {
        "id": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
    },
    # Enums two serializers share get one name each in the schema.
    "ENUM_NAME_OVERRIDES": {
        "CampaignStatusEnum": "jiceng.campaigns.models.CampaignStatus",
        "TaskLevelEnum": "jiceng.campaigns.serializers.TASK_LEVEL_CHOICES",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No validator badge: it would load an image from swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # members / personal data: no log line carries a URL's query string (it may hold a search
    # for an ID number or phone); the development server's request log included.
    "filters": {"no_query_strings": {"()": "jiceng.core.middleware.WithoutQueryStrings"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["no_query_strings"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["no_query_strings"],
        },
    },
    "loggers": {
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False}
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# Page sizes of the long lists.
PAGE_SIZE = 50

# (Lockout is by account and address together, see "Accounts and sign-in": axes.W006, which
# asks for the address among the lockout parameters, no longer needs silencing.)
SILENCED_SYSTEM_CHECKS: list[str] = []
