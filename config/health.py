"""The health check a load balancer polls: is this server able to answer pages?

It answers 200 only when the database (and its read replica, when one is configured) runs a query
and the cache gives back a value just stored in it; otherwise 503 naming the part that failed. It needs no login, opens no session
and is never cached, so every probe reaches both.
"""

import logging
import uuid

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.replicas import REPLICA

logger = logging.getLogger(__name__)


def database_ok(alias: str = DEFAULT_DB_ALIAS) -> bool:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("Health check: the database %s does not answer", alias)
        return False


def cache_ok() -> bool:
    key, value = f"healthz:{uuid.uuid4().hex}", uuid.uuid4().hex
    try:
        cache.set(key, value, timeout=10)
        answered = cache.get(key)
        cache.delete(key)
    except Exception:
        logger.exception("Health check: the cache does not answer")
        return False
    if answered != value:
        logger.error("Health check: the cache did not keep a value")
    return answered == value


@never_cache
@require_GET
def healthz(request):
    parts = {"database": database_ok(), "cache": cache_ok()}
    if REPLICA in connections:
        # Public pages read from it: a server that cannot reach it cannot answer them.
        parts["replica"] = database_ok(REPLICA)
    body = {name: "ok" if ok else "failed" for name, ok in parts.items()}
    return JsonResponse(body, status=200 if all(parts.values()) else 503)
