"""The login throttle counts failures posted to either server: its counts live in the shared database."""

import sys

import pytest

from tests.production.conftest import HttpClient, csrf_token, run
from tests.production.test_two_servers import PASSWORDS

pytestmark = pytest.mark.slow


def test_the_login_throttle_counts_failures_on_both_servers(production_servers):
    try:
        count_failures_on_both(production_servers)
    finally:
        # The servers are shared by the session: lift the lock on the account and on 127.0.0.1.
        run([sys.executable, "manage.py", "axes_reset"], production_servers.env)


def count_failures_on_both(production_servers):
    a, b = production_servers.urls
    limit = 5  # AXES_FAILURE_LIMIT's default
    visitor = HttpClient()
    statuses = []
    for number in range(limit):
        server = (a, b)[number % 2]
        _, _, form = visitor.get(f"{server}/accounts/login/")
        data = {"username": "bianban", "password": "wrong", "csrfmiddlewaretoken": csrf_token(form)}
        status, _, _ = visitor.post(f"{server}/accounts/login/", data)
        statuses.append(status)
    assert statuses == [200] * (limit - 1) + [429]
    # The right password on the other server, from another client, is refused while the account is locked.
    other = HttpClient()
    _, _, form = other.get(f"{a}/accounts/login/")
    data = {"username": "bianban", "password": PASSWORDS["bianban"], "csrfmiddlewaretoken": csrf_token(form)}
    status, _, page = other.post(f"{a}/accounts/login/", data)
    assert status == 429 and "登录失败次数过多" in page.decode()
    failures = production_servers.sql("SELECT SUM(failures_since_start) FROM axes_accessattempt")[0][0]
    assert failures == limit + 1
