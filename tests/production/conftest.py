"""Two production web servers that share nothing but the database and the cache.

`production_servers` (one per test session) builds a database of its own — a SQLite file, or
a PostgreSQL database `test_<name>_servers` when DATABASE_URL names PostgreSQL — migrates it,
loads the demo county, empties a Redis database kept for it, and starts `deploy/run-web` twice
(collectstatic, migration check, gunicorn with two workers each) in production mode. Tests talk
to the servers over HTTP (`HttpClient`) and read what they stored with `Servers.sql`.
"""

import http.client
import http.cookiejar
import os
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from config.settings import database_config

ROOT = Path(__file__).resolve().parents[2]
# The Redis database the servers' cache uses; emptied before they start.
REDIS_DB = int(os.environ.get("PRODUCTION_TEST_REDIS_DB", "9"))
FEEDBACK_PER_HOUR = 3
START_TIMEOUT = 60


@dataclass
class Servers:
    urls: tuple[str, str]
    env: dict[str, str]
    processes: list[subprocess.Popen] = field(default_factory=list)

    def sql(self, query: str, params: tuple = ()) -> list[tuple]:
        """Rows of a query on the servers' database (SQLite `?` placeholders are written `%s`)."""
        config = database_config(self.env["DATABASE_URL"])
        if config["ENGINE"].endswith("sqlite3"):
            with sqlite3.connect(config["NAME"]) as connection:
                return connection.execute(query.replace("%s", "?"), params).fetchall()
        import psycopg2

        connection = psycopg2.connect(**pg_params(config))
        try:
            with connection.cursor() as cursor:
                cursor.execute(query, params)
                return cursor.fetchall()
        finally:
            connection.close()


def pg_params(config: dict, name: str | None = None) -> dict:
    params = {"dbname": name or config["NAME"], "user": config["USER"], "host": config["HOST"]}
    params |= {"password": config["PASSWORD"]} if config["PASSWORD"] else {}
    return params | ({"port": config["PORT"]} if config["PORT"] else {})


def pg_admin(config: dict, *statements: str) -> None:
    import psycopg2

    connection = psycopg2.connect(**pg_params(config, "postgres"))
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        connection.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"


def wait_until_healthy(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"deploy/run-web stopped with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, http.client.HTTPException):
            pass
        time.sleep(0.2)
    pytest.fail(f"{url} did not become healthy in {START_TIMEOUT} s:\n{log.read_text()}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()  # gunicorn's master stops its workers gracefully
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)  # whatever is left of its process group
    except ProcessLookupError:
        pass
    process.wait()


def production_env(folder: Path, database_url: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    return keep | {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        # Plain HTTP on loopback: no redirect to HTTPS, cookies without the secure flag.
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "DATABASE_URL": database_url,
        "CONN_MAX_AGE": "60",
        "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "STATIC_ROOT": str(folder / "static"),
        "IMPORT_UPLOAD_DIR": str(folder / "imports"),
        "FEEDBACK_PER_HOUR": str(FEEDBACK_PER_HOUR),
        "WEB_WORKERS": "2",
        "WEB_LOG_LEVEL": "warning",
        "LOG_LEVEL": "WARNING",
        "VENV_BIN": str(Path(sys.executable).parent),
    }


@pytest.fixture(scope="session")
def production_servers(tmp_path_factory):
    import redis

    folder = tmp_path_factory.mktemp("production")
    configured = database_config(os.environ.get("DATABASE_URL"))
    postgres = configured["ENGINE"].endswith("postgresql")
    if postgres:
        name = f"test_{configured['NAME']}_servers"
        drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
        pg_admin(configured, drop, f'CREATE DATABASE "{name}"')
        database_url = urllib.parse.urlunsplit(
            urllib.parse.urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}")
        )
    else:
        database_url = f"sqlite:///{folder / 'db.sqlite3'}"
    env = production_env(folder, database_url)
    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    run([sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"], env)
    run([sys.executable, "manage.py", "load_demo"], env)

    servers = Servers(urls=("", ""), env=env)
    urls = []
    try:
        for letter in "ab":
            url = f"http://127.0.0.1:{free_port()}"
            log = folder / f"server-{letter}.log"
            process = subprocess.Popen(
                [str(ROOT / "deploy" / "run-web")],
                cwd=ROOT,
                env=env | {"WEB_BIND": url.removeprefix("http://")},
                stdout=log.open("w"),
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped with its workers
            )
            servers.processes.append(process)
            wait_until_healthy(url, process, log)
            urls.append(url)
        servers.urls = tuple(urls)
        yield servers
    finally:
        for process in servers.processes:
            stop(process)
        if postgres:
            pg_admin(configured, drop)


class HttpClient:
    """A cookie-keeping HTTP client that does not follow redirects; one per visitor."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self):
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), self._NoRedirect
        )

    def request(self, url: str, data: dict | None = None, headers: dict | None = None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers=headers or {})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def get(self, url: str, **kwargs):
        return self.request(url, **kwargs)

    def post(self, url: str, data: dict, **kwargs):
        return self.request(url, data=data, **kwargs)


def csrf_token(page: bytes) -> str:
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match, "the page has no CSRF token"
    return match.group(1).decode()


def log_in(client: HttpClient, server: str, username: str, password: str) -> int:
    """Post the login form as a browser would (CSRF token from the form); the response status."""
    _, _, page = client.get(f"{server}/accounts/login/")
    data = {"username": username, "password": password, "csrfmiddlewaretoken": csrf_token(page)}
    status, _, _ = client.post(f"{server}/accounts/login/", data)
    return status
