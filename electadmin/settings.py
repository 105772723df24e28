"""Settings for electadmin, read from the environment only (see README "Configuration")."""

import datetime
import re
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env (git-ignored) is read when present; `make run` writes one with a random key.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY and DEBUG:
    # Development only: a throw-away key per process; never used with DEBUG off.
    SECRET_KEY = get_random_secret_key()
# With DEBUG off and no key, commands that sign nothing (makemigrations --check, migrate, check)
# still run; the web entry points refuse to start (electadmin.serving), and Django itself refuses
# anything that would sign with an empty key.

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "territory.admin_site.ElectAdminConfig",  # django.contrib.admin with the scoped site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",  # login throttling (core/security.py)
    "core",
    "territory",
    "registry",
    "results",
    "api",  # the auditors' API, above the domain apps
]
# Development tooling (devtools/: load_demo, bench, loadtest): on with DEBUG unless DEVTOOLS says
# otherwise; `make bench` (DEBUG=0) sets DEVTOOLS=1. Production (DEBUG off, no DEVTOOLS) leaves it out.
DEVTOOLS = env.bool("DEVTOOLS", default=DEBUG)
if DEVTOOLS:
    INSTALLED_APPS.append("devtools")

MIDDLEWARE = [
    "core.logging.RequestIdMiddleware",  # first: every log line of the request carries its id
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "electadmin.db_router.ReplicaForApiMiddleware",  # API reads from DATABASE_REPLICA_URL when set
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.security.ClerkIdleTimeoutMiddleware",  # non-staff sessions end after CLERK_SESSION_IDLE_MINUTES
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the lockout page
]

ROOT_URLCONF = "electadmin.urls"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

WSGI_APPLICATION = "electadmin.wsgi.application"
ASGI_APPLICATION = "electadmin.asgi.application"

# The management command this process runs ("" for gunicorn, Celery, tests).
COMMAND = sys.argv[1] if len(sys.argv) > 1 and Path(sys.argv[0]).name == "manage.py" else ""
RUNSERVER = COMMAND == "runserver"

