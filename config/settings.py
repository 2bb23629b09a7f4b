"""Guildbook settings: wiring only, every value from the environment (see .env.example)."""

import os
from pathlib import Path

import environ
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

# The process's environment wins over the file; the file is read before any value is used.
env_file = Path(os.environ.get("GUILDBOOK_ENV_FILE") or BASE_DIR / ".env")
if env_file.exists():
    environ.Env.read_env(env_file)
env = environ.Env()
# An empty value means "use the default", so `.env.example` copied unchanged works.
env.ENVIRON = {key: value for key, value in os.environ.items() if value != ""}

VAR_DIR = Path(env.str("GUILDBOOK_VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=False)
TESTING = env.bool("GUILDBOOK_TESTING", default=False)
# Production must set SECRET_KEY. Left empty, commands that need no secret (migrate,
# makemigrations) still run, and Django refuses anything that signs or hashes with it.
SECRET_KEY = env.str("SECRET_KEY", default="") or (
    "dev-only-insecure-key-change-me" if (DEBUG or TESTING) else ""
)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "axes",
    # Before allauth so our templates (allauth/layouts/*, account/*) override its plain ones.
    "guildbook.accounts",
    "allauth",
    "allauth.account",
    "django_tasks",
    "django_tasks_db",
    "guildbook.core",
    "guildbook.notifications",
    "guildbook.training",
    "guildbook.surveys",
    "guildbook.insights",
    "guildbook.qualifications",
    "guildbook.portfolios",
    "guildbook.api",
]

MIDDLEWARE = [
    "guildbook.core.proxies.ProxyHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "guildbook.core.caching.PersonalPagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "guildbook.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'guildbook.sqlite3'}")
}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # Our SQLite engine queues writers fairly; see guildbook/core/sqlite/base.py.
    _db["ENGINE"] = "guildbook.core.sqlite"
    _db.setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=600))
    # IMMEDIATE takes the write lock at BEGIN, so two writers queue on the busy timeout
    # instead of failing with "database is locked" when one upgrades a read lock.
    _db.setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=30),
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        }
    )
else:
    if _db["ENGINE"] == "django.db.backends.postgresql":
        # Checks a kept connection without a round trip; see guildbook/core/postgresql/base.py.
        _db["ENGINE"] = "guildbook.core.postgresql"
    _db.setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    _db.setdefault("CONN_HEALTH_CHECKS", True)
_db.setdefault("TEST", {})
if env.str("TEST_DATABASE_NAME", default=""):
    _db["TEST"]["NAME"] = env.str("TEST_DATABASE_NAME")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Sign-in (allauth) ---------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_LOGIN_METHODS = {"email"}
# The password is optional: people who only book can sign in by e-mailed code for ever.
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 900
# "Send a new code" on the code page (a code lost to a slow or spam-filtered mail), twice.
ACCOUNT_LOGIN_BY_CODE_SUPPORTS_RESEND = True
ACCOUNT_EMAIL_VERIFICATION_SUPPORTS_RESEND = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_ADAPTER = "guildbook.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "signup": "guildbook.accounts.forms.SignupForm",
    "request_login_code": "guildbook.accounts.forms.RequestLoginCodeForm",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Guildbook] "
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "request_login_code": "20/m/ip,3/m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "training:catalogue"

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 1  # hours
# The account and the address together: behind a proxy, or on a shared office network, one
# person's wrong passwords must not lock everyone else out.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "guildbook.core.proxies.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if TESTING
    else [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    ]
)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# --- Caching --------------------------------------------------------------------------
# "default" holds sign-in rate limits, so every server process and machine must share it:
# the database's cache table unless CACHE_URL names Redis (or another shared cache).
# "pages" is each process's own copy of rendered pages that are keyed by their data's
# version (the anonymous catalogue), where sharing would only add a round trip.
CACHES = {
    "default": env.cache("CACHE_URL", default="dbcache://guildbook_cache"),
    "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"},
}

