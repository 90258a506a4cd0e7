"""A worker's own copies of the public pages (publication/localpages.py): used only while the worker
is sure to hear of the next publication, dropped when it does, bounded in size."""

import os
import threading
from datetime import date

import pytest
import redis
from django.core.cache import cache
from django.urls import reverse

from catalog import services as catalog_services
from publication import localpages, middleware
from publication.localpages import LEASE_SECONDS, LocalPages
from publication.middleware import page_key
from tests.conftest import make_item
from tests.publication.conftest import approve_and_publish
from tests.publication.test_public_page_fast_path import replace_kept_body

REDIS_URL = f"redis://127.0.0.1:6379/{os.environ.get('FAST_PATH_TEST_REDIS_DB', '12')}"
WAIT = 30  # seconds a test waits at most for the listener to subscribe: a failure, never a measure


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def live_pages(max_bytes: int = 1000) -> LocalPages:
    pages = LocalPages(max_bytes, clock=Clock())
    pages.subscribed()
    return pages


def keep_one(pages: LocalPages, path: str, code: str = "101", size: int = 10) -> bool:
    return pages.put(path, code, f"page {path}", size, pages.ticket(code))


def test_copies_are_kept_and_used_only_while_the_subscription_is_live():
    pages = LocalPages(1000, clock=Clock())
    assert not keep_one(pages, "/lists/101/") and pages.get("/lists/101/") is None

    pages.subscribed()
    assert keep_one(pages, "/lists/101/") and pages.get("/lists/101/") == "page /lists/101/"

    pages.lost()
    assert pages.get("/lists/101/") is None and not keep_one(pages, "/lists/101/")
    pages.subscribed()  # confirmed again: what was kept before is gone, announcements may have been missed
    assert pages.get("/lists/101/") is None and pages.size == 0


def test_a_copy_read_before_an_announcement_is_not_kept_after_it():
    pages = live_pages()
    before = pages.ticket("101")
    other_township = pages.ticket("202")
    pages.published("101")  # arrives while the request is reading Redis
    assert not pages.put("/lists/101/", "101", "old edition", 10, before)
    assert pages.get("/lists/101/") is None
    assert pages.put("/lists/202/", "202", "its page", 10, other_township)
    assert keep_one(pages, "/lists/101/")  # a request that started after the announcement


def test_a_copy_read_before_the_subscription_was_confirmed_again_is_not_kept():
    pages = live_pages()
    before = pages.ticket("101")
    pages.lost()
    pages.subscribed()
    assert not pages.put("/lists/101/", "101", "read while disconnected", 10, before)
    assert pages.get("/lists/101/") is None


def test_an_announcement_drops_every_page_of_its_township_and_only_those():
    pages = live_pages()
    for path in ("/lists/101/", "/lists/101/items/a/", "/lists/101/items/b/"):
        keep_one(pages, path, "101")
    keep_one(pages, "/lists/1010/", "1010")
    pages.published("101")
    assert [pages.get(p) for p in ("/lists/101/", "/lists/101/items/a/", "/lists/101/items/b/")] == [None] * 3
    assert pages.get("/lists/1010/") == "page /lists/1010/" and pages.size == 10


def test_the_store_stays_within_its_bytes_dropping_the_least_recently_used():
    pages = live_pages(max_bytes=30)
    for name in "abc":
        keep_one(pages, f"/lists/{name}/", name)
    pages.get("/lists/a/")  # read again: now the most recently used
    keep_one(pages, "/lists/d/", "d")
    assert [pages.get(f"/lists/{n}/") is not None for n in "abcd"] == [True, False, True, True]
    assert pages.size == 30
    assert not pages.put("/lists/e/", "e", "too big", 31, pages.ticket("e"))
    assert pages.size == 30


def test_copies_are_not_used_once_redis_has_not_been_heard_from_for_the_lease():
    pages = live_pages()
    keep_one(pages, "/lists/101/")
    pages.clock.now += LEASE_SECONDS - 0.5
    pages.heard_from()  # the answer to a ping
    pages.clock.now += LEASE_SECONDS - 0.5
    assert pages.get("/lists/101/") == "page /lists/101/"
    pages.clock.now += 1
    assert pages.get("/lists/101/") is None and not keep_one(pages, "/lists/202/", "202")
    pages.heard_from()
    assert pages.get("/lists/101/") == "page /lists/101/"


@pytest.fixture
def listening(settings):
    """A listener thread on a spare Redis database, as a worker starts it; stopped afterwards."""
    server = redis.Redis.from_url(REDIS_URL)
    server.flushdb()
    settings.REDIS_URL = REDIS_URL
    pages = LocalPages(10_000_000)
    stop = threading.Event()
    thread = threading.Thread(target=localpages.listen, args=(REDIS_URL, pages, stop), daemon=True)
    thread.start()
    yield pages, server
    stop.set()
    thread.join()
    server.flushdb()


