"""Settings shared by every mode; everything that differs between machines comes from the
environment (12-factor)."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("QINGDAN_VAR_DIR", BASE_DIR / "var"))
# The default SQLite database, the embedded broker and uploads live here; a fresh clone has no
# var/, and SQLite cannot create a database in a folder that does not exist.
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "core.adminsite.QingdanAdminConfig",  # the Django admin, administrators only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "core",
    "registry",
    "adjustments",
    "complaints",
    "inspections",
    "decisions",
    "accountability",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before any view reads a filter: a control character in the query string is a 400.
    "core.middleware.HostileQueryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "core.middleware.RequestContextMiddleware",
    # Anonymous reads of public pages from the replica, when there is one (core.db_router).
    "core.middleware.ReplicaReadsMiddleware",
    # Last, as django-axes requires: it turns a lockout into the lockout page.
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
                "core.context_processors.calendar_reminder",
            ],
        },
    },
]


def database(url: str) -> dict:
    """One entry of DATABASES. A connection is kept for DATABASE_CONN_MAX_AGE seconds and
    reused by the next requests of its process (or thread), and checked before reuse, so a
    connection the server or a pooler closed meanwhile is replaced instead of failing the
    request. DATABASE_DISABLE_SERVER_SIDE_CURSORS is for a PgBouncer in transaction mode
    (docs/scaling.md)."""
    return dj_database_url.parse(
        url,
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
        disable_server_side_cursors=env_bool("DATABASE_DISABLE_SERVER_SIDE_CURSORS", False),
    )


DATABASES = {
    "default": database(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'qingdan.sqlite3'}"
    )
}
# A streaming replica of the PostgreSQL primary, for the reads of anonymous visitors' public
# pages and API (core.db_router, docs/scaling.md). Everything else, staff, every write, tasks
# and commands stay on the primary. A client that sent anything but a read reads the primary
# for DATABASE_REPLICA_PIN_SECONDS, so what it just filed is there when it looks (this
# product's default: far above the lag of a healthy streaming replica, which is under a
# second on a local network, and cheap, as only that client's reads move).
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
DATABASE_REPLICA_PIN_SECONDS = int(os.environ.get("DATABASE_REPLICA_PIN_SECONDS", "60"))
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = database(DATABASE_REPLICA_URL)
    DATABASE_ROUTERS = ["core.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# The client's address (core.middleware.client_ip, used by the audit trail and the lockout):
# the number of reverse proxies in front of the site that append to X-Forwarded-For. 0 reads
# REMOTE_ADDR; docker-compose sets 1 for the city's proxy (docs/deployment.md).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# Login protection for an internet-facing site (django-axes). Offices share one address behind
# their gateway: keyed on the address alone, one person guessing would lock out the whole
# office, so the lockout is keyed on username and address together, and it expires
# (NOTES.md, Libraries). The cool-off is fixed: attempts made while locked are refused without
# being counted, so they do not restart it (axes' default restarts it, and one guess every 15
# minutes kept a user locked for ever). The audit trail already records every login, so axes
# keeps no log of its own.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_CLIENT_IP_CALLABLE = "core.middleware.client_ip"
# Password spraying (a few guesses at each of many user names) stays under the per-name limit:
# this many failures from one address, over any user names within the cool-off, refuse that
# address for the cool-off (core.login_protection). This product's default: well above what
# one office's typing errors reach in 15 minutes, and it caps a sprayer at 20 guesses per
# cool-off per address.
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("LOGIN_ADDRESS_FAILURE_LIMIT", "20"))
AXES_HANDLER = "core.login_protection.LoginProtectionHandler"
AXES_LOCKOUT_TEMPLATE = "core/login_locked.html"
AXES_VERBOSE = False  # no banner on every command; lockouts are still logged
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "qingdan@localhost")
# The site's public address, for links in e-mails sent by workers (which have no request).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Django's cache: counters of the rate limits (core.throttle). Per process (locmem) unless
# CACHE_URL names a Redis (redis://host:6379/1, docker-compose), which every web process
# shares, so a limit holds for the whole site.
CACHE_URL = os.environ.get("CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        # Per process: enough entries for the public pages of a busy hour (core.page_cache).
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    )
}

# Anonymous pages and public API reads are cached per published state (core.page_cache): a
# publication is visible at once, so the timeout (this product's default) only bounds what the
# cache keeps. 0 turns the cache off (the benchmark's uncached figures).
PUBLIC_PAGE_CACHE_SECONDS = int(os.environ.get("PUBLIC_PAGE_CACHE_SECONDS", "600"))
PUBLIC_PAGE_STATE = "registry.selectors.publication_key"

# Long lists (core.pagination, issue 11 §3); this product's defaults, no seed sets them. Rows
# are counted exactly up to LIST_EXACT_COUNT_LIMIT (2,000 rows cost a few milliseconds to
# count), above it a list says "about N" from PostgreSQL's estimate; pages go as deep as
# LIST_MAX_ROWS rows (400 pages of 25), beyond which a search must be narrowed.
LIST_EXACT_COUNT_LIMIT = int(os.environ.get("LIST_EXACT_COUNT_LIMIT", "2000"))
LIST_MAX_ROWS = int(os.environ.get("LIST_MAX_ROWS", "10000"))
# A search first reads at most LIST_WINDOW_ROWS rows of the list's order (a few milliseconds
# of an index, where the GIN bitmap of one common pair alone costs ten), and searches a list
# PostgreSQL expects to be at most LIST_SCAN_ROWS long row by row rather than through the GIN
# index. This product's defaults, measured at province scale (bench/RESULTS.md).
LIST_WINDOW_ROWS = int(os.environ.get("LIST_WINDOW_ROWS", "2000"))
LIST_SCAN_ROWS = int(os.environ.get("LIST_SCAN_ROWS", "20000"))

# Exports of the public lists (issue 10 §3, registry.exports); these are this product's
# defaults, no seed sets them. A list of up to EXPORT_INLINE_ROWS rows (a department's list of
# a few hundred items) is built in the request: 500 rows take about as long as the first
# /lists/ page (0.3 s, docs/operations.md); a larger one is built by a worker, once per
# published state. Each client (its account, else its address) may ask for
# EXPORT_THROTTLE_COUNT exports every EXPORT_THROTTLE_SECONDS; checking on a workbook being
# built is not counted.
EXPORT_INLINE_ROWS = int(os.environ.get("EXPORT_INLINE_ROWS", "500"))
EXPORT_THROTTLE_COUNT = int(os.environ.get("EXPORT_THROTTLE_COUNT", "20"))
EXPORT_THROTTLE_SECONDS = int(os.environ.get("EXPORT_THROTTLE_SECONDS", "600"))

# Complaints from the public (issue 12 §10: flood protection without any external service);
# this product's defaults, no seed sets them. Counted per client (its account, else its
# address) in fixed windows, as the exports are. The complaint form may be sent
# COMPLAINT_FILE_THROTTLE_COUNT times every COMPLAINT_FILE_THROTTLE_SECONDS (a person corrects
# and sends a few times; a script is stopped). After COMPLAINT_CAPTCHA_AFTER complaints received
# from one client within COMPLAINT_CAPTCHA_SECONDS, the form asks for the digits of a picture
# the site draws itself (core.captcha), each picture valid for CAPTCHA_MAX_AGE seconds. The
# tracking page answers COMPLAINT_TRACK_THROTTLE_COUNT requests every
# COMPLAINT_TRACK_THROTTLE_SECONDS, and after COMPLAINT_TRACK_FAILURE_COUNT wrong code and
# secret pairs within COMPLAINT_TRACK_FAILURE_SECONDS, none until that window ends (a secret
# has 50 random bits: the limit keeps guessing from costing the site, not from succeeding).
COMPLAINT_FILE_THROTTLE_COUNT = int(os.environ.get("COMPLAINT_FILE_THROTTLE_COUNT", "20"))
COMPLAINT_FILE_THROTTLE_SECONDS = int(os.environ.get("COMPLAINT_FILE_THROTTLE_SECONDS", "3600"))
COMPLAINT_CAPTCHA_AFTER = int(os.environ.get("COMPLAINT_CAPTCHA_AFTER", "3"))
COMPLAINT_CAPTCHA_SECONDS = int(os.environ.get("COMPLAINT_CAPTCHA_SECONDS", "3600"))
CAPTCHA_MAX_AGE = int(os.environ.get("CAPTCHA_MAX_AGE", "1800"))
COMPLAINT_TRACK_THROTTLE_COUNT = int(os.environ.get("COMPLAINT_TRACK_THROTTLE_COUNT", "60"))
COMPLAINT_TRACK_THROTTLE_SECONDS = int(os.environ.get("COMPLAINT_TRACK_THROTTLE_SECONDS", "600"))
COMPLAINT_TRACK_FAILURE_COUNT = int(os.environ.get("COMPLAINT_TRACK_FAILURE_COUNT", "10"))
COMPLAINT_TRACK_FAILURE_SECONDS = int(os.environ.get("COMPLAINT_TRACK_FAILURE_SECONDS", "900"))

# Celery: the database is the truth, the broker only carries triggers (docs/architecture.md).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_FOLDER = VAR_DIR / "celery-broker"
if CELERY_BROKER_URL == "filesystem://":
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER / "queue"),
        "data_folder_out": str(CELERY_BROKER_FOLDER / "queue"),
        "processed_folder": str(CELERY_BROKER_FOLDER / "processed"),
        "store_processed": False,
        # Remote control (`celery inspect`) would otherwise write into the current directory.
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.api.permissions.RolePermission"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": _("Qingdan API"),
    "DESCRIPTION": _("Read and work API of the five lists and their procedures"),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Served by the site itself: government intranets have no internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets that share a field name ("status", "level") get names of their own.
    "ENUM_NAME_OVERRIDES": {
        "EntryStatusEnum": "registry.choices.EntryStatus",
        "PlanStateEnum": "inspections.choices.PlanState",
        "DrawStateEnum": "inspections.choices.DrawState",
        "InspectionStateEnum": "inspections.choices.InspectionState",
        "ProblemStateEnum": "inspections.choices.ProblemState",
        "NoticeStateEnum": "inspections.choices.NoticeState",
        "LawStatusEnum": "registry.choices.LawStatus",
        "LawLevelEnum": "registry.choices.LawLevel",
        "JurisdictionLevelEnum": "core.choices.JurisdictionLevel",
        "DeadlineUnitEnum": "core.choices.DeadlineUnit",
        "RequestStateEnum": "adjustments.choices.RequestState",
        "TransitionEnum": "adjustments.choices.Transition",
        "StepKindEnum": "adjustments.choices.StepKind",
        "StepOutcomeEnum": "adjustments.choices.StepOutcome",
        "TriggerKindEnum": "adjustments.choices.TriggerKind",
        "AdjustmentPathEnum": "adjustments.choices.AdjustmentPath",
        "RequestOriginEnum": "adjustments.choices.RequestOrigin",
        "ChangeKindEnum": "adjustments.choices.ChangeKind",
        "ReviewConclusionEnum": "adjustments.choices.ReviewConclusion",
        "ComplaintStateEnum": "complaints.choices.ComplaintState",
        "ComplaintTransitionEnum": "complaints.choices.Transition",
        "ComplaintStepKindEnum": "complaints.choices.StepKind",
        "ComplaintStepOutcomeEnum": "complaints.choices.StepOutcome",
        "ComplaintGroundEnum": "complaints.choices.Ground",
        "RefusalGroundEnum": "complaints.choices.RefusalGround",
        "ComplaintChannelEnum": "complaints.choices.Channel",
        "ComplainantKindEnum": "complaints.choices.ComplainantKind",
        "IdTypeEnum": "complaints.choices.IdType",
        "ComplaintOutcomeEnum": "complaints.choices.Outcome",
        "ComplaintRatingEnum": "complaints.choices.Rating",
        "ReviewDecisionEnum": "complaints.choices.ReviewDecision",
        "DecisionStateEnum": "decisions.choices.DecisionState",
        "DecisionStepKindEnum": "decisions.choices.StepKind",
        "DecisionSourceEnum": "decisions.choices.Source",
        "DecisionFlagEnum": "decisions.choices.Flag",
        "PartyKindEnum": "decisions.choices.PartyKind",
        "PenaltyKindEnum": "decisions.choices.PenaltyKind",
        "RedactionReasonEnum": "decisions.choices.RedactionReason",
        "DecisionActionEnum": "decisions.api.staff.API_ACTIONS",
        "DecisionKindEnum": "decisions.filtersets.KIND_CHOICES",
        "RedactableFieldEnum": "decisions.forms.REDACTABLE_CHOICES",
    },
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint logs each rendering step at INFO: eight lines per PDF say nothing useful.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}