# --- Language and time ----------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
if not MEDIA_ROOT.is_absolute() or MEDIA_ROOT in (Path("/"), BASE_DIR):
    # A relative path lands uploads wherever the server was started; the root or the code's
    # directory would let an upload overwrite something else.
    raise ImproperlyConfigured(
        f"MEDIA_ROOT must be the absolute path of a directory for uploads alone, not "
        f"{str(MEDIA_ROOT)!r}. Leave it empty to use {VAR_DIR / 'media'}."
    )
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# --- E-mail ---------------------------------------------------------------------------
# In development every message is kept in the development mailbox (a file each, read on the
# staff page /dev/mail/) and shown in short on the console; see docs/subsystems/notifications.md.
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="guildbook.notifications.dev_mailbox.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
GUILDBOOK_DEV_MAILBOX = env.str(
    "GUILDBOOK_DEV_MAILBOX", default=str(VAR_DIR / "mail") if DEBUG else ""
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# A message that failed for a temporary reason is tried again after 1, 2, 4… minutes, at most
# six hours apart.
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=60)
OUTBOX_RETRY_MAX_SECONDS = env.int("OUTBOX_RETRY_MAX_SECONDS", default=6 * 60 * 60)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Guildbook <training@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background tasks -----------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Security -------------------------------------------------------------------------
SECURE = env.bool("SECURE", default=not DEBUG and not TESTING)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=SECURE)
# Proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (addresses or networks);
# from anyone else those headers are dropped (guildbook/core/proxies.py).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Guildbook ------------------------------------------------------------------------
GUILDBOOK_SERVICE_NAME = env.str("GUILDBOOK_SERVICE_NAME", default="Library and Knowledge Service")
# The hand-written SQL of the hottest paths (booking, claiming and recording e-mail); false
# runs their ORM twins instead, e.g. on a database Guildbook has not been tuned for.
GUILDBOOK_FAST_PATHS = env.bool("GUILDBOOK_FAST_PATHS", default=True)
# Anonymous survey answers are shown only for whole quarters with at least this many responses.
SURVEY_ANONYMITY_MIN_RESPONSES = env.int("SURVEY_ANONYMITY_MIN_RESPONSES", default=5)
# Where a note goes that would go to a session's trainers when nobody runs the session.
GUILDBOOK_TRAINING_INBOX = env.str("GUILDBOOK_TRAINING_INBOX", default="")

# --- Privacy (docs/subsystems/privacy.md) ------------------------------------------------
# When a person is erased, their named survey answers are "anonymise"d (choices and numbers
# kept for the results, free text removed) or "remove"d.
ERASURE_NAMED_ANSWERS = env.str("ERASURE_NAMED_ANSWERS", default="anonymise")
if ERASURE_NAMED_ANSWERS not in ("anonymise", "remove"):
    raise ImproperlyConfigured("ERASURE_NAMED_ANSWERS must be 'anonymise' or 'remove'.")
# How long things are kept; 0 keeps them for ever. The worker applies these once a day;
# `guildbook retention --dry-run` says what would go.
RETENTION_NO_SHOW_MONTHS = env.int("RETENTION_NO_SHOW_MONTHS", default=24)
RETENTION_OUTBOX_DAYS = env.int("RETENTION_OUTBOX_DAYS", default=365)
RETENTION_NAMED_ANSWERS_MONTHS = env.int("RETENTION_NAMED_ANSWERS_MONTHS", default=36)
RETENTION_AUDIT_YEARS = env.int("RETENTION_AUDIT_YEARS", default=6)
RETENTION_INACTIVE_ACCOUNT_YEARS = env.int("RETENTION_INACTIVE_ACCOUNT_YEARS", default=3)
# The library catalogue's address for a record, with {id} where the record's id (or search
# words) go; recommended reading links there. Empty: reading is listed without a link.
QUALIFICATIONS_CATALOGUE_URL = env.str(
    "QUALIFICATIONS_CATALOGUE_URL", default="https://library.example.org/search?q={id}"
)

# Evidence files: a private folder no URL serves (see guildbook/portfolios/storage.py).
PORTFOLIO_FILES_ROOT = Path(env.str("PORTFOLIO_FILES_ROOT", default="") or VAR_DIR / "private")
PORTFOLIO_MAX_UPLOAD_MB = env.float("PORTFOLIO_MAX_UPLOAD_MB", default=20)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "filters": {"pdf_screen_rules": {"()": "guildbook.core.logs.PdfScreenRules"}},
    "loggers": {"weasyprint": {"filters": ["pdf_screen_rules"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