def wait_until_live(pages: LocalPages) -> None:
    for _ in range(WAIT * 10):
        if pages.usable():
            return
        threading.Event().wait(0.1)
    pytest.fail("the listener did not subscribe")


def test_an_announced_publication_has_dropped_the_copies_when_it_returns(listening):
    pages, _ = listening
    wait_until_live(pages)
    keep_one(pages, "/lists/101/", "101")
    keep_one(pages, "/lists/202/", "202")

    localpages.announce("101")

    assert pages.get("/lists/101/") is None and pages.get("/lists/202/") == "page /lists/202/"


def test_a_lost_connection_drops_everything_until_subscribed_again(listening):
    pages, server = listening
    wait_until_live(pages)
    keep_one(pages, "/lists/101/", "101")
    before = pages.epoch

    for connection in server.client_list():  # the listener's connections, and no one else's
        if connection["name"] == f"public-pages:{os.getpid()}":
            server.client_kill_filter(_id=connection["id"])
    for _ in range(WAIT * 10):
        if pages.epoch > before + 1 and pages.usable():  # lost, then subscribed again
            break
        threading.Event().wait(0.1)
    assert pages.get("/lists/101/") is None
    assert keep_one(pages, "/lists/101/", "101")  # and usable again


@pytest.mark.django_db
def test_a_worker_answers_from_its_memory_and_never_the_old_edition_after_publishing(
    client, cast, duty_list, listening, settings, monkeypatch, django_capture_on_commit_callbacks
):
    pages, _ = listening
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    monkeypatch.setattr(middleware, "worker_pages", lambda: pages)
    make_item(duty_list, name="第一版事项")
    editor = cast["county_editor"]
    approve_and_publish(duty_list, editor)
    wait_until_live(pages)
    url = reverse("publication:township", args=[duty_list.township.code])
    first = client.get(url)
    assert "第一版事项" in first.content.decode()

    replace_kept_body(url, b"changed in Redis")
    assert client.get(url).content == first.content  # from the worker's memory: no cache read
    draft = catalog_services.start_list(
        duty_list.township, title="新一版", year=2026, by=editor, source=duty_list
    )
    make_item(draft, name="第二版新增事项")
    with django_capture_on_commit_callbacks(execute=True):
        approve_and_publish(draft, editor, effective_on=date(2026, 3, 1), number="示办发〔2026〕5号")

    text = client.get(url).content.decode()
    assert "第 2 版" in text and "第二版新增事项" in text
    assert cache.get(page_key(url)).body == text.encode()
    assert client.get(url).content.decode() == text


@pytest.mark.django_db
def test_a_page_read_while_an_old_edition_in_force_was_put_back_does_not_stay_in_memory(
    client, cast, duty_list, listening, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """A request reads the edition in force from the database; a publication commits and is
    announced; the request writes the old edition back into the cache, and another request answers
    and keeps the old page meanwhile; the first request then reads the database again and corrects."""
    from publication import queries

    pages, _ = listening
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    monkeypatch.setattr(middleware, "worker_pages", lambda: pages)
    editor = cast["county_editor"]
    make_item(duty_list, name="第一版事项")
    approve_and_publish(duty_list, editor)
    wait_until_live(pages)
    url = reverse("publication:township", args=[duty_list.township.code])
    client.get(url)
    draft = catalog_services.start_list(
        duty_list.township, title="新一版", year=2026, by=editor, source=duty_list
    )
    make_item(draft, name="第二版新增事项")
    cache.delete(queries.in_force_key(duty_list.township.code))  # its minute in the cache is over
    meanwhile = []

    class PublishedBeforeTheWrite:
        def get(self, key):
            return cache.get(key)

        def delete(self, key):
            return cache.delete(key)

        def set(self, key, value, **options):
            if not meanwhile:
                with django_capture_on_commit_callbacks(execute=True):
                    approve_and_publish(
                        draft, editor, effective_on=date(2026, 3, 1), number="示办发〔2026〕5号"
                    )
                cache.set(key, value, **options)
                meanwhile.append(client.get(url).content.decode())
            else:
                cache.set(key, value, **options)

    monkeypatch.setattr(queries, "cache", PublishedBeforeTheWrite())
    queries.in_force(duty_list.township.code)
    monkeypatch.setattr(queries, "cache", cache)

    assert "第二版新增事项" not in meanwhile[0]  # the old page, answered and kept in memory meanwhile
    assert "第二版新增事项" in client.get(url).content.decode()
