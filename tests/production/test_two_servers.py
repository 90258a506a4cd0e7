"""Two production servers (gunicorn, DEBUG off) sharing only the database and Redis act as one site."""

import re
import uuid

import pytest
import redis

from publication.management.commands.load_demo import DEMO_ACCOUNTS
from tests.production.conftest import FEEDBACK_PER_HOUR, HttpClient, csrf_token, log_in

pytestmark = pytest.mark.slow

PASSWORDS = {username: password for username, password, *_ in DEMO_ACCOUNTS}


def published_item(servers) -> tuple[str, str]:
    """(township code, item key) of an item of an edition in force."""
    code, key = servers.sql(
        "SELECT t.code, i.key FROM publication_currentedition c"
        " JOIN catalog_township t ON t.id = c.township_id"
        " JOIN publication_editionitem i ON i.edition_id = c.edition_id"
        " ORDER BY t.code, i.id LIMIT 1"
    )[0]
    return code, str(uuid.UUID(str(key)))


def test_a_user_logged_in_on_one_server_continues_on_the_other(production_servers):
    a, b = production_servers.urls
    editor = HttpClient()
    assert log_in(editor, a, "bianban", PASSWORDS["bianban"]) == 302

    status, _, page = editor.get(f"{b}/work/")
    assert status == 200
    assert "王编办" in page.decode()

    # A form of server B accepts the session and CSRF cookie issued by server A: log out there.
    token = csrf_token(page)
    status, headers, _ = editor.post(f"{b}/accounts/logout/", {"csrfmiddlewaretoken": token})
    assert status == 302
    status, headers, _ = editor.get(f"{a}/work/")
    assert status == 302 and "/accounts/login/" in headers["Location"]


def test_a_visitor_without_the_session_is_sent_to_log_in_on_either_server(production_servers):
    for server in production_servers.urls:
        status, headers, _ = HttpClient().get(f"{server}/work/")
        assert status == 302 and "/accounts/login/" in headers["Location"]


def test_the_feedback_limit_counts_posts_to_both_servers(production_servers):
    a, b = production_servers.urls
    code, key = published_item(production_servers)
    path = f"/lists/{code}/items/{key}/feedback/"
    visitor = HttpClient()
    statuses = []
    for number in range(FEEDBACK_PER_HOUR + 2):
        server = (a, b)[number % 2]
        _, _, form = visitor.get(f"{server}{path}")
        data = {
            "kind": "wrong",
            "text": f"两台服务器之间的第{number + 1}条反映",
            "contact": "",
            "csrfmiddlewaretoken": csrf_token(form),
        }
        status, _, page = visitor.post(f"{server}{path}", data)
        statuses.append(status)
        if status == 429:
            assert "您提交得太频繁了" in page.decode()

    assert statuses == [200] * FEEDBACK_PER_HOUR + [429, 429]
    texts = [text for (text,) in production_servers.sql("SELECT text FROM publication_feedback ORDER BY id")]
    assert texts == [f"两台服务器之间的第{n}条反映" for n in range(1, FEEDBACK_PER_HOUR + 1)]
    # The counter both servers took their slots from lives in the shared Redis database.
    cache = redis.Redis.from_url(production_servers.env["REDIS_URL"])
    counters = [cache.get(name) for name in cache.keys("*feedback-rate:*")]
    assert counters == [str(FEEDBACK_PER_HOUR).encode()]


def test_static_files_are_served_hashed_compressed_and_cached_for_a_year(production_servers):
    a, b = production_servers.urls
    _, _, page = HttpClient().get(f"{b}/accounts/login/")
    stylesheet = re.search(rb'href="(/static/css/app\.[0-9a-f]{12}\.css)"', page)
    assert stylesheet, "the page does not link the hashed stylesheet"
    for server in (a, b):
        status, headers, body = HttpClient().get(
            f"{server}{stylesheet.group(1).decode()}", headers={"Accept-Encoding": "gzip"}
        )
        assert status == 200
        assert headers["Content-Encoding"] == "gzip"
        assert "immutable" in headers["Cache-Control"] and "max-age=315360000" in headers["Cache-Control"]
    script = re.search(rb'src="(/static/django_htmx/htmx-2\.min\.[0-9a-f]{12}\.js)"', page)
    assert script, "htmx is not served from the site's own static files"
    status, _, body = HttpClient().get(f"{a}{script.group(1).decode()}")
    assert status == 200 and b"htmx" in body


def test_health_check_of_both_servers(production_servers):
    for server in production_servers.urls:
        status, headers, body = HttpClient().get(f"{server}/healthz")
        assert (status, body) == (200, b'{"database": "ok", "cache": "ok"}')
        assert "Set-Cookie" not in headers
