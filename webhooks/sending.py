"""One HTTP attempt of a delivery: sign, POST to the checked address, read a short excerpt.

No redirect is followed (a 3xx is a failed attempt, logged with where it pointed), the connection
and each read time out after `WEBHOOK_TIMEOUT_SECONDS`, and at most 1 KB of the answer is read."""

import hashlib
import hmac
import http.client
import socket
import ssl
import time
from dataclasses import dataclass

from django.conf import settings

from catalog.refusals import Invalid

from .addresses import Target, target_of

EXCERPT_BYTES = 1024
USER_AGENT = "duty-lists-webhooks/1"


def signature(secret: str, timestamp: int, body: str) -> str:
    """`sha256=<hex>`: HMAC-SHA256 with the endpoint's secret over "<timestamp>.<body>"."""
    mac = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    status_code: int | None
    excerpt: str


class PinnedConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, whatever the host name resolves to now."""

    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self.ip = target.ip

    def connect(self):
        self.sock = socket.create_connection((self.ip, self.port), self.timeout)


class PinnedTLSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self.ip = target.ip

    def connect(self):
        sock = socket.create_connection((self.ip, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, *, secret: str, event: str, event_id: str, body: str) -> Outcome:
    """POST the signed body once; every failure (refused address, network, status) is an Outcome."""
    try:
        target = target_of(url)
    except Invalid as refusal:
        return Outcome(False, None, refusal.messages[0])
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Webhook-Event": event,
        "X-Webhook-Id": event_id,
        "X-Webhook-Timestamp": str(timestamp),
        "X-Webhook-Signature": signature(secret, timestamp, body),
    }
    kind = PinnedTLSConnection if target.scheme == "https" else PinnedConnection
    connection = kind(target, timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
    try:
        connection.request("POST", target.path, body=body.encode(), headers=headers)
        response = connection.getresponse()
        excerpt = response.read(EXCERPT_BYTES).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException) as error:
        return Outcome(False, None, f"连接失败：{type(error).__name__} {error}"[:500])
    finally:
        connection.close()
    if 300 <= response.status < 400:
        excerpt = f"不跟随重定向（Location: {response.getheader('Location', '')}）" + excerpt
    return Outcome(200 <= response.status < 300, response.status, excerpt[:500])
