"""LPSE settings: one module, every value from the environment (see README, "Configuration").

The defaults are the embedded mode: SQLite and files in ``LPSE_DATA_DIR``, jobs run in-process,
e-mail kept in the outbox. Production sets ``DATABASE_URL``, ``CELERY_BROKER_URL``, ``EMAIL_HOST``
and ``LPSE_HTTPS``. A malformed value raises ConfigError and start-up stops with its message.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from os import cpu_count as _cpu_count
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from lpse.envconf import ConfigError, env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("LPSE_DATA_DIR", "data")).resolve()


def _ensure_data_dir() -> None:
    try:
        for folder in (DATA_DIR, DATA_DIR / "static", DATA_DIR / "media"):
            folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"LPSE_DATA_DIR={str(DATA_DIR)!r} cannot be created: {exc.strerror}"
        ) from exc


_ensure_data_dir()


def _secret_key() -> str:
    """SECRET_KEY from the environment, or one generated once and kept in the data folder."""
    configured = env_str("SECRET_KEY")
    if configured:
        if len(configured) < 32:
            raise ConfigError("SECRET_KEY is too short: use at least 32 random characters.")
        return configured
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
LPSE_DEMO = env_bool("LPSE_DEMO", False)
# Benchmarks only (bench/bid_intake.py): routes a bare hashing upload view at /bench/sink/.
LPSE_BENCH = env_bool("LPSE_BENCH", False)
LPSE_HTTPS = env_bool("LPSE_HTTPS", False)
LPSE_SITE_NAME = env_str("LPSE_SITE_NAME", "LPSE Kabupaten Maros")
LPSE_BASE_URL = env_str("LPSE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
if not LPSE_BASE_URL.startswith(("http://", "https://")):
    raise ConfigError(f"LPSE_BASE_URL={LPSE_BASE_URL!r} must start with http:// or https://.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# A form without its token: our page in the layout, not Django's English one (issue 15).
CSRF_FAILURE_VIEW = "lpse.core.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    # django-ninja serves the API docs' Swagger UI from its own static files when it is an
    # installed app; otherwise it loads it from a CDN, which the site's CSP refuses.
    "ninja",
    "lpse.core",
    "lpse.accounts",
    "lpse.catalog",
    "lpse.providers",
    "lpse.tenders",
    "lpse.bids",
    "lpse.evaluation",
    "lpse.servicedesk",
    "lpse.training",
    "lpse.problems",
    "lpse.news",
    "lpse.archive",
    "lpse.portal",
    "lpse.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lpse.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # After MessageMiddleware: the policy signs people out with a message saying why.
    "django.contrib.messages.middleware.MessageMiddleware",
    "lpse.accounts.middleware.SessionPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "lpse.core.middleware.SecurityHeadersMiddleware",
    # Innermost, so the page it renders for an empty 405 still gets the security headers.
    "lpse.core.middleware.MethodNotAllowedPageMiddleware",
]

ROOT_URLCONF = "lpse.urls"
WSGI_APPLICATION = "lpse.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "portal:home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lpse.core.context_processors.site",
            ],
        },
    },
]


def _database() -> dict:
    url = env_str("DATABASE_URL")
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "lpse.sqlite3",
            # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of one failing
            # with "database is locked" halfway through a transaction.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    try:
        config = dj_database_url.parse(url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60))
    except ValueError as exc:
        raise ConfigError(f"DATABASE_URL is malformed: {exc}") from exc
    if not config.get("ENGINE"):
        raise ConfigError(
            "DATABASE_URL names an unknown database: use postgres://… or sqlite:///…."
        )
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Brute-force protection. Locking on username *and* IP means a rival who guesses a
# bidder's User ID from elsewhere locks only themselves out, never the bidder before a deadline.
AXES_FAILURE_LIMIT = env_int("LPSE_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LPSE_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "lpse.accounts.views.lockout_response"
AXES_IPWARE_PROXY_COUNT = env_int("LPSE_PROXY_COUNT", 0, minimum=0)
AXES_VERBOSE = False

# Sessions: an idle timeout (renewed by every request) and an absolute one (from login).
SESSION_IDLE_SECONDS = env_int("LPSE_SESSION_IDLE_MINUTES", 30, minimum=1) * 60
SESSION_MAX_SECONDS = env_int("LPSE_SESSION_MAX_HOURS", 12, minimum=1) * 3600
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
REAUTH_SECONDS = env_int("LPSE_REAUTH_MINUTES", 5, minimum=1) * 60

# Staff roles need a TOTP second factor; the demo makes it optional so a newcomer can click around.
LPSE_STAFF_2FA = env_bool("LPSE_STAFF_2FA", not LPSE_DEMO)
OTP_TOTP_ISSUER = LPSE_SITE_NAME

# registration must be verified within this many working days.
LPSE_VERIFICATION_WORKING_DAYS = env_int("LPSE_VERIFICATION_WORKING_DAYS", 7, minimum=1)
# walk-in verification hours (WITA) on working days, "HH:MM-HH:MM". A counter visit
# recorded outside them needs a written reason. Empty: the LPSE keeps no walk-in hours.
LPSE_VERIFICATION_HOURS = env_str("LPSE_VERIFICATION_HOURS", "09:00-15:00").strip()
if LPSE_VERIFICATION_HOURS and (
    not re.fullmatch(
        r"(?:[01]\d|2[0-3]):[0-5]\d-(?:[01]\d|2[0-3]):[0-5]\d", LPSE_VERIFICATION_HOURS
    )
    or LPSE_VERIFICATION_HOURS[:5] >= LPSE_VERIFICATION_HOURS[6:]
):
    raise ConfigError(
        f"LPSE_VERIFICATION_HOURS={LPSE_VERIFICATION_HOURS!r}: write the walk-in hours as "
        "HH:MM-HH:MM with the opening before the closing, e.g. 09:00-15:00 (empty: none)"
    )
LPSE_INVITATION_HOURS = env_int("LPSE_INVITATION_HOURS", 48, minimum=1)
# the Ed25519 key that signs bid receipts (generated into the data folder if unset).
LPSE_SIGNING_KEY_FILE = env_str("LPSE_SIGNING_KEY_FILE")
# Largest bid envelope accepted, in MiB.
LPSE_MAX_BID_MB = env_int("LPSE_MAX_BID_MB", 2048, minimum=1)
# schedule changes are applied by the LPSE administrator, or by the committee itself.
LPSE_COMMITTEE_APPLIES_SCHEDULE_CHANGES = env_bool("LPSE_COMMITTEE_APPLIES_SCHEDULE_CHANGES", False)
# A tender with fewer bids than this may be declared failed; regional policy may ask 3.
LPSE_MIN_BIDS = env_int("LPSE_MIN_BIDS", 1, minimum=1)
LPSE_SET_PASSWORD_HOURS = env_int("LPSE_SET_PASSWORD_HOURS", 72, minimum=1)

# Backups (SPEC 6, docs/backups.md): where they go (folder:/path, s3://bucket/prefix), the
# offline age public keys they are encrypted to, how often (R-6.1: at least every 7 × 24 h),
# and which are kept.
LPSE_BACKUP_TARGETS = env_list("LPSE_BACKUP_TARGETS", [])
LPSE_BACKUP_RECIPIENTS = env_list("LPSE_BACKUP_RECIPIENTS", [])
LPSE_BACKUP_INTERVAL_HOURS = env_int("LPSE_BACKUP_INTERVAL_HOURS", 24, minimum=1)
if LPSE_BACKUP_INTERVAL_HOURS > 7 * 24:
    raise ConfigError(
        f"LPSE_BACKUP_INTERVAL_HOURS={LPSE_BACKUP_INTERVAL_HOURS}: SPEC 6 asks for a backup at "
        "least every 7 × 24 hours; use 168 or fewer."
    )
# Processes that encrypt new blobs at once (a folder target); one per core by default.
LPSE_BACKUP_WORKERS = env_int("LPSE_BACKUP_WORKERS", min(4, _cpu_count() or 1), minimum=1)
LPSE_BACKUP_KEEP = env_str("LPSE_BACKUP_KEEP", "daily=7,weekly=5,monthly=12,yearly=all")
LPSE_BACKUP_S3_ENDPOINT = env_str("LPSE_BACKUP_S3_ENDPOINT")
LPSE_BACKUP_S3_REGION = env_str("LPSE_BACKUP_S3_REGION", "us-east-1")
LPSE_BACKUP_S3_ACCESS_KEY = env_str("LPSE_BACKUP_S3_ACCESS_KEY")
LPSE_BACKUP_S3_SECRET_KEY = env_str("LPSE_BACKUP_S3_SECRET_KEY")

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Makassar"  # WITA
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "media"
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# E-mail: always recorded (the outbox page in demo mode, the mail log for administrators);
# delivered over SMTP when EMAIL_HOST is set.
EMAIL_BACKEND = "lpse.core.mail.RecordingBackend"
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "LPSE Kabupaten Maros <noreply@lpse.localhost>")

# Jobs: Celery with a broker in production; in the embedded mode tasks run in-process, and the
# periodic ones are run by the in-process scheduler that `lpse demo` / `lpse serve` start.
LPSE_EMBEDDED_JOBS = not env_str("CELERY_BROKER_URL")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or "memory://"
CELERY_TASK_ALWAYS_EAGER = LPSE_EMBEDDED_JOBS
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = LPSE_HTTPS
SESSION_COOKIE_SECURE = LPSE_HTTPS
CSRF_COOKIE_SECURE = LPSE_HTTPS
SECURE_HSTS_SECONDS = 31536000 if LPSE_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = LPSE_HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if LPSE_HTTPS else None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LPSE_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
