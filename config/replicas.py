"""Reads from a read replica, with every write and transaction on the primary
(docs/decisions/0037-read-replicas-and-shared-state.md).

Installed only when `DATABASE_REPLICA_URL` configures the `replica` alias. The rule: a read goes to
the replica only inside a request that has not written and whose client has not written within
`REPLICA_PIN_SECONDS`, and never inside a transaction. Everything else — writes, `select_for_update`,
the workflow, management commands, background jobs — reads and writes the primary, so a job started
by a publication never reads a replica that has not yet received it.

The request's state lives in an asgiref `Local`: one per thread, and per task under ASGI, like
Django's own connections.
"""

import hashlib
import time

from asgiref.local import Local
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
# A signed cookie rather than the session: anonymous visitors (a public report) are pinned too,
# and logging out, which empties the session, is a write whose next reads must see it. API clients
# keep no cookies: one that sends a token is pinned by that token, in the shared cache.
PIN_COOKIE = "primary_reads"
PIN_SALT = "config.replicas"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

_request = Local()


def replica_reads_allowed() -> bool:
    """Whether this request may still read from the replica (false outside a request)."""
    return getattr(_request, "replica_reads", False)


def wrote_in_this_request() -> bool:
    return getattr(_request, "wrote", False)


class ReplicaRouter:
    """Reads to the replica while the request allows it; writes, migrations and transactions on the primary."""

    def db_for_read(self, model, **hints) -> str:
        # Inside `transaction.atomic()` a read must see the transaction's own writes and locks.
        if replica_reads_allowed() and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str:
        # Also asked for `select_for_update()` and `get_or_create()`: the rest of the request reads
        # the primary, and the client's next requests too (the middleware sets the pin).
        _request.replica_reads = False
        _request.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # Both aliases hold the same rows: a row read from the replica may refer to one from the primary.
        return True

    def allow_migrate(self, db: str, app_label: str, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS


class ReadYourWritesMiddleware:
    """Per request: may reads use the replica? After a write, pin the client to the primary for a while."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        unsafe = request.method not in SAFE_METHODS
        _request.replica_reads = not unsafe and not pinned(request)
        _request.wrote = False
        try:
            response = self.get_response(request)
            wrote = wrote_in_this_request()
        finally:
            # A streamed body read after this point reads the primary, as code outside a request does.
            _request.replica_reads = False
            _request.wrote = False
        if unsafe or wrote:
            pin(request, response)
        return response


def token_pin_key(request: HttpRequest) -> str | None:
    """The cache key pinning the API token this request sends, or None without one."""
    credentials = request.headers.get("Authorization", "")
    if not credentials:
        return None
    return f"primary-reads:{hashlib.sha256(credentials.encode()).hexdigest()}"


def pinned(request: HttpRequest) -> bool:
    until = request.get_signed_cookie(PIN_COOKIE, default=None, salt=PIN_SALT)
    try:
        if until is not None and float(until) > time.time():
            return True
    except ValueError:
        pass
    key = token_pin_key(request)
    return key is not None and cache.get(key) is not None


def pin(request: HttpRequest, response: HttpResponse) -> None:
    seconds = settings.REPLICA_PIN_SECONDS
    if key := token_pin_key(request):
        cache.set(key, 1, timeout=seconds)
    response.set_signed_cookie(
        PIN_COOKIE,
        f"{time.time() + seconds:.3f}",
        salt=PIN_SALT,
        max_age=seconds,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
