"""The address of the person at the other end: the one place every limit asks for it.

`X-Forwarded-For` is written by whoever sent the request, so it is believed only as far
as the proxies in `TRUSTED_PROXIES` vouch for it: the chain is walked from the right
(the hop nearest to us) and the first address that is not a trusted proxy is the client.
With no trusted proxies configured the header is ignored and the peer address is used.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def trusted_networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for entry in proxies:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES 中的“{entry}”不是 IP 地址或网段（例如 10.0.0.1 或 10.0.0.0/8）。"
            ) from None
    return tuple(networks)


def parse_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.9:5120"
        text = text.split(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def is_trusted(address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def client_address(request) -> str:
    """The client's IP address as text; the peer's address when no trusted proxy stands between."""
    peer_text = request.META.get("REMOTE_ADDR", "")
    peer = parse_address(peer_text)
    networks = trusted_networks(tuple(settings.TRUSTED_PROXIES))
    if peer is None or not is_trusted(peer, networks):
        return str(peer) if peer else peer_text
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    address = peer
    for hop in reversed([part for part in forwarded.split(",") if part.strip()]):
        parsed = parse_address(hop)
        if parsed is None:
            # A hop nobody can read: the last address we could vouch for is the best we know.
            break
        address = parsed
        if not is_trusted(parsed, networks):
            break
    return str(address)
