"""Settings read from the environment (django-environ); bad values fail loudly at start-up."""

import os
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.embedded_redis import ensure_embedded_redis

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _strict_bool(name: str, default: bool) -> bool:
    """django-environ reads any unknown word as False; a typo must not silently disable DEBUG."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {raw!r}")


def _positive_int(name: str, default: int, *, zero_allowed: bool = False) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}") from None
    if value < 0 or (value == 0 and not zero_allowed):
        raise ImproperlyConfigured(f"{name} must be positive, got {raw!r}")
    return value


DEBUG = _strict_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not _strict_bool("ALLOW_INSECURE_SECRET_KEY", False):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment or .env "
            "(the demo and the tests set DEBUG or ALLOW_INSECURE_SECRET_KEY for you)."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "config.admin_site.BackOfficeAdminConfig",  # the admin, its index grouped by task
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_rq",
    "solo",
    "simple_history",
    "django_object_actions",
    "import_export",
    "catalog",
    "integration",
    "loyalty",
    "axes",
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
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the lockout page
]

# Admin login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username
# from one address, that pair is locked for LOGIN_LOCKOUT_MINUTES; a successful login resets it.
AUTHENTICATION_BACKENDS = [
    "integration.login_throttle.RequestThrottledBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = _positive_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=_positive_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "integration.login_throttle.client_ip"
# How many reverse proxies append to X-Forwarded-For in front of gunicorn (docker-compose: nginx = 1,
# plus one for a TLS proxy in front of it). 0: REMOTE_ADDR is the client.
TRUSTED_PROXY_COUNT = _positive_int("TRUSTED_PROXY_COUNT", 0, zero_allowed=True)
AXES_LOCKOUT_CALLABLE = "integration.login_throttle.lockout_response"
AXES_SENSITIVE_PARAMETERS = ["password"]
# axes' own admin pages carry bulk-delete actions that check no permission of ours; a lockout is
# lifted with `manage.py axes_reset` (or expires after LOGIN_LOCKOUT_MINUTES).
AXES_ENABLE_ADMIN = False

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Workers and the web process write concurrently; wait for the lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"LANGUAGE_CODE must be one of en, ru; got {LANGUAGE_CODE!r}")
LOCALE_PATHS = [BASE_DIR / "locale"]
# config/formats/ru: the day-and-month format in the genitive ("1 декабря").
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Moscow")
try:
    import zoneinfo

    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"TIME_ZONE {TIME_ZONE!r} is not a known time zone") from None
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_STORAGE", default="whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"

# Redis: an embedded server when REDIS_URL is unset, so the demo and the tests need nothing installed.
REDIS_URL = os.environ.get("REDIS_URL") or ""
if not REDIS_URL:
    REDIS_URL = ensure_embedded_redis(VAR_DIR)
    os.environ["REDIS_URL"] = REDIS_URL  # children (worker, scheduler) share this server
if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL must start with redis://, rediss:// or unix://; got {REDIS_URL!r}")

RQ_QUEUE_NAMES = ("default", "orders", "export", "catalog")
RQ_QUEUES = {name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600} for name in RQ_QUEUE_NAMES}
RQ = {"COMMIT_MODE": "auto"}  # our enqueue helper defers to on_commit itself
RQ_SHOW_ADMIN_LINK = True
DJANGO_OBJECT_ACTIONS_DEFAULT_HTTP_METHOD = "POST"
# Catalog import/export (C1): a file is imported whole or not at all; importing needs "add"
# (the admin also requires "change"), exporting needs "view".
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

RETAILCRM_RATE_LIMIT_RPS = _positive_int("RETAILCRM_RATE_LIMIT_RPS", 10)
RETAILCRM_TIMEOUT = _positive_int("RETAILCRM_TIMEOUT", 30)
# Stock/price delta runs become a full reconcile when the last full one is older (0: every run is full).
RETAILCRM_FULL_EXPORT_HOURS = _positive_int("RETAILCRM_FULL_EXPORT_HOURS", 24, zero_allowed=True)
# How long a killed worker keeps its job kind locked; live workers renew the lock every third of it.
EXCHANGE_LOCK_TTL_SECONDS = _positive_int("EXCHANGE_LOCK_TTL_SECONDS", 30)
# A rerun asked for during a run (webhook bursts) starts once the triggers were quiet this long,
# or after the maximum under a steady stream: a burst of triggers for one order costs two imports.
EXCHANGE_RERUN_SETTLE_SECONDS = _positive_int("EXCHANGE_RERUN_SETTLE_SECONDS", 1)
EXCHANGE_RERUN_SETTLE_MAX_SECONDS = _positive_int("EXCHANGE_RERUN_SETTLE_MAX_SECONDS", 10)

# Behind a TLS-terminating proxy in production (docker-compose); harmless elsewhere.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = _strict_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # container health checks speak plain HTTP
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
# The shop's other subdomains are not ours to pin to HTTPS, so no includeSubDomains/preload.
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]
SESSION_COOKIE_SECURE = _strict_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_secrets": {"()": "integration.exchange.secrets.MaskSecretsFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["mask_secrets"]}
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # axes announces itself at INFO in every process; its failure and lockout lines are warnings
    "loggers": {"axes": {"level": "WARNING"}},
}
