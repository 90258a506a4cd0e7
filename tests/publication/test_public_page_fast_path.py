"""Public pages of an edition in force answered from one cache read, before sessions and the view
(publication/middleware.py): the same answer as the view's, and never an edition no longer in force."""

import os
from dataclasses import replace
from datetime import date
from uuid import uuid4

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.urls import reverse

from catalog import services as catalog_services
from catalog.models import Part
from publication.middleware import keep, keep_while_in_force, page_key
from tests.conftest import make_department, make_item
from tests.publication.conftest import approve_and_publish

pytestmark = pytest.mark.django_db

REDIS_URL = f"redis://127.0.0.1:6379/{os.environ.get('FAST_PATH_TEST_REDIS_DB', '12')}"


@pytest.fixture(params=["locmem", "redis"])
def any_cache(request, settings):
    """Each test against the in-memory cache of development and tests, and against Redis as in
    production (a spare database of its own, emptied before and after)."""
    if request.param == "redis":
        import redis

        server = redis.Redis.from_url(REDIS_URL)
        server.flushdb()
        settings.CACHES = {
            "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        }
        yield request.param
        server.flushdb()
    else:
        yield request.param


@pytest.fixture
def edition(cast, duty_list):
    department = make_department(duty_list.township.county, "县民政局")
    make_item(duty_list, name="最低生活保障申请受理", content="受理辖区居民申请并入户调查")
    make_item(duty_list, Part.RECLAIMED, name="宅基地审批", receiving_department=department)
    return approve_and_publish(duty_list, cast["county_editor"])


def township_url(duty_list) -> str:
    return reverse("publication:township", args=[duty_list.township.code])


def item_url(duty_list, edition, name: str) -> str:
    return reverse("publication:item", args=[duty_list.township.code, edition.items.get(name=name).key])


def publish_second_edition(cast, duty_list):
    """The next edition: one item added, 宅基地审批 removed."""
    editor = cast["county_editor"]
    draft = catalog_services.start_list(
        duty_list.township, title="新一版", year=2026, by=editor, source=duty_list
    )
    make_item(draft, name="第二版新增事项")
    catalog_services.delete_item(draft.items.get(name="宅基地审批"), by=editor)
    return approve_and_publish(draft, editor, effective_on=date(2026, 3, 1), number="示办发〔2026〕5号")


def replace_kept_body(url: str, body: bytes) -> None:
    """Test setup: the kept copy of `url` altered, so an answer from it can be told from the view's."""
    kept = cache.get(page_key(url))
    assert kept is not None, url
    cache.set(page_key(url), replace(kept, body=body))


@pytest.mark.parametrize("page", ["township", "item"])
def test_a_kept_page_is_the_views_answer_with_no_query(
    client, duty_list, edition, any_cache, page, django_assert_num_queries
):
    url = township_url(duty_list) if page == "township" else item_url(duty_list, edition, "宅基地审批")
    first = client.get(url)
    assert first.status_code == 200 and cache.get(page_key(url)).edition_id == edition.pk

    with django_assert_num_queries(0):
        again = client.get(url)
    assert again.status_code == 200 and again.content == first.content
    assert dict(again.items()) == dict(first.items())
    assert again["Content-Length"] == str(len(first.content)) and "no-cache" in again["Cache-Control"]

    replace_kept_body(url, b"kept copy")
    assert client.get(url).content == b"kept copy"  # answered from the copy, not by the view
    assert client.head(url).status_code == 200


def test_the_next_request_after_publication_shows_the_new_edition(
    client, cast, duty_list, edition, any_cache
):
    township = township_url(duty_list)
    removed = item_url(duty_list, edition, "宅基地审批")
    for url in (township, removed):
        client.get(url)
        replace_kept_body(url, "第 1 版的旧页面".encode())
        assert client.get(url).content.decode() == "第 1 版的旧页面"

    second = publish_second_edition(cast, duty_list)

    text = client.get(township).content.decode()
    assert "第 2 版" in text and "第二版新增事项" in text and "第 1 版的旧页面" not in text
    text = client.get(removed).content.decode()
    assert "该事项已于第 2 版" in text and "示办发〔2026〕5号" in text
    assert cache.get(page_key(township)).edition_id == second.pk
    with_the_copy = client.get(township)
    assert "第二版新增事项" in with_the_copy.content.decode()


def test_a_signed_in_user_and_a_visitor_get_the_same_page(client, cast, duty_list, edition, any_cache):
    url = township_url(duty_list)
    client.force_login(cast["county_editor"])
    signed_in = client.get(url)  # rendered, then kept, for a signed-in user
    client.logout()
    visitor = client.get(url)
    assert visitor.content == signed_in.content and dict(visitor.items()) == dict(signed_in.items())
    assert not visitor.cookies and not signed_in.cookies
    text = visitor.content.decode()
    assert "editor" not in text and "csrfmiddlewaretoken" not in text and "退出" not in text
    client.force_login(cast["township_official"])
    assert client.get(url).content == signed_in.content


def test_only_the_plain_address_read_by_get_or_head_is_answered_from_the_copy(
    client, duty_list, edition, any_cache
):
    url = township_url(duty_list)
    client.get(url)
    replace_kept_body(url, b"kept copy")

    assert client.head(url).content in (b"", b"kept copy")
    variant = client.get(url + "?x=1")
    assert variant.status_code == 200 and "最低生活保障申请受理" in variant.content.decode()
    assert client.post(url).content != b"kept copy"
    assert client.get(url).content == b"kept copy"  # the query string variant did not replace it

    unknown = reverse("publication:item", args=[duty_list.township.code, uuid4()])
    assert client.get(unknown).status_code == 404 and cache.get(page_key(unknown)) is None
    assert client.get("/lists/999999999/").status_code == 404
    assert cache.get(page_key("/lists/999999999/")) is None


def test_an_answer_that_sets_a_cookie_or_varies_by_it_is_not_kept(any_cache):
    with_cookie = keep_while_in_force(HttpResponse(b"page"), 1)
    with_cookie.set_cookie("csrftoken", "secret")
    varies = keep_while_in_force(HttpResponse(b"page"), 1)
    varies["Vary"] = "Accept-Language, Cookie"
    unmarked = HttpResponse(b"page")
    for path, response in (("/lists/1/", with_cookie), ("/lists/2/", varies), ("/lists/3/", unmarked)):
        keep(page_key(path), response)
        assert cache.get(page_key(path)) is None
    keep(page_key("/lists/4/"), keep_while_in_force(HttpResponse(b"page"), 1))
    assert cache.get(page_key("/lists/4/")).body == b"page"


def test_a_client_holding_the_page_gets_304_from_the_copy(client, duty_list, edition, any_cache):
    url = township_url(duty_list)
    first = client.get(url)
    replace_kept_body(url, b"kept copy")
    assert client.get(url).content == b"kept copy"

    not_modified = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified["ETag"] == first["ETag"] and not_modified["Cache-Control"] == first["Cache-Control"]
    since = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"another"').content == b"kept copy"


def test_an_unknown_host_is_refused_before_the_copy(client, duty_list, edition, any_cache):
    url = township_url(duty_list)
    client.get(url)
    replace_kept_body(url, b"kept copy")
    refused = client.get(url, HTTP_HOST="attacker.example")
    assert refused.status_code == 400 and refused.content != b"kept copy"


def test_an_edition_in_force_read_before_a_publication_is_not_written_back_after_it(
    client, cast, duty_list, edition, any_cache, monkeypatch
):
    """A request reads the edition in force from the database; a publication commits and drops it
    from the cache; then the request writes what it read into the cache."""
    from publication import queries

    class PublishedBeforeTheWrite:
        published = None

        def get(self, key):
            return cache.get(key)

        def delete(self, key):
            return cache.delete(key)

        def set(self, key, value, **options):
            if self.published is None:
                self.published = publish_second_edition(cast, duty_list)
            cache.set(key, value, **options)

    racing = PublishedBeforeTheWrite()
    monkeypatch.setattr(queries, "cache", racing)
    queries.in_force(duty_list.township.code)
    monkeypatch.undo()

    assert cache.get(queries.in_force_key(duty_list.township.code)).edition_id == racing.published.pk
    text = client.get(township_url(duty_list)).content.decode()
    assert "第 2 版" in text and "第二版新增事项" in text


def test_pages_naming_the_edition_in_force_are_revalidated_and_an_editions_files_kept(
    client, cast, duty_list, edition, any_cache
):
    """Issue 14: a browser never shows the old edition from its own cache after a publication."""
    code = duty_list.township.code
    township = township_url(duty_list)
    says_which_is_in_force = [
        township,
        item_url(duty_list, edition, "宅基地审批"),
        reverse("publication:edition", args=[code, 1]),
    ]
    for url in says_which_is_in_force:
        caching = client.get(url)["Cache-Control"]
        assert "no-cache" in caching and "max-age" not in caching, url
    first = client.get(township)
    assert client.get(township, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    publish_second_edition(cast, duty_list)

    fresh = client.get(township, HTTP_IF_NONE_MATCH=first["ETag"])
    assert fresh.status_code == 200 and fresh["ETag"] != first["ETag"]
    assert "第 2 版" in fresh.content.decode() and "第二版新增事项" in fresh.content.decode()
    old_edition = client.get(says_which_is_in_force[2]).content.decode()
    assert "历史版本" in old_edition and "第 2 版" in old_edition
    for url in (
        reverse("publication:download", args=[code, 1, "csv"]),
        reverse("publication:changes", args=[code, 2]),
    ):
        assert "max-age=86400" in client.get(url)["Cache-Control"], url
