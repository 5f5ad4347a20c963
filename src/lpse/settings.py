"""LPSE settings: one module, every value from the environment (see README, "Configuration").

The defaults are the embedded mode: SQLite and files in ``LPSE_DATA_DIR``, jobs run in-process,
e-mail kept in the outbox. Production sets ``DATABASE_URL``, ``CELERY_BROKER_URL``, ``EMAIL_HOST``
and ``LPSE_HTTPS``. A malformed value raises ConfigError and start-up stops with its message.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
import socket
from datetime import timedelta
from os import cpu_count as _cpu_count
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from lpse.envconf import ConfigError, env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("LPSE_DATA_DIR", "data")).resolve()
# Set by ``lpse … --help`` (lpse/__main__.py): printing help must change nothing, so no data
# folder is made and no secret key written for it.
HELP_ONLY = env_bool("LPSE_HELP_ONLY", False)


def _ensure_data_dir() -> None:
    try:
        for folder in (DATA_DIR, DATA_DIR / "static", DATA_DIR / "media"):
            folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"LPSE_DATA_DIR={str(DATA_DIR)!r} cannot be created: {exc.strerror}"
        ) from exc


if not HELP_ONLY:
    _ensure_data_dir()


def _secret_key() -> str:
    """SECRET_KEY from the environment, or one generated once and kept in the data folder."""
    configured = env_str("SECRET_KEY")
    if configured:
        if len(configured) < 32:
            raise ConfigError("SECRET_KEY is too short: use at least 32 random characters.")
        return configured
    key_file = DATA_DIR / "secret_key"
    if HELP_ONLY and not key_file.exists():
        return secrets.token_urlsafe(50)  # never used to sign anything: the process only prints
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
    "lpse.nontender",
    "lpse.servicedesk",
    "lpse.training",
    "lpse.problems",
    "lpse.news",
    "lpse.archive",
    "lpse.operations",
    "lpse.portal",
    "lpse.demo",
]

MIDDLEWARE = [
    # Outermost: counts every answer, the other middleware's too. LPSE_REQUEST_METRICS=0
    # takes it out (bench/request_metrics.py measures its cost).
    *(
        ["lpse.operations.middleware.RequestMetricsMiddleware"]
        if env_bool("LPSE_REQUEST_METRICS", True)
        else []
    ),
    "django.middleware.security.SecurityMiddleware",
    # With LPSE_HTTPS, the API paths SecurityMiddleware does not redirect are refused here.
    "lpse.core.plain_http.PlainHttpApiMiddleware",
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
    # while a planned window is in force, 503 to all but the administrators; after the
    # session policy, so the user it exempts is already held to its rules.
    "lpse.operations.maintenance_mode.MaintenanceModeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "lpse.core.middleware.SecurityHeadersMiddleware",
    # Innermost, so the page it renders for an empty 405 still gets the security headers.
    "lpse.core.middleware.MethodNotAllowedPageMiddleware",
    "lpse.core.middleware.BlobUnavailablePageMiddleware",
    "lpse.core.middleware.RefusalBurstMiddleware",
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
                "lpse.operations.context_processors.maintenance",
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
            # Kept open between requests, as PostgreSQL's are: a new SQLite connection reads
            # and parses the whole schema (~490 tables and indexes) before its first query,
            # 2 ms of the public list's 4 ms in process (bench/README.md, issue 19). Safe with
            # WAL; a restore never writes over a running site's file (archive.services.restore);
            # the training sandbox, whose reset swaps its folder, sets 0 (training.sandbox).
            "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60),
            # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of one failing
            # with "database is locked" halfway through a transaction.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    try:
        # Health checks: a kept connection is tested before a request reuses it, so the first
        # request after a PostgreSQL restart reconnects instead of failing (issue 21).
        config = dj_database_url.parse(
            url,
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    except ValueError as exc:
        raise ConfigError(f"DATABASE_URL is malformed: {exc}") from exc
    if not config.get("ENGINE"):
        raise ConfigError(
            "DATABASE_URL names an unknown database: use postgres://… or sqlite:///…."
        )
    if "postgresql" in config["ENGINE"]:
        # No parallel workers for a query: a page of 20 under LIMIT had two workers scan the
        # whole list's index while the leader found its rows (the public list's stage filter:
        # 7 ms or 950 ms by the plan's luck, bench/README.md), and on the few cores of an LPSE
        # server a request's extra workers are taken from the other requests. Give
        # ?options=… in DATABASE_URL to choose otherwise.
        config.setdefault("OPTIONS", {}).setdefault(
            "options", "-c max_parallel_workers_per_gather=0"
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
    # LPSE's own words: the site's name and region, the agencies, procurement (ASVS V6.2.11).
    {"NAME": "lpse.accounts.password_words.ContextWordsValidator"},
]
# A larger offline list of breached passwords (ASVS V6.2.12), one per line, optionally gzipped
# (e.g. a "top N" export of Have I Been Pwned's corpus): the server needs no internet for it.
# Django's own list of 20,000 common passwords from leaked lists is always checked.
LPSE_BREACHED_PASSWORDS_LIST = env_str("LPSE_BREACHED_PASSWORDS_LIST", "")
if LPSE_BREACHED_PASSWORDS_LIST:
    AUTH_PASSWORD_VALIDATORS.append(
        {
            "NAME": "django.contrib.auth.password_validation.CommonPasswordValidator",
            "OPTIONS": {"password_list_path": LPSE_BREACHED_PASSWORDS_LIST},
        }
    )
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
# Trusted reverse proxies in front of the service (nginx: 1). The lock-out counts the address
# the outermost of them saw (lpse.core.client_address), never one the client wrote.
LPSE_PROXY_COUNT = env_int("LPSE_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "lpse.core.client_address.client_address"
AXES_VERBOSE = False
# Every failed sign-in kept (not only the current count), for the security page.
AXES_ENABLE_ACCESS_FAILURE_LOG = True

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
# ClamAV's daemon, tcp://127.0.0.1:3310 or unix:///run/clamav/clamd.ctl; empty: uploads
# are recorded as not scanned. Its StreamMaxLength must be at least the largest upload.
LPSE_CLAMD = env_str("LPSE_CLAMD")
if LPSE_CLAMD and not re.fullmatch(r"tcp://[^:/]+:\d{1,5}|unix:///.+", LPSE_CLAMD):
    raise ConfigError(
        f"LPSE_CLAMD={LPSE_CLAMD!r}: write tcp://host:port or unix:///path/to/clamd.socket."
    )
LPSE_CLAMD_TIMEOUT = env_int("LPSE_CLAMD_TIMEOUT", 60, minimum=1)
# Server room and facility (R-4.2, R-4.3; docs/operations.md): the hour (WITA) after which a
# visit still open is mailed; how long an alarm waits for an acknowledgement before the head of
# LPSE hears of it; a device silent this long is an alarm; the daily checklist is due by this
# time on working days; readings a device may send per minute.
LPSE_SERVER_ROOM_DAY_END_HOUR = env_int("LPSE_SERVER_ROOM_DAY_END_HOUR", 17, minimum=0)
LPSE_FACILITY_ESCALATE_MINUTES = env_int("LPSE_FACILITY_ESCALATE_MINUTES", 15, minimum=1)
LPSE_FACILITY_SILENT_MINUTES = env_int("LPSE_FACILITY_SILENT_MINUTES", 10, minimum=1)
LPSE_FACILITY_CHECKLIST_HOUR = env_str("LPSE_FACILITY_CHECKLIST_HOUR", "10:00")
if not re.fullmatch(r"(?:[01]\d|2[0-3]):[0-5]\d", LPSE_FACILITY_CHECKLIST_HOUR):
    raise ConfigError(
        f"LPSE_FACILITY_CHECKLIST_HOUR={LPSE_FACILITY_CHECKLIST_HOUR!r}: write the time as HH:MM."
    )
LPSE_FACILITY_RATE_PER_MINUTE = env_int("LPSE_FACILITY_RATE_PER_MINUTE", 60, minimum=1)
# Duty register: a week's database growth, and a period's lock-outs, that are a problem.
LPSE_DUTY_GROWTH_PERCENT = env_int("LPSE_DUTY_GROWTH_PERCENT", 25, minimum=1)
LPSE_DUTY_LOCKOUTS_PROBLEM = env_int("LPSE_DUTY_LOCKOUTS_PROBLEM", 10, minimum=1)
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
# Processes decrypting bids at the opening ceremony (issue 19); 1 = in the ceremony's process.
LPSE_OPENING_WORKERS = env_int("LPSE_OPENING_WORKERS", min(4, _cpu_count() or 1), minimum=1)
LPSE_BACKUP_KEEP = env_str("LPSE_BACKUP_KEEP", "daily=7,weekly=5,monthly=12,yearly=all")
LPSE_BACKUP_S3_ENDPOINT = env_str("LPSE_BACKUP_S3_ENDPOINT")
LPSE_BACKUP_S3_REGION = env_str("LPSE_BACKUP_S3_REGION", "us-east-1")
LPSE_BACKUP_S3_ACCESS_KEY = env_str("LPSE_BACKUP_S3_ACCESS_KEY")
LPSE_BACKUP_S3_SECRET_KEY = env_str("LPSE_BACKUP_S3_SECRET_KEY")

# Where blobs live (issue 19, docs/scale-out.md): empty for the data folder (MEDIA_ROOT, one
# machine), or s3://bucket/prefix?endpoint=http://host:port&region=… for a bucket that every
# application node shares. The keys are kept out of the URL, which logs and health pages show.
LPSE_STORAGE_URL = env_str("LPSE_STORAGE_URL")
if LPSE_STORAGE_URL and not LPSE_STORAGE_URL.startswith("s3://"):
    raise ConfigError(
        f"LPSE_STORAGE_URL={LPSE_STORAGE_URL!r}: write s3://bucket/prefix?endpoint=http://host:port,"
        " or leave it empty to keep files in the data folder."
    )
LPSE_STORAGE_S3_ACCESS_KEY = env_str("LPSE_STORAGE_S3_ACCESS_KEY")
LPSE_STORAGE_S3_SECRET_KEY = env_str("LPSE_STORAGE_S3_SECRET_KEY")
# Node-local temporary files with a bucket (copies for the virus scanner, age, the PDF maker);
# the system's temporary folder by default, never the data folder.
LPSE_SCRATCH_DIR = env_str("LPSE_SCRATCH_DIR")

# Which clock says when a bid's last byte arrived (docs/scale-out.md): "node" (this machine's,
# right for one machine) or "database" (PostgreSQL's clock_timestamp(): one clock for every
# node behind a load balancer, so a node whose clock drifted cannot move the deadline).
LPSE_DEADLINE_CLOCK = env_str("LPSE_DEADLINE_CLOCK", "node")
if LPSE_DEADLINE_CLOCK not in ("node", "database"):
    raise ConfigError(
        f"LPSE_DEADLINE_CLOCK={LPSE_DEADLINE_CLOCK!r}: write node (one machine) or database "
        "(several application nodes)."
    )

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

# Operations (SPEC 5, issue 16; docs/operations.md).
LPSE_NODE_NAME = env_str("LPSE_NODE_NAME") or socket.gethostname().split(".")[0]
if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}", LPSE_NODE_NAME):
    raise ConfigError(
        f"LPSE_NODE_NAME={LPSE_NODE_NAME!r}: use letters, digits, '.', '_' or '-' (at most 63)."
    )
LPSE_SAMPLE_SECONDS = 60  # the host sampler runs every minute (lpse.celery.NODE_SCHEDULE)
# Only these host:port targets are ever contacted by the uplink check; none by default.
LPSE_UPLINK_TARGETS = env_list("LPSE_UPLINK_TARGETS", [])
for _target in LPSE_UPLINK_TARGETS:
    if not re.fullmatch(r"(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}", _target):
        raise ConfigError(
            f"LPSE_UPLINK_TARGETS: {_target!r} is not host:port (e.g. 10.0.0.1:53, spse.inaproc.id:443)."
        )
LPSE_DISK_FLOOR_PERCENT = env_int("LPSE_DISK_FLOOR_PERCENT", 5, minimum=0)
LPSE_HEARTBEAT_STALE_SECONDS = env_int("LPSE_HEARTBEAT_STALE_SECONDS", 180, minimum=30)
LPSE_METRICS_TOKEN = env_str("LPSE_METRICS_TOKEN")
LPSE_METRICS_ALLOW = env_list("LPSE_METRICS_ALLOW", [])
for _net in LPSE_METRICS_ALLOW:
    try:
        ipaddress.ip_network(_net, strict=False)
    except ValueError:
        raise ConfigError(
            f"LPSE_METRICS_ALLOW: {_net!r} is not an address or network (e.g. 10.0.0.5, 10.0.0.0/24)."
        ) from None
# How long before a planned maintenance window it is announced on every page.
LPSE_MAINTENANCE_LEAD_HOURS = env_int("LPSE_MAINTENANCE_LEAD_HOURS", 72, minimum=1)

# Open data (R-9.5, issue 18): the OCDS identifier prefix registered with the Open Contracting
# Partnership (ocds-xxxxxx), and where the OCDS schema, codelists and bids extension are read from
# (the standard's own files; the tests and the validator never fetch them from the web).
LPSE_OCID_PREFIX = env_str("LPSE_OCID_PREFIX", "ocds-lpsemr")
if not re.fullmatch(r"ocds-[a-z0-9]{6}(-[A-Za-z0-9.-]+)?", LPSE_OCID_PREFIX):
    raise ConfigError(
        f"LPSE_OCID_PREFIX={LPSE_OCID_PREFIX!r}: use the prefix the Open Contracting Partnership "
        "gave the LPSE, e.g. ocds-abc123 (six lower-case letters or digits after ocds-)."
    )
# Calls to the JSON API one client address may make per minute (a shared-cache window); 0: off.
LPSE_API_RATE_PER_MINUTE = env_int("LPSE_API_RATE_PER_MINUTE", 120, minimum=0)
# The same limiter on the public forms (POSTs of the registration link, forgot-password, helpdesk,
# document verification and the links' forms: a person sends a few a minute, an office behind one
# address a few more) and on the transparency proofs and .sig look-ups (monitors fetch in bursts).
LPSE_PUBLIC_FORM_RATE_PER_MINUTE = env_int("LPSE_PUBLIC_FORM_RATE_PER_MINUTE", 20, minimum=0)
LPSE_PUBLIC_PROOF_RATE_PER_MINUTE = env_int("LPSE_PUBLIC_PROOF_RATE_PER_MINUTE", 120, minimum=0)
LPSE_OCDS_DIR = Path(
    env_str("LPSE_OCDS_DIR", str(PACKAGE_DIR.parents[2] / "shared" / "ocds"))
).resolve()
# Red flags: thresholds that differ from the documented defaults (docs/red-flags.md), as
# "name=value" pairs separated by commas, e.g. "hps_ratio=0.95,late_change_days=5". The names and
# values are checked where they are used (lpse.portal.red_flags.thresholds), with a clear message.
LPSE_RED_FLAG_THRESHOLDS: dict[str, str] = {}
for _pair in env_list("LPSE_RED_FLAG_THRESHOLDS", []):
    _name, _sep, _value = _pair.partition("=")
    if not _sep or not _name.strip() or not _value.strip():
        raise ConfigError(
            f"LPSE_RED_FLAG_THRESHOLDS: {_pair!r} is not name=value (e.g. hps_ratio=0.95)."
        )
    LPSE_RED_FLAG_THRESHOLDS[_name.strip()] = _value.strip()

# A cache every process of the installation shares (rate limits, public pages, job leases, the
# sampler's counters): Redis when LPSE_CACHE_URL is a redis:// URL (production, several nodes);
# the database itself with LPSE_CACHE_URL=database (several nodes on PostgreSQL without Redis,
# core/db_cache.py); else files in the data folder (one node).
LPSE_CACHE_URL = env_str("LPSE_CACHE_URL")
if LPSE_CACHE_URL and not (
    LPSE_CACHE_URL == "database" or LPSE_CACHE_URL.startswith(("redis://", "rediss://", "unix://"))
):
    raise ConfigError(
        f"LPSE_CACHE_URL={LPSE_CACHE_URL!r}: use redis://host:port/db, or database to keep "
        "the cache in the database."
    )
# Rows the database cache keeps before it removes a third of them (Django's default is 300,
# fewer than the public pages of one busy day).
LPSE_DATABASE_CACHE_ENTRIES = env_int("LPSE_DATABASE_CACHE_ENTRIES", 20_000, minimum=100)
if LPSE_CACHE_URL == "database":
    _cache = {
        "BACKEND": "lpse.core.db_cache.SharedDatabaseCache",
        "LOCATION": "lpse_cache",
        "OPTIONS": {"MAX_ENTRIES": LPSE_DATABASE_CACHE_ENTRIES},
    }
elif LPSE_CACHE_URL:
    _cache = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": LPSE_CACHE_URL}
else:
    _cache = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache"),
    }
CACHES = {
    "default": _cache,
    # What one process keeps for itself a short while, never shared: fragments that are the
    # same for every visitor of one language (the public list's filter form, 60 s). A read is
    # a dictionary lookup, where the shared cache is a file, a database row or Redis.
    "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "lpse"},
}
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or "memory://"
CELERY_TASK_ALWAYS_EAGER = LPSE_EMBEDDED_JOBS
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
# A broker that is down must not hold a request for long: the e-mail is in the outbox already
# and the ``deliver-outbox`` job sends it later (issue 21). Celery's default waits ~1 s more.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = LPSE_HTTPS
# Only browser pages are redirected to https (ASVS V4.1.2): a program calling the API or the
# facility feed over plain http has already sent its token in the clear, and a redirect it
# follows silently would hide that. Those paths are refused with a JSON error instead
# (lpse.core.plain_http). Django matches these against the path without its leading slash.
SECURE_REDIRECT_EXEMPT = [r"^api/", r"^sensor/"]
SESSION_COOKIE_SECURE = LPSE_HTTPS
CSRF_COOKIE_SECURE = LPSE_HTTPS
LANGUAGE_COOKIE_SECURE = LPSE_HTTPS
LANGUAGE_COOKIE_SAMESITE = "Lax"
MESSAGE_STORAGE = "lpse.core.message_cookies.MessageStorage"
MESSAGES_COOKIE_NAME = "messages"
if LPSE_HTTPS:
    # ``__Host-`` names (ASVS V3.3.1, V3.3.3): a browser accepts such a cookie only when it is
    # Secure, has path / and no Domain, so a neighbouring subdomain of the regency (or a
    # plain-http answer) cannot plant or overwrite LPSE's session, CSRF or language cookie.
    # Django sets no Domain unless told and the paths stay "/".
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    LANGUAGE_COOKIE_NAME = "__Host-django_language"
    MESSAGES_COOKIE_NAME = "__Host-messages"
SECURE_HSTS_SECONDS = 31536000 if LPSE_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = LPSE_HTTPS
# Preloading commits the domain to https in browsers for good, hard to undo: a regency opts in.
SECURE_HSTS_PRELOAD = LPSE_HTTPS and env_bool("LPSE_HSTS_PRELOAD", False)
# With preload off, Django's W021 ("not preloaded") is that decision, not an oversight, so
# `lpse check --deploy` stays clean.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if LPSE_HTTPS else None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LPSE_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
