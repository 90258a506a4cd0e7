"""The client's address: X-Forwarded-For is believed only as far as trusted proxies vouch for it."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from config.clientip import client_address


def address(remote: str, forwarded: str | None = None) -> str:
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **meta))


def test_without_trusted_proxies_a_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert address("198.51.100.7", "203.0.113.1") == "198.51.100.7"


def test_a_header_from_an_untrusted_peer_is_ignored(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    assert address("198.51.100.7", "203.0.113.1") == "198.51.100.7"


def test_behind_a_trusted_proxy_the_client_is_the_rightmost_untrusted_hop(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    # The client wrote "1.2.3.4" itself; the proxy appended the address it saw.
    assert address("10.0.0.1", "1.2.3.4, 203.0.113.9") == "203.0.113.9"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1", "172.16.0.0/12"]
    assert address("10.0.0.1", "1.2.3.4, 203.0.113.9, 172.16.5.5") == "203.0.113.9"


def test_ipv6_and_ports_are_understood(settings):
    settings.TRUSTED_PROXIES = ["::1", "127.0.0.1"]
    assert address("::1", "[2001:db8::7]:51000") == "2001:db8::7"
    assert address("127.0.0.1", "203.0.113.9:51000") == "203.0.113.9"
    assert address("::ffff:127.0.0.1", "203.0.113.5") == "203.0.113.5"


def test_an_unreadable_hop_stops_the_walk_at_the_last_trusted_address(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    assert address("10.0.0.1", "203.0.113.9, not-an-address") == "10.0.0.1"
    assert address("10.0.0.1", "") == "10.0.0.1"


def test_a_misspelt_trusted_proxy_is_refused_in_chinese(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.300"]
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        address("10.0.0.1", "203.0.113.9")
