"""Each web worker's own copy of the public pages of an edition in force, dropped the moment a
publication is announced (docs/decisions/0012-public-page-fast-path.md).

`PublicPageMiddleware` answers a township's page or an item page from one Redis `MGET`. This
module takes that round trip off most requests: a worker keeps, in its own memory, the pages it
answered, and a daemon thread of the worker listens on a Redis channel on which every publication
announces its township (`announce`, once the publication is committed). On a message the worker
drops that township's pages, then acknowledges; the publication waits for the acknowledgement of
every listener, so once it has returned no worker on any server answers the old edition.

The copies are used only while the subscription is known to be live: confirmed by Redis, and heard
from (a message, or the answer to the ping sent every PING_SECONDS) within LEASE_SECONDS. Losing
the connection, and every (re)subscription, empty the store, since announcements may have been
missed; until the subscription is confirmed again the middleware reads Redis as before. A request
takes a ticket (the generation of its township) before it reads Redis, and its copy is stored only
if no announcement for that township, and no emptying, came in between.

Without REDIS_URL (development, tests) there is nothing to listen to and this layer is off; the
cache itself is then the process's memory.
"""

import logging
import os
import threading
import time
import uuid
from collections import OrderedDict

from django.conf import settings

CHANNEL = "public-pages:published:{db}"  # channels are shared by every database of a Redis server
PING_SECONDS = 1.0
LEASE_SECONDS = 3.0
# A publication waits this long at most for the workers' acknowledgements: longer than the lease,
# so a worker that has not acknowledged by then has stopped using its copies anyway.
ACK_SECONDS = LEASE_SECONDS + 1.0
RETRY_SECONDS = 1.0

logger = logging.getLogger(__name__)

Ticket = tuple[int, int]


class LocalPages:
    """A worker's kept pages by address, least recently used dropped past `max_bytes`."""

    def __init__(self, max_bytes: int, clock=time.monotonic):
        self.max_bytes = max_bytes
        self.clock = clock
        self.lock = threading.Lock()  # the request thread(s) and the listener
        self.pages: OrderedDict[str, tuple[str, object, int]] = OrderedDict()  # path → code, page, size
        self.size = 0
        self.epoch = 0  # moves on each time everything is dropped
        self.generations: dict[str, int] = {}  # township code → announcements received
        self.live = False
        self.heard = float("-inf")

    def usable(self) -> bool:
        return self.live and self.clock() - self.heard < LEASE_SECONDS

    # The request's side.

    def get(self, path: str):
        with self.lock:
            entry = self.pages.get(path) if self.usable() else None
            if entry is None:
                return None
            self.pages.move_to_end(path)
            return entry[1]

    def ticket(self, code: str) -> Ticket:
        """Taken before reading the shared cache; `put` refuses a copy read before an announcement."""
        with self.lock:
            return self.epoch, self.generations.get(code, 0)

    def put(self, path: str, code: str, page, size: int, ticket: Ticket) -> bool:
        with self.lock:
            if (
                not self.usable()
                or ticket != (self.epoch, self.generations.get(code, 0))
                or size > self.max_bytes
            ):
                return False
            self.forget(path)
            self.pages[path] = (code, page, size)
            self.size += size
            while self.size > self.max_bytes:
                self.forget(next(iter(self.pages)))
            return True

    # The listener's side.

    def subscribed(self) -> None:
        """Confirmed (again): whatever was announced before may have been missed."""
        with self.lock:
            self.empty()
            self.live, self.heard = True, self.clock()

    def heard_from(self) -> None:
        with self.lock:
            self.heard = self.clock()

    def published(self, code: str) -> None:
        with self.lock:
            self.generations[code] = self.generations.get(code, 0) + 1
            for path in [path for path, (of, _, _) in self.pages.items() if of == code]:
                self.forget(path)
            self.heard = self.clock()

    def lost(self) -> None:
        with self.lock:
            self.live = False
            self.empty()

    # Under the lock.

    def forget(self, path: str) -> None:
        entry = self.pages.pop(path, None)
        if entry is not None:
            self.size -= entry[2]

    def empty(self) -> None:
        self.pages.clear()
        self.size = 0
        self.epoch += 1


