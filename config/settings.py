"""Settings for the township duty-list system: the only settings file.

Everything that differs between a laptop and a server comes from the environment
(see `.env.example`). The defaults are safe: without `DEBUG=1` the site runs in
production mode and refuses to start unless a real `SECRET_KEY` is given.
"""

import base64
import hashlib
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_HASHES
from django.core.exceptions import ImproperlyConfigured

from config.clientip import trusted_networks

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise ImproperlyConfigured(f"环境变量 {name} 应为非负整数，当前为“{value}”。")
    return int(value)


def database_config(url: str | None) -> dict:
    """Django's DATABASES["default"] for a `DATABASE_URL`, or the SQLite file when unset.

    Accepted: `postgresql://user[:password]@host[:port]/name` (also `postgres://`),
    `sqlite:///relative/or/absolute/path.sqlite3`.
    """
    if not url:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}
    parts = urlsplit(url)
    if parts.scheme in {"postgres", "postgresql"}:
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured(f"DATABASE_URL 缺少数据库名：{url}")
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": env_int("CONN_MAX_AGE", 0),
            "CONN_HEALTH_CHECKS": True,
            # No JIT compilation: the site's queries are short, and compiling a plan the planner
            # thinks expensive (a search over many matches) cost more than it saved — about
            # 240 ms on one search (docs/decisions/0034-search-at-scale.md).
            "OPTIONS": {"options": "-c jit=off"},
        }
    if parts.scheme == "sqlite":
        path = unquote(url[len("sqlite:///") :]) if url.startswith("sqlite:///") else ""
        if not path:
            raise ImproperlyConfigured(f"DATABASE_URL 缺少 SQLite 文件路径：{url}")
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path}
    raise ImproperlyConfigured(
        f"DATABASE_URL 的类型“{parts.scheme}”不受支持，请使用 postgresql:// 或 sqlite:///。"
    )


DEBUG = env_bool("DEBUG")

DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"


def secret_key_weakness(key: str) -> str | None:
    """Why `key` must not sign a production site's sessions, or None when it will do."""
    if key == DEVELOPMENT_SECRET_KEY:
        return "它是本项目开发模式使用的公开密钥"
    if key.startswith("django-insecure"):
        return "它以“django-insecure”开头，是 Django 生成的示例密钥"
    if len(key) < 50:
        return f"它只有 {len(key)} 个字符，至少需要 50 个"
    if len(set(key)) < 5:
        return f"它只用了 {len(set(key))} 种不同的字符，至少需要 5 种"
    return None


SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "未设置 SECRET_KEY：生产模式（DEBUG 关闭）下必须通过环境变量提供密钥。开发时可设置 DEBUG=1。"
        )
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
elif not DEBUG and (weakness := secret_key_weakness(SECRET_KEY)):
    raise ImproperlyConfigured(
        f"SECRET_KEY 太弱，生产模式拒绝启动：{weakness}。"
        '请生成新的密钥：python -c "import secrets; print(secrets.token_urlsafe(50))"'
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "simple_history",
    "django_htmx",
    "catalog",
    "review",
    "webhooks",
    "publication",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The Content-Security-Policy header on every answer, static files and early refusals included.
    "csp.middleware.CSPMiddleware",
    "config.errors.RejectNulBytesMiddleware",
    # Production's static files, straight after the HTTPS redirect: no session, no database
    # (development mode has runserver serve them from their folders; see STORAGES).
    *([] if DEBUG else ["whitenoise.middleware.WhiteNoiseMiddleware"]),
    # The public pages of an edition in force, from one cache read, for every visitor alike: below
    # the middleware that add security headers on the way out (CSP too), above sessions and users
    # (docs/decisions/0012-public-page-fast-path.md).
    "publication.middleware.PublicPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # The API caller's quota as RateLimit-* headers on the way out (api/quotas.py).
    "api.quotas.QuotaHeadersMiddleware",
    # The login throttle (below).
    "axes.middleware.AxesMiddleware",
    # Last, so it sees a view's exception first: a constraint race answers 409, not 500.
    "config.errors.ConstraintConflictMiddleware",
]

