"""Login throttle (django-axes): per account and per client address, counted in the database."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def throttle(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.TRUSTED_PROXIES = []


def log_in(client, username, password, **meta):
    return client.post(reverse("login"), {"username": username, "password": password}, **meta)


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_wrong_passwords_lock_the_account_even_from_another_address(client, throttle):
    make_user("clerk")
    for n in range(3):
        log_in(client, "clerk", "wrong", REMOTE_ADDR=f"198.51.100.{n + 1}")
    locked = log_in(client, "clerk", "pw", REMOTE_ADDR="203.0.113.50")
    body = locked.content.decode()
    assert locked.status_code == 429
    assert "登录失败次数过多" in body and "15 分钟后再试" in body
    assert not is_logged_in(client)


def test_failures_from_one_address_lock_that_address_for_other_accounts(client, throttle):
    make_user("clerk")
    make_user("other-clerk")
    for name in ["a", "b", "c"]:
        log_in(client, f"guess-{name}", "wrong", REMOTE_ADDR="198.51.100.9")
    assert log_in(client, "clerk", "pw", REMOTE_ADDR="198.51.100.9").status_code == 429
    assert not is_logged_in(client)
    elsewhere = log_in(client, "other-clerk", "pw", REMOTE_ADDR="203.0.113.50")
    assert elsewhere.status_code == 302 and is_logged_in(client)


def test_a_successful_login_resets_the_count(client, throttle):
    make_user("clerk")
    for _ in range(2):
        assert log_in(client, "clerk", "wrong").status_code == 200
    assert log_in(client, "clerk", "pw").status_code == 302
    assert not AccessAttempt.objects.filter(username="clerk").exists()
    client.logout()
    for _ in range(2):
        log_in(client, "clerk", "wrong")
    assert log_in(client, "clerk", "pw").status_code == 302


def test_logging_into_ones_own_account_does_not_reset_guesses_at_another(client, throttle):
    make_user("clerk")
    make_user("colleague")
    for _ in range(2):
        log_in(client, "colleague", "guess")
        assert log_in(client, "clerk", "pw").status_code == 302
        client.logout()
    assert log_in(client, "colleague", "guess").status_code == 429
    assert log_in(client, "colleague", "pw", REMOTE_ADDR="203.0.113.50").status_code == 429
    assert AccessAttempt.objects.get(username="colleague", ip_address="127.0.0.1").failures_since_start == 3


def test_the_lock_ends_after_the_cool_off(client, throttle, settings):
    from datetime import timedelta

    make_user("clerk")
    for _ in range(3):
        log_in(client, "clerk", "wrong")
    assert log_in(client, "clerk", "pw").status_code == 429
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    )
    assert log_in(client, "clerk", "pw").status_code == 302


def test_a_spoofed_forwarded_address_does_not_escape_the_address_lock(client, throttle, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    for name in ["a", "b", "c"]:
        log_in(client, f"guess-{name}", "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{ord(name)}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}
    make_user("clerk")
    assert log_in(client, "clerk", "pw", HTTP_X_FORWARDED_FOR="203.0.113.200").status_code == 429


def test_behind_a_trusted_proxy_the_lock_falls_on_the_client_not_the_proxy(client, throttle, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    make_user("clerk")
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for name in ["a", "b", "c"]:
        log_in(client, f"guess-{name}", "wrong", HTTP_X_FORWARDED_FOR="203.0.113.66", **proxy)
    assert AccessAttempt.objects.filter(ip_address="203.0.113.66").count() == 3
    assert log_in(client, "clerk", "pw", HTTP_X_FORWARDED_FOR="203.0.113.66", **proxy).status_code == 429
    assert log_in(client, "clerk", "pw", HTTP_X_FORWARDED_FOR="198.51.100.4", **proxy).status_code == 302


def test_the_back_office_lists_attempts_in_chinese(client, admin_client, throttle):
    log_in(client, "intruder", "wrong", REMOTE_ADDR="198.51.100.77")
    index = admin_client.get(reverse("admin:index")).content.decode()
    assert "登录防护" in index and "登录尝试" in index
    response = admin_client.get(reverse("admin:axes_accessattempt_changelist"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "intruder" in body and "198.51.100.77" in body and "失败次数" in body
    assert "Failed Logins" not in body and "IP Address" not in body


def test_only_superusers_see_the_attempts(client, cast):
    client.force_login(cast["county_editor"])
    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 403
