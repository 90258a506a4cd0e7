import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.settings import database_config

ROOT = Path(__file__).resolve().parents[2]


def run_django(args: list[str], **env: str) -> subprocess.CompletedProcess:
    """Run manage.py in a fresh interpreter with only the given settings variables."""
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "SYSTEMROOT"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=keep | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def env_example() -> dict[str, str]:
    values = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def test_postgresql_url_selects_postgresql():
    config = database_config("postgresql://editor:s%40fe@db.example:6543/duty_lists")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["PASSWORD"]) == ("duty_lists", "editor", "s@fe")
    assert (config["HOST"], config["PORT"]) == ("db.example", "6543")
    # JIT compilation cost more than it saved on the site's short queries (ADR 0034).
    assert config["OPTIONS"]["options"] == "-c jit=off"


def test_no_url_selects_the_sqlite_file():
    config = database_config(None)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(config["NAME"]).name == "db.sqlite3"


@pytest.mark.parametrize("url", ["mysql://root@localhost/db", "postgresql://postgres@localhost"])
def test_unusable_database_url_is_refused(url):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        database_config(url)


def test_database_url_switches_the_engine_of_a_running_project():
    shell = "from django.db import connection; print(connection.vendor, connection.settings_dict['NAME'])"
    result = run_django(
        ["shell", "--no-imports", "-c", shell],
        DEBUG="1",
        DATABASE_URL="postgresql://postgres@127.0.0.1:5432/elsewhere",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["postgresql", "elsewhere"]


def test_production_mode_refuses_to_start_without_a_secret_key():
    result = run_django(["check"], DEBUG="0")
    assert result.returncode != 0
    assert "未设置 SECRET_KEY" in result.stderr


def test_deploy_check_is_clean_with_the_documented_production_variables():
    env = env_example()
    assert env["DEBUG"] == "0"
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    result = run_django(["check", "--deploy", "--fail-level", "WARNING"], **env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_language_and_time_zone():
    assert (settings.LANGUAGE_CODE, settings.TIME_ZONE) == ("zh-hans", "Asia/Shanghai")


def test_a_malformed_number_in_the_environment_is_named():
    result = run_django(["check"], DEBUG="1", SECURE_HSTS_SECONDS="一年")
    assert result.returncode != 0
    assert "SECURE_HSTS_SECONDS 应为非负整数" in result.stderr


def test_the_web_server_entry_point_is_in_production_mode_by_default():
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    result = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=ROOT,
        env=keep,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "未设置 SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("django-insecure-development-only-key-never-use-in-production", "开发模式使用的公开密钥"),
        ("django-insecure-" + secrets.token_urlsafe(50), "django-insecure"),
        (secrets.token_urlsafe(30), "至少需要 50 个"),
        ("ab" * 40, "至少需要 5 种"),
    ],
)
def test_production_mode_refuses_a_weak_secret_key(key, reason):
    result = run_django(["check"], DEBUG="0", SECRET_KEY=key)
    assert result.returncode != 0
    assert "SECRET_KEY 太弱" in result.stderr and reason in result.stderr


def test_development_mode_accepts_a_short_secret_key():
    result = run_django(["check"], DEBUG="1", SECRET_KEY="short")
    assert result.returncode == 0, result.stderr


def test_session_length_comes_from_the_environment():
    shell = "from django.conf import settings as s; print(s.SESSION_COOKIE_AGE, s.SESSION_EXPIRE_AT_BROWSER_CLOSE)"
    default = run_django(["shell", "--no-imports", "-c", shell], DEBUG="1")
    assert default.stdout.split() == ["28800", "False"], default.stderr
    configured = run_django(
        ["shell", "--no-imports", "-c", shell],
        DEBUG="1",
        SESSION_COOKIE_AGE="3600",
        SESSION_EXPIRE_AT_BROWSER_CLOSE="1",
    )
    assert configured.stdout.split() == ["3600", "True"], configured.stderr


def test_login_throttle_and_proxies_come_from_the_environment():
    shell = (
        "from django.conf import settings as s;"
        " print(s.AXES_FAILURE_LIMIT, int(s.AXES_COOLOFF_TIME.total_seconds()), ','.join(s.TRUSTED_PROXIES))"
    )
    result = run_django(
        ["shell", "--no-imports", "-c", shell],
        DEBUG="1",
        AXES_FAILURE_LIMIT="7",
        AXES_COOLOFF_MINUTES="30",
        TRUSTED_PROXIES="10.0.0.1, 192.168.0.0/16",
    )
    assert result.stdout.split() == ["7", "1800", "10.0.0.1,192.168.0.0/16"], result.stderr


def test_a_misspelt_trusted_proxy_stops_the_start():
    result = run_django(["check"], DEBUG="1", TRUSTED_PROXIES="10.0.0.1, 10.0.0.300")
    assert result.returncode != 0
    assert "TRUSTED_PROXIES 中的“10.0.0.300”不是 IP 地址或网段" in result.stderr


def test_redis_url_puts_the_cache_counters_and_sessions_in_redis():
    """Every web server shares what Redis holds: pages, API quotas, report counters, sessions."""
    import redis

    url = f"redis://127.0.0.1:6379/{os.environ.get('PRODUCTION_TEST_REDIS_DB', '9')}"
    key = f"settings-test-{secrets.token_hex(6)}"
    shell = (
        "from django.conf import settings as s; from django.core.cache import cache;"
        f" cache.set('{key}', 'shared', 60);"
        " print(s.CACHES['default']['BACKEND'], s.CACHES['default'].get('LOCATION'), s.SESSION_ENGINE,"
        " s.CELERY_TASK_ALWAYS_EAGER)"
    )
    shared = run_django(["shell", "--no-imports", "-c", shell], DEBUG="1", REDIS_URL=url)
    assert shared.stdout.split() == [
        "django.core.cache.backends.redis.RedisCache",
        url,
        "django.contrib.sessions.backends.cached_db",
        # The job queue is a broker of its own (CELERY_BROKER_URL): without it, jobs run in-process.
        "True",
    ], shared.stderr
    stored = redis.Redis.from_url(url)
    assert stored.get(f":1:{key}") is not None
    stored.delete(f":1:{key}")

    alone = run_django(
        ["shell", "--no-imports", "-c", shell.replace(f" cache.set('{key}', 'shared', 60);", "")], DEBUG="1"
    )
    assert alone.stdout.split() == [
        "django.core.cache.backends.locmem.LocMemCache",
        "None",
        "django.contrib.sessions.backends.db",
        "True",
    ], alone.stderr