ROOT_URLCONF = "config.urls"

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

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {"default": database_config(os.environ.get("DATABASE_URL"))}
# A read replica of that database (streaming replication): public reads go to it, writes and
# transactions to the primary, and a client that wrote reads the primary for REPLICA_PIN_SECONDS
# (config/replicas.py). Unset, there is one database and nothing of this is installed.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 10)
if DATABASE_REPLICA_URL:
    # The test suite reads the replica alias from the primary's test database.
    DATABASES["replica"] = database_config(DATABASE_REPLICA_URL) | {"TEST": {"MIRROR": "default"}}
    DATABASE_ROUTERS = ["config.replicas.ReplicaRouter"]
    # Above every middleware that may read (the public pages' fast path, sessions, users).
    MIDDLEWARE.insert(
        MIDDLEWARE.index("publication.middleware.PublicPageMiddleware"),
        "config.replicas.ReadYourWritesMiddleware",
    )

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]

# Uploaded workbooks wait here between the import preview and its confirmation.
IMPORT_UPLOAD_DIR = Path(os.environ.get("IMPORT_UPLOAD_DIR", BASE_DIR / "var" / "imports"))
# An upload past the import's size limit is refused while it arrives, before it is stored.
FILE_UPLOAD_HANDLERS = [
    "catalog.uploads.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Bodies other than files (forms, the API): Django refuses larger ones with 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024 // 2

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "catalog:home"
LOGOUT_REDIRECT_URL = "login"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Production serves the files `collectstatic` gathered in STATIC_ROOT, through WhiteNoise, under
# names carrying a hash of their content (cached for a year) and compressed. Development mode,
# which `make test` and `make demo` set before Django starts, serves them from their folders
# without a manifest, so nothing has to be collected first (docs/decisions/0006).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Rendered public pages are kept per edition: in this process's memory by default,
# in Redis (shared by every worker) when REDIS_URL is set.
REDIS_URL = os.environ.get("REDIS_URL", "")
# With Redis, each web worker also keeps the public pages of editions in force that it answered in
# its own memory, up to this many bytes, dropped when a publication is announced on a Redis channel
# (publication/localpages.py); 0 turns that off.
PUBLIC_PAGE_MEMORY_BYTES = env_int("PUBLIC_PAGE_MEMORY_BYTES", 32 * 1024 * 1024)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
    # Sessions are read from Redis and written through to the database: every web server knows
    # every session, a session read costs no database query, and a session Redis drops to make
    # room for pages is read back from the database, not lost.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    }

# Reports on published items (群众监督) accepted from one address per hour.
FEEDBACK_PER_HOUR = env_int("FEEDBACK_PER_HOUR", 5)

# Mail: the console by default (development prints digests); SMTP when EMAIL_HOST is set.
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = env_int("EMAIL_PORT", 25)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "qingdan@localhost")
# The site's address as links in e-mails should start, without a trailing slash.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Background jobs (Celery). With CELERY_BROKER_URL unset every task runs at once inside the
# process that asks for it, so `make demo` and `make test` need no broker or worker.
CELERY_TASK_ALWAYS_EAGER = not os.environ.get("CELERY_BROKER_URL")
# In-process, the in-memory transport stands in for a broker that is never contacted.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = True
# Job state lives in the database (catalog.Job), so task results are not kept.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# A task whose worker dies is handed to another worker; every task is safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE = {
    # Before the digests, so that a reminder is in the same morning's e-mail.
    "deadline-reminders": {
        "task": "review.tasks.send_deadline_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    "daily-digests": {"task": "review.tasks.send_digests", "schedule": crontab(hour=7, minute=30)},
    "clean-up-files": {"task": "catalog.tasks.clean_up_files", "schedule": crontab(minute=15)},
    "retry-webhook-deliveries": {"task": "webhooks.tasks.retry_due_deliveries", "schedule": 60.0},
}
# Finished export files (county-wide zips, county downloads) are written here.
EXPORT_DIR = Path(os.environ.get("EXPORT_DIR", BASE_DIR / "var" / "exports"))
# Hours an export file and its job are kept, and an unconfirmed upload waits, before clean-up removes them.
EXPORT_MAX_AGE_HOURS = env_int("EXPORT_MAX_AGE_HOURS", 24)
UPLOAD_MAX_AGE_HOURS = env_int("UPLOAD_MAX_AGE_HOURS", 24)

