"""Quotas: how many API requests a caller may make in each window, counted in the cache (Redis in
production, shared by every worker), answered 429 with `Retry-After` once spent.

A token is counted on its own (whoever uses it, from wherever); a signed-in session by its person;
anyone else by their address (`config.clientip`, which believes only trusted proxies) — a request
with a wrong token too, before it is refused, so guessing tokens is bounded as well. A token's
quota is the larger: public reading needs none, a token raises the quota. Every answer of a view
that counted carries the caller's state as `RateLimit-Limit`, `RateLimit-Remaining` and
`RateLimit-Reset` (seconds until the window ends), added by `QuotaHeadersMiddleware`.
"""

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from config.clientip import client_address

from .models import Token


@dataclass(frozen=True)
class Usage:
    limit: int
    used: int
    reset: int  # seconds until the window ends and the count starts again

    @property
    def spent(self) -> bool:
        return self.used > self.limit

    def headers(self) -> dict[str, str]:
        window = settings.API_QUOTA_WINDOW_SECONDS
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(max(0, self.limit - self.used)),
            "RateLimit-Reset": str(self.reset),
            "RateLimit-Policy": f"{self.limit};w={window}",
        }


def caller_of(request) -> tuple[str, int]:
    """Whose count a request adds to, and that caller's quota per window."""
    if isinstance(request.auth, Token):
        return f"token:{request.auth.pk}", settings.API_QUOTA_TOKEN
    if request.user.is_authenticated:
        return f"user:{request.user.pk}", settings.API_QUOTA_TOKEN
    return address_of(request)


def address_of(request) -> tuple[str, int]:
    return f"address:{client_address(request)}", settings.API_QUOTA_ANONYMOUS


def count(request, caller: str, limit: int) -> Usage:
    """Adds the request to `caller`'s count and leaves the state for the headers on the way out."""
    usage = spend(caller, limit, time.time())
    request._request.api_quota = usage
    return usage


def spend(caller: str, limit: int, now: float) -> Usage:
    """One more request of `caller` in the current fixed window (an atomic increment on Redis)."""
    window = settings.API_QUOTA_WINDOW_SECONDS
    start = int(now // window) * window
    key = f"api-quota:{caller}:{start}"
    if cache.add(key, 1, timeout=window + 1):
        used = 1
    else:
        try:
            used = cache.incr(key)
        except ValueError:  # the window's key expired between the two calls
            cache.add(key, 1, timeout=window + 1)
            used = 1
    return Usage(limit=limit, used=used, reset=max(1, math.ceil(start + window - now)))


class Quota(BaseThrottle):
    """DRF's throttle for every API view (DEFAULT_THROTTLE_CLASSES)."""

    def allow_request(self, request, view) -> bool:
        self.usage = count(request, *caller_of(request))
        return not self.usage.spent

    def wait(self) -> float:
        return self.usage.reset


class QuotaHeadersMiddleware:
    """The caller's quota on every answer of an API view that counted it, 429s and 304s included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        usage = getattr(request, "api_quota", None)
        if usage is not None:
            for name, value in usage.headers().items():
                response[name] = value
        return response
