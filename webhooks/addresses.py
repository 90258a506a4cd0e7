"""Which addresses a webhook may be sent to: the guard against making the server call itself or
its neighbours (SSRF).

County systems usually sit on the government network (电子政务外网) at private addresses, so private
ranges are allowed unless `WEBHOOK_BLOCK_PRIVATE_NETWORKS` is set. What is never allowed is the
machine itself and its link: loopback, link-local (cloud metadata at 169.254.169.254 among them),
multicast, unspecified and reserved addresses. `WEBHOOK_ALLOWED_NETWORKS` lists networks let through
anyway (a receiver on the same machine; the tests' local server).

The address is checked when an endpoint is registered and again, after resolving the host name, at
every attempt; the connection then goes to the address checked, so a name cannot resolve to
something else in between (DNS rebinding)."""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from catalog.refusals import Invalid

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Target:
    """Where one attempt goes: the URL's parts and the checked address to connect to."""

    scheme: str
    host: str
    port: int
    path: str
    ip: str


def refused(message: str) -> Invalid:
    return Invalid(message, code="webhook_address", field="url")


def address_problem(ip: Address) -> str | None:
    """Why the server must not send to `ip`, or None."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if any(ip in ipaddress.ip_network(net) for net in settings.WEBHOOK_ALLOWED_NETWORKS):
        return None
    if ip.is_loopback or ip.is_unspecified:
        return "指向本机"
    if ip.is_link_local:
        return "是链路本地地址"
    if ip.is_multicast or ip.is_reserved:
        return "是组播或保留地址"
    if settings.WEBHOOK_BLOCK_PRIVATE_NETWORKS and not ip.is_global:
        return "是内网地址，本系统设置为只推送到公网地址"
    return None


def target_of(url: str) -> Target:
    """The URL's parts and an allowed address for its host; refused with a Chinese message naming
    what is wrong."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise refused("接收地址格式不正确。") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise refused("接收地址须以 http:// 或 https:// 开头并写明主机。")
    if parts.username or parts.password:
        raise refused("接收地址不能包含用户名或密码。")
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise refused(f"无法解析接收地址的主机名“{parts.hostname}”。") from None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in found]
    for ip in addresses:
        if problem := address_problem(ip):
            raise refused(f"接收地址的主机“{parts.hostname}”（{ip}）{problem}，不能向它推送。")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, parts.hostname, port, path, str(addresses[0]))
