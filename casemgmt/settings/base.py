"""Settings shared by every environment.

Configuration comes from the environment (django-environ). When DATABASE_URL or
REDIS_URL is unset, the values written by `python -m casemgmt.devservices start`
(embedded PostgreSQL and Redis under var/) are used; see README "Configuration".
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
VAR_DIR = Path(env("CASEMGMT_VAR_DIR", default=str(BASE_DIR / "var")))
# Embedded services publish their URLs here; real environment variables win.
SERVICES_ENV_FILE = VAR_DIR / "services.env"
if SERVICES_ENV_FILE.exists():
    env.read_env(str(SERVICES_ENV_FILE), overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "guardian",
    "axes",
    "django_htmx",
    "django_celery_beat",
    "casemgmt.core",
    "cases",
    "filings",
    "docket",
    "payments",
    "programs",
    "casemgmt.dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "casemgmt.core.middleware.IdleSessionTimeoutMiddleware",
    "casemgmt.core.middleware.AccessCacheMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Axes last: it turns a lockout raised by authenticate() into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "casemgmt.urls"
WSGI_APPLICATION = "casemgmt.wsgi.application"

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
                "casemgmt.core.context_processors.shell",
            ],
        },
    },
]

# PostgreSQL only, everywhere (DESIGN.md "Decisions").
DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/casemgmt")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Fuzzy party-name search (pg_trgm `%>`): a typo or two must still match
# ("jonson" ~ "johnson" scores 0.5; the extension's default threshold is 0.6).
PG_CONNECTION_OPTIONS = (
    "-c pg_trgm.word_similarity_threshold=0.45 -c pg_trgm.similarity_threshold=0.3"
)
DATABASES["default"].setdefault("OPTIONS", {})["options"] = PG_CONNECTION_OPTIONS
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "casemgmt",
    }
}

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    # Axes first so a locked-out account is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

# CJIS Security Policy 5.6.2.1: passwords of at least 12 characters (we use
# Django's validators on top: similarity, common passwords, not all digits).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# CJIS 5.5.3: lock the account after 5 consecutive failed attempts for 10 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=10)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = (
    False  # 10 minutes from the lock, not from the last try
)
# The lock is per account (CJIS 5.5.3). Locking by address too would lock a whole
# courthouse behind one NAT address; address rate limits belong to the reverse proxy.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# CJIS 5.5.5: the session ends after 30 minutes without activity.
SESSION_IDLE_TIMEOUT = timedelta(minutes=env.int("SESSION_IDLE_MINUTES", default=30))
SESSION_COOKIE_AGE = 12 * 60 * 60  # absolute limit: one working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "en-us"
LANGUAGES = [("en", "English"), ("es", "Español")]
TIME_ZONE = env("TIME_ZONE", default="America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
NODE_MODULES = BASE_DIR / "node_modules"
# Front-end assets come from npm (package.json); they are collected, never committed.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/uswds", NODE_MODULES / "@uswds" / "uswds" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/chartjs", NODE_MODULES / "chart.js" / "dist"),
]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "media"},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
# The largest document a filing may upload (PDF); the reverse proxy must allow a bit more.
FILINGS_MAX_UPLOAD_BYTES = env.int("FILINGS_MAX_UPLOAD_BYTES", default=25 * 1024 * 1024)

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="casemgmt <noreply@court.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "casemgmt.core.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "casemgmt.core.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "casemgmt.core.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "casemgmt REST API",
    "DESCRIPTION": "Court case management: cases, dockets, hearings, filings, payments.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Several models have a `status`; name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "cases.models.CaseStatus",
        "HearingStatusEnum": "docket.models.HearingStatus",
        "SessionStatusEnum": "docket.models.SessionStatus",
        "DrawerStatusEnum": "payments.models.DrawerStatus",
        "PlanStatusEnum": "payments.models.PlanStatus",
        "DisbursementRunStatusEnum": "payments.models.DisbursementRunStatus",
    },
}

# Celery: JSON only, no result backend (nothing reads task results).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Periodic tasks, one entry per job (times in CELERY_TIMEZONE); DatabaseScheduler copies
# them into django_celery_beat's tables at start, where admin can pause or retime them.
# Exactly one beat process runs (DESIGN.md).
CELERY_BEAT_SCHEDULE = {
    "filings-orphans-sweep": {
        "task": "filings.tasks.document_orphans_sweep_task",
        "schedule": crontab(hour=3, minute=15),
    },
    "filings-packets-stale-requeue": {
        "task": "filings.tasks.packets_stale_requeue",
        "schedule": crontab(minute="*/10"),
    },
    # Plans are judged by each court's own date: 04:30 here is past midnight in every US
    # zone west of this one, so no court is judged by yesterday.
    "payments-plans-nightly": {
        "task": "payments.tasks.payment_plans_nightly",
        "schedule": crontab(hour=4, minute=30),
    },
    # Hourly: the monitor itself decides when a night is ready in the courts' own zones
    # (past DOCKET_DEADLINE_MONITOR_HOUR everywhere), so no DST night skips or repeats it.
    "docket-deadline-monitor": {
        "task": "docket.tasks.deadline_monitor",
        "schedule": crontab(minute=5),
    },
    # Hourly, like the deadline monitor: each court's drug-test selection of its new day
    # once its clock passes PROGRAMS_NIGHTLY_HOUR (01:00), and the compliance run of the
    # night every court has reached; both made once, whatever DST does to the hour.
    "programs-nightly": {
        "task": "programs.tasks.programs_nightly",
        "schedule": crontab(minute=20),
    },
    # The dashboard's rollups: the day's status changes folded in and each court's
    # pending-age snapshots of its own yesterday and today (both dates, so the hour suits
    # every zone); what changes after it is read live until the next night.
    "dashboard-rollups-nightly": {
        "task": "casemgmt.dashboard.tasks.dashboard_rollups_refresh",
        "schedule": crontab(hour=2, minute=40),
    },
    "dashboard-reports-stale-requeue": {
        "task": "casemgmt.dashboard.tasks.monthly_reports_stale_requeue",
        "schedule": crontab(minute="*/10"),
    },
    "dashboard-exports-stale-requeue": {
        "task": "casemgmt.dashboard.tasks.dashboard_exports_stale_requeue",
        "schedule": crontab(minute="*/10"),
    },
    # The files of the dashboard's worker exports are cleared once past
    # DASHBOARD_EXPORT_KEEP_DAYS (the jobs and their audit trail stay).
    "dashboard-exports-expire": {
        "task": "casemgmt.dashboard.tasks.dashboard_exports_expire",
        "schedule": crontab(hour=3, minute=35),
    },
}
# A drill-down list of the dashboard with more rows than this is written to CSV by the
# worker (with progress and a download link) instead of being streamed in the request.
DASHBOARD_EXPORT_INLINE_MAX_ROWS = env.int("DASHBOARD_EXPORT_INLINE_MAX_ROWS", default=5000)
# Days a worker export's file may be downloaded after it is written.
DASHBOARD_EXPORT_KEEP_DAYS = env.int("DASHBOARD_EXPORT_KEEP_DAYS", default=7)
# Days before a deadline that its owner, attorneys of record and supervisors are alerted.
DOCKET_DEADLINE_ALERT_HORIZONS = tuple(
    env.list("DOCKET_DEADLINE_ALERT_HORIZONS", cast=int, default=[7, 1])
)
# Court-local hour after which the deadline monitor processes the night (01:00).
DOCKET_DEADLINE_MONITOR_HOUR = env.int("DOCKET_DEADLINE_MONITOR_HOUR", default=1)
# Deadline digests per send task the monitor queues (each digest still sent once, alone).
DOCKET_DIGEST_BATCH_SIZE = env.int("DOCKET_DIGEST_BATCH_SIZE", default=250)
# Court-local hour after which the programs' nightly job draws the day's drug tests and
# judges compliance (01:00).
PROGRAMS_NIGHTLY_HOUR = env.int("PROGRAMS_NIGHTLY_HOUR", default=1)
# Community service is behind schedule when the hours done fall short of the hours expected
# by now by more than this share of the requirement.
PROGRAMS_HOURS_BEHIND_TOLERANCE = env.float("PROGRAMS_HOURS_BEHIND_TOLERANCE", default=0.10)
# Days a participant is given to answer a notice of non-compliance.
PROGRAMS_NONCOMPLIANCE_RESPOND_DAYS = env.int("PROGRAMS_NONCOMPLIANCE_RESPOND_DAYS", default=10)
# Nights a flag whose notice could not be issued is tried again.
PROGRAMS_NOTICE_RETRY_DAYS = env.int("PROGRAMS_NOTICE_RETRY_DAYS", default=7)

GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None  # the public is Django's AnonymousUser, not a database row

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
