"""Django settings: the one place that reads the environment (see ``.env.example``).

Embedded mode (no ``DATABASE_URL`` / ``REDIS_URL``) keeps everything under ``var/``: a SQLite
database, a filesystem Celery broker, a file cache, and generated secrets. Production mode points
the same code at PostgreSQL and Redis.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from fleet import env

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.string("FLEET_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env.boolean("DEBUG", False)
SECRET_KEY = env.string("SECRET_KEY") or env.persistent_secret(
    VAR_DIR / "secret_key", lambda: secrets.token_urlsafe(50)
)
# Fernet keys for secrets at rest, comma-separated, newest first (older ones still decrypt).
FIELD_ENCRYPTION_KEYS = env.string_list("FIELD_ENCRYPTION_KEY", []) or [
    env.persistent_secret(VAR_DIR / "field_encryption_key", lambda: secrets.token_urlsafe(32))
]
ALLOWED_HOSTS = env.string_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.string_list("CSRF_TRUSTED_ORIGINS", [])
# Where the vendor reaches us; push URLs shown in admin are built from it.
PUBLIC_BASE_URL = (env.url("PUBLIC_BASE_URL", schemes=("http", "https")) or "").rstrip("/")

INSTALLED_APPS = [
    "fleet.admin_config.FleetAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "leaflet",
    "accounts",
    "fleet",
    "telemetry",
    "geofence",
    "media",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "accounts.middleware.UserTimezoneMiddleware",
]

ROOT_URLCONF = "fleet.urls"
WSGI_APPLICATION = "fleet.wsgi.application"
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

# --- database -------------------------------------------------------------------------------
DATABASE_URL = env.url("DATABASE_URL", schemes=("postgres", "postgresql", "sqlite"))
EMBEDDED = DATABASE_URL is None
if DATABASE_URL is None:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "fleet.sqlite3",
            "OPTIONS": {
                # Web, worker and scheduler share the file: WAL lets readers run beside the one
                # writer, and IMMEDIATE transactions queue writers instead of failing them.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
else:
    try:
        DATABASES = {
            "default": dict(
                dj_database_url.parse(
                    DATABASE_URL,
                    # Seconds a connection is reused; 0 closes it after each request.
                    conn_max_age=env.integer("DATABASE_CONN_MAX_AGE", 60, minimum=0),
                )
            )
        }
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is malformed: {exc}") from exc
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
        # Parameters bound by the server: the ingest path's typed-array inserts skip psycopg's
        # client-side quoting of every element (~4 ms of CPU per 50-point push).
        DATABASES["default"]["OPTIONS"] = {
            **dict(DATABASES["default"].get("OPTIONS") or {}),  # type: ignore[call-overload]
            "server_side_binding": True,
        }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- broker, cache, locks -------------------------------------------------------------------
REDIS_URL = env.url("REDIS_URL", schemes=("redis", "rediss", "unix"))
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"visibility_timeout": 3600}
else:
    # A file cache and a filesystem broker work across processes with no server to run.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # Broadcast (remote-control) messages; the default is ./control in the working directory.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }

CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"

# --- auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# --- i18n, static ---------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.string("STATIC_ROOT", str(VAR_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(env.string("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"

# --- security -------------------------------------------------------------------------------
SESSION_COOKIE_SECURE = env.boolean("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.boolean("BEHIND_TLS_PROXY", False) else None
)
X_FRAME_OPTIONS = "SAMEORIGIN"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    # {"detail", "code"} bodies for every API error (fleet/api_errors.py).
    "EXCEPTION_HANDLER": "fleet.api_errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Fleet API",
    "DESCRIPTION": "Devices, positions, trips, alarms and more, for mobile apps and our pages.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "kind"; name each enum after its model, not a hash.
    "ENUM_NAME_OVERRIDES": {
        "StopKindEnum": "telemetry.models.Stop.Kind",
        "CommandKindEnum": "fleet.models.Command.Kind",
        "CommandStatusEnum": "fleet.models.Command.Status",
    },
}

# --- maps -----------------------------------------------------------------------------------
MAP_TILE_URL = env.string("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env.string(
    "MAP_TILE_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)
LEAFLET_CONFIG = {
    "TILES": [("Map", MAP_TILE_URL, {"attribution": MAP_TILE_ATTRIBUTION, "maxZoom": 19})],
    "DEFAULT_CENTER": (0.0, 0.0),
    "DEFAULT_ZOOM": 2,
    "RESET_VIEW": False,
}

# --- fleet behaviour ------------------------------------------------------------------------
# A device with no position or heartbeat for this long is shown offline.
DEVICE_OFFLINE_AFTER = env.integer("DEVICE_OFFLINE_AFTER_SECONDS", 600, minimum=60)
# The scheduler heartbeat older than this makes /healthz answer 503.
SCHEDULER_STALE_AFTER = env.integer("SCHEDULER_STALE_AFTER_SECONDS", 120, minimum=30)
# A command the device has not answered for this long is marked "no answer". Offline-capable
# commands wait for the device to come back, so this is a day by default, not minutes.
COMMAND_EXPIRE_AFTER = env.integer("COMMAND_EXPIRE_AFTER_SECONDS", 86400, minimum=60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.string("LOG_LEVEL", "INFO").upper()},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
