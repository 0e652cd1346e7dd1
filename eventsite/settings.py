"""Settings of eventsite, all read from environment variables.

Two modes: ``development`` (the default: SQLite, tasks in-process, email to files under ``var/``)
and ``production`` (``EVENTSITE_ENV=production``: a secret key and hosts are required, HTTPS-only
cookies and HSTS, so that ``manage.py check --deploy`` reports nothing).
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

ENVIRONMENT = env.str("EVENTSITE_ENV", default="development")
if ENVIRONMENT not in {"development", "production"}:
    raise environ.ImproperlyConfigured(
        f"EVENTSITE_ENV must be 'development' or 'production', not {ENVIRONMENT!r}"
    )
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="development-only-key-never-use-in-production")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The public address of the site, used in emails and calendar files that leave the site.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_countries",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "eventsite",
    "members",
    "agenda",
    "registrations",
    "badges",
    "reports",
    "webhooks",
    "privacy",
]

MIDDLEWARE = [
    # /healthz first: a load balancer asks by address and over plain HTTP, which the host check
    # and the HTTPS redirect below would refuse; it answers nothing but two states.
    "eventsite.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # A scanner's everyday scan, in one statement on PostgreSQL; after the HTTPS redirect and
    # security headers, before what a device's JSON request does not use (badges/fastpath/).
    "badges.fastpath.CheckInFastPathMiddleware",
    # The everyday registration in a rush for seats, in two statements on PostgreSQL
    # (registrations/fastpath/), likewise.
    "registrations.fastpath.RegistrationFastPathMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "agenda.page_cache.EventPageCacheMiddleware",
    "eventsite.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "eventsite.urls"
WSGI_APPLICATION = "eventsite.wsgi.application"

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
                "eventsite.context_processors.site",
            ],
        },
    },
]

if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    # The embedded default: a file under var/, made on first use.
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES = {"default": env.db_url_config(f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the development server and a Celery worker share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            # Every transaction takes the write lock when it begins, so two registrations can
            # never both count the same free seat: writes are serialised on SQLite.
            "transaction_mode": "IMMEDIATE",
        }
    )
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable database is an error (a 503, /healthz failing) after this many seconds,
    # rather than a worker hanging on the connection until gunicorn kills it.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )
    # A statement run a few times on a connection is prepared: PostgreSQL plans it once per
    # connection (CONN_MAX_AGE keeps them) instead of at every run, which was most of its CPU
    # for a scan at the door. psycopg prepares only statements whose parameters the server
    # binds. A pooler in transaction mode needs prepared-statement support (pgbouncer 1.21+,
    # max_prepared_statements), or DATABASE_PREPARED_STATEMENTS=False.
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        DATABASES["default"]["OPTIONS"].setdefault("server_side_binding", True)
        DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The shared cache (Redis in production) and a per-process cache for rendered pages, whose keys
# carry the version of what they show, so a stale entry is never served.
CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://default"),
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["eventsite.formats"]
LANGUAGE_COOKIE_NAME = "eventsite_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# Uploaded files (speaker photos, documents, gallery, badge and report PDFs) go to MEDIA_ROOT by
# default: a mounted volume in production. Another Django storage can take them instead, named
# by MEDIA_STORAGE_BACKEND with its OPTIONS as JSON in MEDIA_STORAGE_OPTIONS (docs/deploy.md).
STORAGES = {
    "default": {
        "BACKEND": env.str(
            "MEDIA_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": env.json("MEDIA_STORAGE_OPTIONS", default={}),
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploads larger than this stay on disk while they are checked.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=25 * 1024 * 1024)
PHOTO_MAX_BYTES = env.int("PHOTO_MAX_BYTES", default=10 * 1024 * 1024)

if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    # The embedded default: each email a file under var/mail/, to read without a mail server.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
# A mail server that stops answering fails the attempt (retried later) instead of holding a worker.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="EU LMPN Events <events@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
# Registration emails a web process commits within this many milliseconds go to the broker as
# one task (registrations/dispatch.py): a task per email costs each request about 0.5 ms. 0: a
# task per email, at once.
EMAIL_DISPATCH_WINDOW_MS = env.int(
    "EMAIL_DISPATCH_WINDOW_MS", default=100 if CELERY_BROKER_URL else 0
)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task whose worker died before acknowledging it (killed, host lost) is handed out again once
# this many seconds have passed since it was first handed out: Redis restores it when a worker
# starts, or at a worker's next check (every 100 s). Keep it longer than the longest task and
# the longest retry countdown, or such a task would be handed out twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
}
# The worker logs through LOGGING above (JSON and redacted), not through a handler of its own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "send-pending-emails": {
        "task": "registrations.tasks.send_pending_emails",
        "schedule": 60.0,
    },
    "send-reminders": {"task": "registrations.tasks.send_reminders", "schedule": 15 * 60.0},
    # Webhook deliveries due: retries, and those whose queueing found no broker.
    "send-due-webhooks": {"task": "webhooks.tasks.send_due_webhooks", "schedule": 60.0},
    "send-feedback-invitations": {
        "task": "reports.tasks.send_feedback_invitations",
        "schedule": 60 * 60.0,
    },
    # Daily, at night (UTC): needs first, then whole events, then data requests.
    "privacy-erase-special-category": {
        "task": "privacy.tasks.erase_special_category",
        "schedule": crontab(hour=2, minute=10),
    },
    "privacy-apply-retention": {
        "task": "privacy.tasks.apply_retention",
        "schedule": crontab(hour=2, minute=20),
    },
    "privacy-sweep-data-requests": {
        "task": "privacy.tasks.sweep_data_requests",
        "schedule": crontab(hour=2, minute=30),
    },
}
# Personal data of an event is anonymised this many days after it ends (each event may set its
# own); needs and answers to sensitive questions are erased sooner. See docs/privacy.md.
PRIVACY_RETENTION_DAYS = env.int("PRIVACY_RETENTION_DAYS", default=730)
PRIVACY_SPECIAL_CATEGORY_DAYS = env.int("PRIVACY_SPECIAL_CATEGORY_DAYS", default=30)
# Webhooks to organisers' systems (docs/webhooks.md): targets must be https and on the public
# internet unless these allow plain http or private addresses (development and tests only).
WEBHOOKS_ALLOW_HTTP = env.bool("WEBHOOKS_ALLOW_HTTP", default=False)
WEBHOOKS_ALLOW_PRIVATE_NETWORKS = env.bool("WEBHOOKS_ALLOW_PRIVATE_NETWORKS", default=False)
# How long a data request's emailed link, and a confirmed copy of one's data, stay valid.
PRIVACY_REQUEST_VALID_DAYS = env.int("PRIVACY_REQUEST_VALID_DAYS", default=7)

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    # Session users (organisers in the admin) must send the CSRF token with unsafe requests;
    # scripts use "Authorization: Token <key>", an API token made in the admin for the events
    # it may reach (agenda.api.scope).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "agenda.api.auth.OrganiserTokenAuthentication",
    ],
    "EXCEPTION_HANDLER": "eventsite.api.exception_handler",
    # How many proxies in front of the site add to X-Forwarded-For: rate limits count the client
    # address they recorded (with 0, the connecting address), never the whole header, which any
    # client could vary to escape the limits.
    "NUM_PROXIES": env.int("API_NUM_PROXIES", default=1 if PRODUCTION else 0),
    # Scopes used by the throttles of the registration API (registrations/api/views.py).
    "DEFAULT_THROTTLE_RATES": {
        "registration_create": env.str("API_RATE_REGISTRATION", default="20/minute"),
        "registration_token": env.str("API_RATE_OWN_REGISTRATION", default="60/minute"),
        "user": env.str("API_RATE_USER", default="600/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "eventsite API",
    "DESCRIPTION": (
        "Events, agenda, registrations and check-in of the network's events.\n\n"
        "Each published event's agenda is also served, outside this API and without "
        "authentication, in the formats conference apps read: "
        "`/events/{slug}/schedule.xml` (frab schedule XML, as pretalx writes it), "
        "`/events/{slug}/schedule.json` (the same in frab's JSON), "
        "`/events/{slug}/schedule.xcal` (xCal, RFC 6321) and "
        "`/events/{slug}/calendar.ics` (iCalendar). They carry ETag and Last-Modified headers: "
        "send If-None-Match to get a 304 when nothing changed."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Several models have a "status"; each choice set gets its own name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "RegistrationStatusEnum": "registrations.enums.RegistrationStatus",
        "PickStatusEnum": "registrations.enums.PickStatus",
        # Also named by list fields (the print runs' "roles", "organisation_types").
        "RoleEnum": "badges.enums.BadgeRole",
        "OrganisationTypeEnum": "members.enums.OrganisationType",
    },
    # The errors DRF answers by itself (invalid input, credentials, not found, rate limits) are
    # documented on every operation where they can happen; views document their own rules'.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "eventsite.api.document_error_responses",
    ],
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        # Entering the browsers' preload list is the domain owner's decision, taken outside
        # the site; the HSTS header itself is on.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# One JSON object a line in production (LOG_FORMAT=json), text in development; in both, the
# filter of eventsite/logging.py removes email addresses, badge codes and tokens.
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if PRODUCTION else "plain")
if LOG_FORMAT not in {"json", "plain"}:
    raise environ.ImproperlyConfigured(f"LOG_FORMAT must be 'json' or 'plain', not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "eventsite.logging.RedactingFilter"}},
    "formatters": {
        "plain": {
            "()": "eventsite.logging.PlainFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
        "json": {"()": "eventsite.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint reports every step of every render at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
SPECTACULAR_SETTINGS.update(
    {
        "SWAGGER_UI_DIST": "SIDECAR",
        "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
        "REDOC_DIST": "SIDECAR",
    }
)