# The application connects as DATABASE_URL's role, which may read and write rows but not change the
# schema, truncate or alter the audit tables (docs/OPERATIONS.md, section 11). The commands that change
# the schema or grant privileges connect as the owner role of MIGRATION_DATABASE_URL when it is set.
OWNER_COMMANDS = {"migrate", "setup_db_roles", "createcachetable"}
_owner_url = env.str("MIGRATION_DATABASE_URL", default="")
DATABASES = {
    "default": env.db_url_config(_owner_url)
    if _owner_url and COMMAND in OWNER_COMMANDS
    else env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Wait for a competing writer instead of failing at once.
    # IMMEDIATE: a writing transaction takes the write lock at BEGIN, so read-then-write
    # sequences (the audit chain, entry state checks) cannot interleave.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
else:
    # Persistent connections (seconds; 0 closes after each request): one per gunicorn thread. Keep
    # hosts x WEB_CONCURRENCY x GUNICORN_THREADS, plus Celery's, below PostgreSQL's max_connections
    # (docs/OPERATIONS.md, "Connection budget").
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    if RUNSERVER:
        # The development server runs a thread per request, and a persistent connection per thread
        # is never closed: connections pile up to max_connections. One per request instead.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# Optional read replica for the read-only API, through electadmin/db_router.py.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"].get("CONN_MAX_AGE", 0)
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["electadmin.db_router.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2id at OWASP's recommended parameters (core/passwords.py); PBKDF2 (Django's default) and its
# other hashers still verify older hashes, which are rehashed with Argon2id at the next login.
PASSWORD_HASHERS = [
    "core.passwords.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ru"
LANGUAGES = [("kk", _("Kazakh")), ("ru", _("Russian")), ("en", _("English"))]
# The first catalogue holding a msgid wins: the project's own (locale/), then the Kazakh translations of
# third-party strings their packages leave untranslated (locale_vendor/<package>, scripts/vendor_catalogues.py;
# without them Django falls back to LANGUAGE_CODE and a Kazakh page shows Russian), then the packages' own.
# locale/ stays first: makemessages writes a source file's msgids to the first of these whose parent directory
# holds the file, and locale/'s parent is the repository (locale_vendor/'s parents hold no source).
VENDOR_LOCALES = ("admin", "auth", "contenttypes", "sessions", "rest_framework", "django_filters", "axes", "django")
LOCALE_PATHS = [BASE_DIR / "locale", *(BASE_DIR / "locale_vendor" / package for package in VENDOR_LOCALES)]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Almaty")
USE_I18N = True
USE_TZ = True
# The language chosen with the switcher (templates/includes/language_switcher.html, POST to
# /i18n/setlang/) is kept in Django's language cookie for a year.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = not DEBUG
# Kazakh date and number formats (Django ships none for kk); ru and en are Django's own.
# USE_THOUSAND_SEPARATOR stays off: it would group ids and figures inside form fields.
FORMAT_MODULE_PATH = ["electadmin.formats"]

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files (the photographs of signed paper protocols) live under MEDIA_ROOT, which no URL
# serves: they are read only through results' authenticated, territory-scoped views and the API.
# Never set MEDIA_URL to a public path nor point MEDIA_ROOT inside STATIC_ROOT.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Protocol attachments: local files under MEDIA_ROOT by default; an S3-compatible store in
    # production (django-storages, docs/OPERATIONS.md section 14) by ATTACHMENTS_STORAGE_BACKEND
    # and its options.
    "attachments": {
        "BACKEND": env.str("ATTACHMENTS_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"),
        "OPTIONS": env.json("ATTACHMENTS_STORAGE_OPTIONS", default={}),
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Serve static files from the finders when nothing was collected (development and tests).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

LOGIN_URL = "admin:login"
# The admin's path (no leading slash, one trailing slash): a less guessable one keeps scanners off it.
ADMIN_URL = env.str("ADMIN_URL", default="admin/")
if not re.fullmatch(r"([A-Za-z0-9._~-]+/)+", ADMIN_URL):
    raise ImproperlyConfigured('ADMIN_URL must look like "admin/" or "office/admin/" (no leading slash).')

# Login throttling (django-axes) on every login form: the admin's and the clerks' /entry/login/.
# After AXES_FAILURE_LIMIT failures for one user name from one address, or AXES_USERNAME_FAILURE_LIMIT
# failures for one user name from all addresses together, the user name is locked out for
# AXES_COOLOFF_MINUTES (core.security.LoginThrottle); a successful login resets the count. Failures
# during a lockout do not extend it. Trade-off in docs/OPERATIONS.md, section 12.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out login before the password is checked
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_USERNAME_FAILURE_LIMIT = env.int("AXES_USERNAME_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]  # the user-name-wide lock: LoginThrottle
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # an attacker cannot stretch a lockout
AXES_LOCKOUT_TEMPLATE = "security/lockout.html"
AXES_HANDLER = "core.security.LoginThrottle"  # counts in the database, shared by every web process
AXES_USERNAME_CALLABLE = "core.security.axes_username"  # cut to 150 characters, no NUL
AXES_CLIENT_IP_CALLABLE = "core.security.client_ip"  # the client's address behind nginx
# Proxies whose X-Forwarded-For is believed: the same list gunicorn trusts (deploy/gunicorn.conf.py).
TRUSTED_PROXY_IPS = env.list("FORWARDED_ALLOW_IPS", default=["127.0.0.1", "::1"])
AXES_VERBOSE = False  # axes' own log lines would name the user and address at every attempt

# Sessions: SESSION_COOKIE_AGE bounds every session; a non-staff user (a clerk, a precinct chair)
# is also logged out after CLERK_SESSION_IDLE_MINUTES without a request (core/security.py).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
CLERK_SESSION_IDLE_MINUTES = env.int("CLERK_SESSION_IDLE_MINUTES", default=30)

# Content-Security-Policy (django-csp): scripts, styles, images and fonts only from this site,
# no inline script or style, no framing. The API docs pages widen it per view (api/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Security: strict whenever DEBUG is off (`manage.py check --deploy` stays clean).
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Load balancers probe the health endpoints over plain HTTP (core/health.py).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Results: the two entries of a protocol and its resolution come from three different people;
# on, the chair of a precinct commission of two active members may resolve an entry they made
# (the audit record marks it; results/services/resolution.py).
RESULTS_TWO_MEMBER_CHAIR_MAY_RESOLVE = env.bool("RESULTS_TWO_MEMBER_CHAIR_MAY_RESOLVE", default=False)
# Photographs (JPEG, PNG) or scans (PDF) of the signed paper protocol: the largest file accepted, in
# bytes (the type is checked by content: results/services/attachments.py). nginx's
# client_max_body_size (deploy/nginx) must stay above it.
RESULTS_ATTACHMENT_MAX_BYTES = env.int("RESULTS_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)

# Celery: with no broker configured, tasks run eagerly in-process (development, demo).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=25 * 60)
# Longer than the longest task, so an unacknowledged task is not redelivered while running.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=2 * 60 * 60)}
if not CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT < CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]:
    raise ImproperlyConfigured(
        "Need CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT < CELERY_VISIBILITY_TIMEOUT (seconds)."
    )
# Processes per worker; unset: one per CPU.
CELERY_WORKER_CONCURRENCY = env.int("CELERY_WORKER_CONCURRENCY", default=None)
# Workers log through LOGGING below (JSON lines), not Celery's own root handler.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Nightly full aggregation (results.tasks.aggregate_all) at AGGREGATION_NIGHTLY_AT local time
# (TIME_ZONE, Asia/Almaty), converted to the UTC hour and minute Celery's crontab runs on.
_nightly_at = datetime.datetime.strptime(env.str("AGGREGATION_NIGHTLY_AT", default="02:00"), "%H:%M").time()
_nightly_utc = datetime.datetime.combine(datetime.date.today(), _nightly_at, tzinfo=ZoneInfo(TIME_ZONE)).astimezone(
    datetime.UTC
)
CELERY_BEAT_SCHEDULE = {
    "aggregate-all-nightly": {
        "task": "results.tasks.aggregate_all",
        "schedule": crontab(hour=_nightly_utc.hour, minute=_nightly_utc.minute),
    },
    # Elections whose candidates became final get their protocols (runoffs and by-elections too).
    "create-due-protocols-hourly": {
        "task": "results.tasks.create_due_protocols",
        "schedule": crontab(minute=5),
    },
    # Seats whose end date passed: their members lose the commission group (territory.services).
    "sync-groups-of-ended-seats-nightly": {
        "task": "territory.tasks.sync_groups_of_ended_seats",
        "schedule": crontab(hour=_nightly_utc.hour, minute=(_nightly_utc.minute + 30) % 60),
    },
    # A signed checkpoint of the audit trail at least hourly (every aggregation run makes one too).
    "audit-checkpoint-hourly": {
        "task": "core.tasks.make_audit_checkpoint",
        "schedule": crontab(minute=env.int("AUDIT_CHECKPOINT_MINUTE", default=7)),
    },
}

# Signed checkpoints of the audit trail (core/checkpoints.py, docs/OPERATIONS.md section 13): the
# Ed25519 private key, base64 of its 32 bytes or PEM (`manage.py audit_checkpoint --new-key`);
# never stored in the database. Unset: with DEBUG a throw-away key per process, without DEBUG no
# checkpoint is made (and `check --deploy` warns). AUDIT_PUBLIC_KEY: the published public key that
# verify_audit requires of every checkpoint (default: the signing key's own).
AUDIT_SIGNING_KEY = env.str("AUDIT_SIGNING_KEY", default="").replace("\\n", "\n")
AUDIT_PUBLIC_KEY = env.str("AUDIT_PUBLIC_KEY", default="")

REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

# The auditors' read-only API (api/, api/urls.py, docs/API.md).
# Requests per token ("600/min", "20/s", "10000/day"); empty: no limit. Counted in the default cache.
API_THROTTLE_RATE = env.str("API_THROTTLE_RATE", default="600/min")
if API_THROTTLE_RATE and not re.fullmatch(r"[0-9]+/(s|sec|second|m|min|minute|h|hour|d|day)", API_THROTTLE_RATE):
    raise ImproperlyConfigured('API_THROTTLE_RATE must look like "600/min" (per s, min, hour or day).')
API_PAGE_SIZE = env.int("API_PAGE_SIZE", default=100)  # default page size; clients may ask 1 to 1000
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=90)  # default lifetime of an issued API token
# Rendered pages of results and turnout kept in the "api-pages" cache (api/cache.py), keyed by
# the result tables' version; this bounds how long a name corrected outside aggregation may lag. 0: off.
API_CACHE_SECONDS = env.int("API_CACHE_SECONDS", default=60)
# The default cache holds the API's throttle counts: in Redis when one is configured (CACHE_URL, else
# the Redis of CELERY_BROKER_URL, under its own key prefix), so every web process counts together;
# without Redis, each process's memory as before.
CACHE_URL = env.str("CACHE_URL", default="") or (
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else ""
)
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "electadmin-cache",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    # Apart from the default, so that many distinct pages never push throttle counters out.
    "api-pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "api-pages",
        "OPTIONS": {"MAX_ENTRIES": 1000},
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "electadmin auditors' API",
    "DESCRIPTION": "Read-only data of elections, candidates, protocols and results. See docs/API.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_GENERATE_CHOICE_DESCRIPTION": True,
    "ENUM_NAME_OVERRIDES": {
        "UnitKindEnum": "territory.kato.Kind.CHOICES",
        "EntryKindEnum": "results.models.ProtocolEntry.Kind",
    },
}

DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="demo")

# Logs go to stdout: JSON lines with request id and user id (core/logging.py), text in development.
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("LOG_FORMAT must be json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_context": {"()": "core.logging.RequestContextFilter"},
        "no_query_strings": {"()": "core.logging.WithoutQueryStrings"},
    },
    "formatters": {
        "json": {"()": "core.logging.JsonFormatter"},
        "text": {"()": "core.logging.TextFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": LOG_FORMAT,
            "filters": ["request_context"],
        }
    },
    # Django's own loggers through the same handler only (its default adds a second console handler).
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # A 4xx/5xx record carries the request: only its method, path and user (core.logging.LoggedRequest).
        "django.request": {"filters": ["no_query_strings"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