def listen(url: str, pages: LocalPages, stop: threading.Event | None = None) -> None:
    """The listener thread: subscribe, drop the pages of each announced township and acknowledge;
    on any failure drop everything and subscribe again."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    client = redis.Redis.from_url(
        url,
        socket_timeout=LEASE_SECONDS,
        socket_connect_timeout=LEASE_SECONDS,
        # No silent reconnection: a broken connection must reach `pages.lost()` below.
        retry=Retry(NoBackoff(), 0),
        client_name=f"public-pages:{os.getpid()}",  # for CLIENT LIST
    )
    while stop is None or not stop.is_set():
        pubsub = client.pubsub()
        try:
            pubsub.subscribe(channel_of(client))
            pinged = time.monotonic()
            while stop is None or not stop.is_set():
                message = pubsub.get_message(timeout=PING_SECONDS)
                if message is not None:
                    receive(client, pages, message)
                if time.monotonic() - pinged >= PING_SECONDS:
                    pubsub.ping()
                    pinged = time.monotonic()
        except Exception:  # whatever it was, nothing kept can be trusted until subscribed again
            logger.warning("公开页面的发布通知连接中断，暂时改为每次读取 Redis。", exc_info=True)
        finally:
            pages.lost()
            try:
                pubsub.close()
            except Exception:  # noqa: S110 - the connection is gone either way
                pass
        if stop is None or not stop.is_set():
            time.sleep(RETRY_SECONDS)


def receive(client, pages: LocalPages, message: dict) -> None:
    kind = message["type"]
    if kind == "subscribe":
        pages.subscribed()
    elif kind == "pong":
        pages.heard_from()
    elif kind == "message":
        code, ack = message["data"].decode().split(" ", 1)
        pages.published(code)
        client.pipeline().rpush(ack, os.getpid()).expire(ack, 60).execute()


def channel_of(client) -> str:
    return CHANNEL.format(db=client.connection_pool.connection_kwargs.get("db", 0))


def announce(code: str) -> None:
    """Tells every worker that `code` published a new edition, and waits until each listener has
    dropped its copies (at most ACK_SECONDS). Called once the publication is committed."""
    if not settings.REDIS_URL:
        return
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    ack = f"public-pages:ack:{uuid.uuid4().hex}"
    try:
        listeners = client.publish(channel_of(client), f"{code} {ack}")
        deadline = time.monotonic() + ACK_SECONDS
        for _ in range(listeners):
            left = deadline - time.monotonic()
            if left <= 0 or client.blpop([ack], timeout=left) is None:
                logger.warning("有 Web 进程未确认收到 %s 的发布通知；它在租期结束后不再使用本地副本。", code)
                break
        client.delete(ack)
    finally:
        client.close()


_worker: tuple[int, LocalPages] | None = None
_starting = threading.Lock()


def worker_pages() -> LocalPages | None:
    """This process's pages, its listener started on first use (so after gunicorn's fork, in each
    worker); None when the layer is off (no REDIS_URL, or PUBLIC_PAGE_MEMORY_BYTES 0)."""
    global _worker
    if not settings.REDIS_URL or settings.PUBLIC_PAGE_MEMORY_BYTES <= 0:
        return None
    pid = os.getpid()
    if _worker is None or _worker[0] != pid:
        with _starting:
            if _worker is None or _worker[0] != pid:
                pages = LocalPages(settings.PUBLIC_PAGE_MEMORY_BYTES)
                thread = threading.Thread(
                    target=listen, args=(settings.REDIS_URL, pages), name="public-pages", daemon=True
                )
                thread.start()
                _worker = (pid, pages)
    return _worker[1]