# Webhooks (docs/decisions/0026-webhooks-county-snapshots-schemathesis.md): seconds a delivery waits to connect and for each read.
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10)
# County systems sit on private government networks, so private addresses are allowed unless this is set.
WEBHOOK_BLOCK_PRIVATE_NETWORKS = env_bool("WEBHOOK_BLOCK_PRIVATE_NETWORKS")
# Networks a webhook may reach although they are never allowed otherwise (loopback, link-local…).
WEBHOOK_ALLOWED_NETWORKS = env_list("WEBHOOK_ALLOWED_NETWORKS")

# The integration API (docs/api.md, docs/decisions/0019-integration-api.md): JSON only, bearer
# tokens (api/authentication.py) or the staff's session, every error in one Chinese shape
# (api/errors.py), quotas per token, person or address (api/quotas.py).
REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # The token first: a request that names one is answered as its holder (or 401), session or not.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["api.quotas.Quota"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.Schema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    # OPTIONS would describe a view by its docstring, in English: the schema describes them instead.
    "DEFAULT_METADATA_CLASS": None,
}
# API requests per window: for an address without a token, and for a token or a signed-in person.
# Counted in the cache, so set REDIS_URL on a server with several workers (else each counts alone).
API_QUOTA_WINDOW_SECONDS = env_int("API_QUOTA_WINDOW_SECONDS", 60) or 60
API_QUOTA_ANONYMOUS = env_int("API_QUOTA_ANONYMOUS", 60)
API_QUOTA_TOKEN = env_int("API_QUOTA_TOKEN", 600)
# The OpenAPI description at /api/schema/ and its documentation page at /api/docs/, whose files
# come from drf-spectacular-sidecar and are served by this site: nothing from a CDN.
SPECTACULAR_SETTINGS = {
    "TITLE": "乡镇（街道）履行职责事项清单 API",
    "DESCRIPTION": (
        "公布的清单：县、乡镇（街道）、版本、事项、版本变更和增量同步；"
        "工作人员的草稿、事项修改、审核流程、意见和答复。说明见 docs/api.md。"
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "Part": "catalog.columns.Part.choices",
        "WindowKind": "api.staff_serializers.WINDOW_KINDS",
        "NameKind": "api.imports.NAME_KINDS",
    },
    # Staff endpoints write a reference by id and read it as {"id", "name"}: requests and answers
    # are described apart.
    "COMPONENT_SPLIT_REQUEST": True,
}

# Production hardening: on unless DEBUG is on; each can be relaxed from the
# environment (for instance behind a proxy that already redirects to HTTPS).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# A load balancer probes the health check over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Reasons for a change (moving an item to another part, reverting) are often
# longer than a hundred characters.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Security: client address, login throttle, sessions, error pages, content policy
# (docs/decisions/0007-security.md).

# Reverse proxies whose X-Forwarded-For is believed (IP addresses or networks, comma-separated);
# empty trusts nobody and every limit counts the connecting address (config/clientip.py).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
# Read once here so that a misspelt entry stops the start, not the first request.
trusted_networks(tuple(TRUSTED_PROXIES))

# A staff session lasts a working day unless configured otherwise.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE")

CSRF_FAILURE_VIEW = "config.errors.csrf_failure"

# Login throttle (django-axes): counted in the database, so every server process shares it.
INSTALLED_APPS += ["config.apps.LoginGuardConfig", "csp"]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Axes' database handler, except that a success clears only that account's failures.
AXES_HANDLER = "config.loginguard.LoginAttemptsHandler"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
# Either an account or an address reaching the limit is locked, each on its own.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# Every failure is kept as a row too, with whether it locked (the audit in the back office).
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_CLIENT_IP_CALLABLE = "config.clientip.client_address"
AXES_LOCKOUT_CALLABLE = "config.loginguard.login_locked_out"
AXES_COOLOFF_MESSAGE = "登录失败次数过多，已暂时锁定，请稍后再试。"
AXES_PERMALOCK_MESSAGE = "登录失败次数过多，已锁定，请联系县级管理员解锁。"
# The axes admin's labels in Chinese.
LOCALE_PATHS = [BASE_DIR / "locale"]

# Content-Security-Policy (django-csp): only this site's own scripts, styles and images.
# The one style attribute allowed, by its hash, is in django-simple-history's history page.
CSP_ALLOWED_STYLE_ATTRIBUTES = ["border-top: 0"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_HASHES]
        + [
            f"'sha256-{base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()}'"
            for style in CSP_ALLOWED_STYLE_ATTRIBUTES
        ],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
    }
}
