"""Settings for the after-sales application.

Every value comes from the environment, with defaults that run a development
instance on a bare machine (SQLite and kombu's file-system broker under
``var/``). Production differs only by environment values.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("DATA_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# DJANGO_ENV=production (or DEBUG=false) switches every security default to its
# production value below; `manage.py check --deploy` passes with no warning then.
DJANGO_ENV = os.environ.get("DJANGO_ENV", "development").strip().lower()
DEBUG = env_bool("DEBUG", DJANGO_ENV != "production")
PRODUCTION = DJANGO_ENV == "production" or not DEBUG
SECRET_KEY = os.environ.get("SECRET_KEY", "" if PRODUCTION else "dev-only-insecure-key-change-me")
if PRODUCTION and not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment in production.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Invoicing: the key that seals the invoice hash chain (HMAC of each hash). Keep it
# apart from SECRET_KEY in production and never rotate it: old seals are checked with it.
INVOICING_CHAIN_KEY = os.environ.get("INVOICING_CHAIN_KEY", SECRET_KEY)
# Fernet keys that encrypt secrets at rest (TOTP seeds), newest first; see aftersales/lib/encryption.py.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "axes",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "template_partials",
    "aftersales.accounts",
    "aftersales.audit",
    "aftersales.customers",
    "aftersales.messaging",
    "aftersales.jobs",
    "appointments",
    "workshop",
    "invoicing",
    "followup",
    "kpis",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Private, no-store on signed-in pages and PDFs (shared tablets keep nothing personal in a cache).
    "aftersales.lib.cache_control.NoStoreMiddleware",
    # Around LoginRequiredMiddleware: its redirect of an htmx request to the login becomes an HX-Redirect (full page).
    "aftersales.accounts.htmx_login.HtmxLoginRedirectMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "aftersales.accounts.middleware.UserLanguageMiddleware",
    # Once the user's language is known, before anything reads the body (the CSRF check reads the form in its
    # process_view, after every middleware's call): 413 past REQUEST_BODY_MAX_BYTES, a page in the user's language.
    "aftersales.lib.request_size.RequestBodyLimitMiddleware",
    # Then U+0000 is removed from every query and form value (PostgreSQL refuses it in text).
    "aftersales.lib.nul_bytes.StripNulMiddleware",
    "aftersales.accounts.middleware.SiteTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "aftersales.accounts.middleware.SessionTimeoutMiddleware",
    "aftersales.accounts.two_factor.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

# Request bodies. The largest legitimate one is a walk-around or inspection photo
# (workshop.services.MAX_PHOTO_BYTES, 10 MiB) with its few form fields: anything
# above 12 MiB is refused with 413 before a view reads it (keep a reverse proxy's
# limit, e.g. nginx client_max_body_size, at least as high).
REQUEST_BODY_MAX_BYTES = int(os.environ.get("REQUEST_BODY_MAX_BYTES", str(12 * 1024 * 1024)))
# Form fields without the files: the largest is a drawn signature (at most 1 MiB of
# PNG, about 1.4 MiB as a base64 data URL, a little more URL-encoded).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(2 * 1024 * 1024 + 512 * 1024)))
# An uploaded photo above this size is spooled to a temporary file rather than held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("FILE_UPLOAD_MAX_MEMORY_SIZE", str(2 * 1024 * 1024 + 512 * 1024)))
# The longest form is the inspection sheet (a rating and a note per point); 1000 leaves ample room.
DATA_UPLOAD_MAX_NUMBER_FIELDS = int(os.environ.get("DATA_UPLOAD_MAX_NUMBER_FIELDS", "1000"))

ROOT_URLCONF = "aftersales.urls"
WSGI_APPLICATION = "aftersales.wsgi.application"

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
                "aftersales.accounts.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'aftersales.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Immediate transactions take the write lock at BEGIN, so two bookings of
    # one slot serialise instead of failing half-way; WAL lets readers go on.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATA_DIR.mkdir(parents=True, exist_ok=True)
ATOMIC_REQUESTS = True
DATABASES["default"]["ATOMIC_REQUESTS"] = ATOMIC_REQUESTS
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Argon2 first: a login costs milliseconds of memory-hard hashing instead of a million PBKDF2 rounds;
# older PBKDF2 hashes still verify and are rehashed with Argon2 at the next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("ru", _("Russian")),
    ("zh-hans", _("Simplified Chinese")),
]
LOCALE_PATHS = [BASE_DIR / "aftersales" / "locale"]
# Date formats per language, with the project's named ones (LONG_DATE_FORMAT…): see aftersales/formats.
FORMAT_MODULE_PATH = ["aftersales.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": os.environ.get("STATICFILES_STORAGE", "whitenoise.storage.CompressedManifestStaticFilesStorage")},
}
WHITENOISE_USE_FINDERS = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security ------------------------------------------------------------------
# Shared reception tablets: a session ends after SESSION_IDLE_TIMEOUT seconds
# without a request and SESSION_ABSOLUTE_TIMEOUT seconds after the login,
# whatever the activity (aftersales.accounts.middleware.SessionTimeoutMiddleware).
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", str(30 * 60)))
SESSION_ABSOLUTE_TIMEOUT = int(os.environ.get("SESSION_ABSOLUTE_TIMEOUT", str(12 * 3600)))
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True  # htmx sends the token from the page, never reads the cookie
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600 if PRODUCTION else 0)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)
# Behind a TLS-terminating proxy: SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https
# (only when the proxy always sets that header itself).
SECURE_PROXY_SSL_HEADER = tuple(env_list("SECURE_PROXY_SSL_HEADER", "")) or None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp 4): our own files only, no inline script
# or style, no eval; images also as data:/blob: URLs (signature pad, photos).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}
# Login brute force (django-axes): 5 failures for one username from one IP
# lock that pair for AXES_COOLOFF_MINUTES (a call centre shares one IP, so
# never by IP alone); an administrator unlocks from the staff admin.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_DISABLE_ACCESS_LOG = True  # logins are logged by accounts.AuthEvent
AXES_VERBOSE = False
# Number of reverse proxies in front of the application, each appending to X-Forwarded-For: the client is the
# address the outermost one saw (aftersales.lib.client_ip). 0: reached directly, X-Forwarded-For is ignored.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT") or 0)
AXES_CLIENT_IP_CALLABLE = "aftersales.lib.client_ip.client_ip"
# Two-factor login (TOTP) is required of these roles and of superusers.
TWO_FACTOR_ROLES = env_list("TWO_FACTOR_ROLES", "manager,cashier,admin")
TWO_FACTOR_ISSUER = os.environ.get("TWO_FACTOR_ISSUER", "After-sales")
# The reference page of `manage.py bench_pages` (/bench/reference/, 25 rows in one query): 404 unless on.
BENCH_REFERENCE_PAGE = env_bool("BENCH_REFERENCE_PAGE", False)

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "service@aftersales.localhost")

# SMS: "console" records messages as sent (development), "locmem" keeps them
# in memory (tests), "twilio" sends through Twilio's REST API.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "console")
TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
TWILIO_DEFAULT_FROM = os.environ.get("TWILIO_DEFAULT_FROM", "")
# The HTTP layer the twilio client uses (tests point it at a local fake Twilio).
TWILIO_HTTP_CLIENT = os.environ.get("TWILIO_HTTP_CLIENT", "twilio.http.http_client.TwilioHttpClient")
TWILIO_TIMEOUT = float(os.environ.get("TWILIO_TIMEOUT", "15"))

REDIS_URL = os.environ.get("REDIS_URL", "")
BROKER_DIR = DATA_DIR / "broker"
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
if not REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "out"),
        "data_folder_out": str(BROKER_DIR / "out"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
    for _folder in ("out", "processed", "control"):
        (BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# The cache holds the rate limits of the public pages (one-time codes, online
# bookings, contact form): production needs the shared Redis cache, since a
# per-process memory cache counts each worker apart.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = "UTC"
# Each timed job serves a business rule of DOMAIN.md; the stage apps add
# theirs here as they come.
CELERY_BEAT_SCHEDULE: dict = {}
# Messaging: every minute, hand due outbox messages (confirmations within
# 30 minutes, reminders once quiet hours end) to a worker and recover sends
# a killed worker left half-done, without ever sending twice.
CELERY_BEAT_SCHEDULE["messaging-sweep-outbox"] = {
    "task": "aftersales.jobs.tasks.run_timed_job",
    "schedule": 60.0,
    "args": ["sweep_outbox"],
}
# Booking: the 24 h confirmation (DOMAIN §2): every hour, ask each customer
# booked for the next day (site time) to confirm; once per appointment.
CELERY_BEAT_SCHEDULE["appointments-booking-reminders"] = {
    "task": "aftersales.jobs.tasks.run_timed_job",
    "schedule": 3600.0,
    "args": ["booking_reminders"],
}
# Online booking: 2 working hours for web/e-mail requests, DOMAIN §1: every
# 5 minutes, flag each request past its due time to the site's managers, once.
CELERY_BEAT_SCHEDULE["appointments-web-request-escalations"] = {
    "task": "aftersales.jobs.tasks.run_timed_job",
    "schedule": 300.0,
    "args": ["web_request_escalations"],
}

# Follow-up: the 1-month maintenance reminder, DOMAIN §7 (and the site's extra
# touches); hourly so each site's day starts in its own time zone, once per
# vehicle, due service and touch whatever the reruns.
CELERY_BEAT_SCHEDULE["followup-maintenance-reminders"] = {
    "task": "aftersales.jobs.tasks.run_timed_job",
    "schedule": 3600.0,
    "args": ["maintenance_reminders"],
}
# Follow-up: no booking and no answer a week after a reminder -> contact again
# (a CRC call or the other channel), DOMAIN §1 and §7.
CELERY_BEAT_SCHEDULE["followup-reminder-recontacts"] = {
    "task": "aftersales.jobs.tasks.run_timed_job",
    "schedule": 3600.0,
    "args": ["reminder_recontacts"],
}
# Follow-up: a complaint gets an answer within 24 h, else its site's managers
# are alerted (DOMAIN §7); every 5 minutes, once per complaint.
CELERY_BEAT_SCHEDULE["followup-complaint-escalations"] = {
    "task": "aftersales.jobs.tasks.run_timed_job",
    "schedule": 300.0,
    "args": ["complaint_escalations"],
}
# Follow-up after the handover (DOMAIN §7): every 15 minutes, each closed
# handover gets its 7-day callback (a CRC call on an open day, or the survey
# link) and, 24 to 72 h after, outside quiet hours, the one-tap quick touch;
# once per handover whatever the reruns.
CELERY_BEAT_SCHEDULE["followup-visit-followups"] = {
    "task": "aftersales.jobs.tasks.run_timed_job",
    "schedule": 900.0,
    "args": ["visit_followups"],
}
# Invoices (inalterability, issue 22): a copy of each site's chain head outside
# the database, e-mailed to its managers; hourly so each site's day starts in its
# own time zone, once per site and day whatever the reruns.
CELERY_BEAT_SCHEDULE["invoicing-chain-head-copies"] = {
    "task": "aftersales.jobs.tasks.run_timed_job",
    "schedule": 3600.0,
    "args": ["chain_head_copies"],
}
# Privacy (GDPR retention): message texts older than MESSAGE_RETENTION_DAYS
# (default 730 days) are blanked once a day; the rows and statuses stay.
MESSAGE_RETENTION_DAYS = int(os.environ.get("MESSAGE_RETENTION_DAYS", "730"))
CELERY_BEAT_SCHEDULE["messaging-purge-message-bodies"] = {
    "task": "aftersales.jobs.tasks.run_timed_job",
    "schedule": 86400.0,
    "args": ["purge_message_bodies"],
}
# KPIs: the dashboards read daily figures aggregated from the records. Every
# 10 minutes the last two days and the days ahead are rebuilt, every night the
# last 45 days (comebacks and callbacks change them), every week all of them.
CELERY_BEAT_SCHEDULE["kpis-figures-today"] = {
    "task": "aftersales.jobs.tasks.run_timed_job",
    "schedule": 600.0,
    "args": ["kpi_figures_today"],
}
CELERY_BEAT_SCHEDULE["kpis-figures-recent"] = {
    "task": "aftersales.jobs.tasks.run_timed_job",
    "schedule": crontab(hour=2, minute=30),
    "args": ["kpi_figures_recent"],
}
CELERY_BEAT_SCHEDULE["kpis-figures-all"] = {
    "task": "aftersales.jobs.tasks.run_timed_job",
    "schedule": crontab(hour=3, minute=30, day_of_week=0),
    "args": ["kpi_figures_all"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"one_line_refusals": {"()": "aftersales.lib.failures.OneLineRefusals"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # WeasyPrint reports each rendering step at INFO; only its problems matter.
        **{name: {"level": "WARNING"} for name in ("weasyprint", "fontTools")},
        # A 403 or a database outage is one line (no traceback); the auth event log keeps the refusals.
        "django.request": {"filters": ["one_line_refusals"]},
    },
}
