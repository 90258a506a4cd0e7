"""deploy/ agrees with the application: limits, timeouts, headers, service units, environment."""

import configparser
import os
import re
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from catalog.imports.reading import MAX_FILE_BYTES

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
NGINX = (DEPLOY / "nginx" / "duty-lists.conf").read_text(encoding="utf-8")
UNITS = ["duty-lists-web", "duty-lists-worker", "duty-lists-scheduler"]


def nginx_directive(name: str) -> str:
    values = set(re.findall(rf"^\s*{name}\s+([^;]+);", NGINX, re.M))
    assert len(values) == 1, f"{name}: {values}"
    return values.pop()


def seconds(value: str) -> int:
    return int(value.removesuffix("s"))


def gunicorn_settings(**env: str) -> dict:
    saved = {name: os.environ.pop(name, None) for name in ("WEB_BIND", "WEB_WORKERS", "WEB_TIMEOUT")}
    os.environ.update(env)
    try:
        return runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    finally:
        for name in env:
            del os.environ[name]
        os.environ.update({name: value for name, value in saved.items() if value is not None})


def unit(name: str) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    parser.read(DEPLOY / "systemd" / f"{name}.service", encoding="utf-8")
    return parser["Service"]


def test_nginx_accepts_the_largest_import_and_nothing_much_larger():
    limit = nginx_directive("client_max_body_size")
    assert limit.endswith("m")
    megabytes = int(limit.removesuffix("m"))
    assert MAX_FILE_BYTES < megabytes * 1024 * 1024 <= MAX_FILE_BYTES + 2 * 1024 * 1024


def test_timeouts_let_an_import_finish_and_nginx_gives_up_before_the_worker_is_killed():
    read_timeout = seconds(nginx_directive("proxy_read_timeout"))
    assert read_timeout >= 120
    assert gunicorn_settings()["timeout"] > read_timeout


def test_nginx_tells_django_the_scheme_and_the_client_address_it_saw():
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in NGINX
    # The client's address replaces whatever X-Forwarded-For the client itself sent.
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in NGINX
    assert "proxy_set_header X-Real-IP $remote_addr;" in NGINX
    assert "$proxy_add_x_forwarded_for" not in NGINX


def test_nginx_redirects_plain_http_except_the_health_check():
    plain = NGINX.split("listen 443")[0]
    assert "location = /healthz" in plain and "proxy_pass http://duty_lists;" in plain
    assert "return 301 https://$host$request_uri;" in plain
    assert re.search(r"ssl_protocols TLSv1\.2 TLSv1\.3;", NGINX)


def test_gunicorn_runs_the_wsgi_application_with_workers_from_the_environment():
    default = gunicorn_settings()
    assert default["wsgi_app"] == "config.wsgi:application"
    assert default["workers"] >= 2 and default["bind"] == "127.0.0.1:8000"
    assert default["accesslog"] == "-" and default["preload_app"] is True
    assert gunicorn_settings(WEB_WORKERS="3", WEB_BIND="0.0.0.0:9000")["workers"] == 3


@pytest.mark.parametrize("name", UNITS)
def test_service_units_read_the_environment_file_and_restart(name):
    service = unit(name)
    assert service["EnvironmentFile"] == "/etc/duty-lists/env"
    assert service["User"] == "duty-lists" and service["Restart"] == "on-failure"


def test_service_units_run_the_web_server_the_worker_and_the_scheduler():
    assert unit("duty-lists-web")["ExecStart"] == "/srv/duty-lists/app/deploy/run-web"
    assert unit("duty-lists-worker")["ExecStart"].endswith("/celery -A config worker -l info")
    assert " -A config beat -l info" in unit("duty-lists-scheduler")["ExecStart"]
    assert os.access(DEPLOY / "run-web", os.X_OK)


def test_every_make_target_that_runs_django_sets_development_mode_except_the_production_ones():
    makefile = (ROOT / "Makefile").read_text()
    development = set(re.search(r"^([\w -]+): export DEBUG \?= 1$", makefile, re.M).group(1).split())
    recipes = re.findall(r"^([\w-]+):[^\n=]*\n((?:\t[^\n]*\n?)+)", makefile, re.M)
    runs_django = {
        target for target, recipe in recipes if re.search(r"manage\.py|pytest|benchmarks/", recipe)
    }
    assert runs_django - {"serve"} <= development
    assert "serve" not in development


def test_the_web_servers_variables_are_documented():
    documented = (ROOT / ".env.example").read_text(encoding="utf-8")
    used = set(re.findall(r'os\.environ\.get\("(\w+)"', (DEPLOY / "gunicorn.conf.py").read_text()))
    assert used and all(re.search(rf"^{name}=", documented, re.M) for name in used)


def script_env(tmp_path, **extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    return keep | {"VENV_BIN": str(Path(sys.executable).parent)} | extra


@pytest.mark.slow  # migrates a database of its own, then starts deploy/run-web
def test_the_web_server_refuses_to_start_on_a_database_with_unapplied_migrations(tmp_path):
    env = script_env(
        tmp_path,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
    )
    result = subprocess.run(
        [str(DEPLOY / "run-web")], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1
    assert "数据库还有未执行的迁移" in result.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()  # collected first, in production mode


def test_deploy_manage_runs_manage_py_with_the_servers_environment_file(tmp_path):
    env_file = tmp_path / "env"
    env_file.write_text(f"DEBUG=0\nSECRET_KEY={secrets.token_urlsafe(50)}\nFEEDBACK_PER_HOUR=17\n")
    shell = "from django.conf import settings; print(settings.DEBUG, settings.FEEDBACK_PER_HOUR)"
    result = subprocess.run(
        [str(DEPLOY / "manage"), "shell", "--no-imports", "-c", shell],
        env=script_env(tmp_path, ENV_FILE=str(env_file)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "17"]

    missing = subprocess.run(
        [str(DEPLOY / "manage"), "check"],
        env=script_env(tmp_path, ENV_FILE=str(tmp_path / "absent")),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing.returncode == 1 and "读不到配置文件" in missing.stderr
