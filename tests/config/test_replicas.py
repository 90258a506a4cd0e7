"""A read replica: public reads go to it; writes, transactions and a client's reads after its own
writes go to the primary (config/replicas.py).

The `replica` alias is a second connection of its own to the test database, so which alias served
a read is told by the queries each connection recorded. The tests run in transactions of their own
(`transaction=True`): a test wrapped in one transaction would keep the router on the primary.
"""

from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Category, County, DutyList, Township
from config import replicas
from config.replicas import PIN_COOKIE, REPLICA, ReadYourWritesMiddleware, ReplicaRouter
from publication.models import Feedback
from review import workflow
from tests.config.test_settings import run_django
from tests.conftest import make_category, make_item
from tests.publication.conftest import approve_and_publish

pytestmark = pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])


@pytest.fixture(scope="module", autouse=True)
def replica_alias(django_db_setup):
    """A `replica` alias on the test database through a connection of its own, a test mirror as
    settings.py declares it; added before each test's database access is set up, which checks it."""
    primary = connections[DEFAULT_DB_ALIAS].settings_dict
    connections.settings[REPLICA] = primary | {"TEST": primary["TEST"] | {"MIRROR": DEFAULT_DB_ALIAS}}
    yield
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


@pytest.fixture
def replica(settings):
    """The router and the middleware installed as settings.py installs them."""
    settings.DATABASE_ROUTERS = ["config.replicas.ReplicaRouter"]
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(
        middleware.index("publication.middleware.PublicPageMiddleware"),
        "config.replicas.ReadYourWritesMiddleware",
    )
    settings.MIDDLEWARE = middleware
    settings.REPLICA_PIN_SECONDS = 10
    yield connections[REPLICA]
    # Each test's thread-local connection: closed so that a PostgreSQL test database can be dropped.
    connections[REPLICA].close()


class Reads:
    """The queries each alias ran inside the block."""

    def __enter__(self):
        self.contexts = {
            alias: CaptureQueriesContext(connections[alias]) for alias in (DEFAULT_DB_ALIAS, REPLICA)
        }
        for context in self.contexts.values():
            context.__enter__()
        return self

    def __exit__(self, *exc):
        for context in self.contexts.values():
            context.__exit__(*exc)

    @property
    def primary(self) -> list[str]:
        return [query["sql"] for query in self.contexts[DEFAULT_DB_ALIAS].captured_queries]

    @property
    def replica(self) -> list[str]:
        return [query["sql"] for query in self.contexts[REPLICA].captured_queries]


@pytest.fixture
def edition(cast, duty_list):
    make_item(duty_list, name="最低生活保障申请受理")
    return approve_and_publish(duty_list, cast["county_editor"])


def page_url(edition) -> str:
    """Read before the block that records queries: outside a request this read is the primary's."""
    return reverse("publication:township", args=[edition.township.code])


def rendered(client, url: str):
    """The page as the view renders it: pages of an edition are otherwise answered from the cache."""
    cache.clear()
    return client.get(url)


def feedback_url(edition) -> str:
    return reverse("publication:feedback", args=[edition.township.code, edition.items.get().key])


def report(client, url: str):
    return client.post(url, {"kind": "wrong", "text": "电话号码写错了", "contact": ""})


def in_a_request(view, method: str = "get", **headers: str) -> HttpResponse:
    """Run `view(request)` inside the middleware, as a request of that method would."""
    request = getattr(RequestFactory(), method)("/", headers=headers)
    return ReadYourWritesMiddleware(view)(request)


def test_a_public_page_is_read_from_the_replica(replica, client, edition):
    url = page_url(edition)
    with Reads() as reads:
        response = rendered(client, url)
    assert response.status_code == 200 and "最低生活保障申请受理" in response.content.decode()
    assert reads.replica and not reads.primary
    assert PIN_COOKIE not in response.cookies


def test_after_a_report_the_same_visitor_reads_the_primary_and_others_the_replica(replica, client, edition):
    url, reporting = page_url(edition), feedback_url(edition)
    with Reads() as posting:
        response = report(client, reporting)
    assert response.status_code == 200 and "已收到您的反映" in response.content.decode()
    assert Feedback.objects.get().text == "电话号码写错了"
    assert posting.primary and not posting.replica
    assert response.cookies[PIN_COOKIE]["max-age"] == 10

    with Reads() as reading:
        assert rendered(client, url).status_code == 200
    assert reading.primary and not reading.replica

    other_visitor = type(client)()
    with Reads() as other:
        assert rendered(other_visitor, url).status_code == 200
    assert other.replica and not other.primary


def test_when_the_pin_expires_reads_return_to_the_replica(replica, client, edition, monkeypatch):
    url = page_url(edition)
    assert report(client, feedback_url(edition)).status_code == 200
    later = replicas.time.time() + 11
    monkeypatch.setattr(replicas, "time", SimpleNamespace(time=lambda: later))
    with Reads() as reads:
        assert rendered(client, url).status_code == 200
    assert reads.replica and not reads.primary


def test_a_forged_pin_is_ignored(replica, client, edition):
    url = page_url(edition)
    client.cookies[PIN_COOKIE] = "99999999999"
    with Reads() as reads:
        assert rendered(client, url).status_code == 200
    assert reads.replica and not reads.primary


def test_a_get_that_writes_reads_the_primary_from_the_write_on_and_pins_the_client(replica, county):
    routes = []

    def view(request):
        router = ReplicaRouter()
        routes.append(router.db_for_read(Township))
        routes.append(router.db_for_write(Category))
        routes.append(router.db_for_read(Township))
        return HttpResponse()

    response = in_a_request(view)
    assert routes == [REPLICA, DEFAULT_DB_ALIAS, DEFAULT_DB_ALIAS]
    assert PIN_COOKIE in response.cookies
    # The request over, code outside a request (commands, background jobs) reads the primary.
    assert ReplicaRouter().db_for_read(Township) == DEFAULT_DB_ALIAS


def test_an_api_client_that_wrote_is_pinned_by_its_token_without_cookies(replica):
    routes = []

    def view(request):
        routes.append(ReplicaRouter().db_for_read(Township))
        return HttpResponse()

    written = in_a_request(view, "patch", authorization="Bearer token-of-the-county-system")
    assert written.cookies[PIN_COOKIE]  # which the client does not keep
    in_a_request(view, authorization="Bearer token-of-the-county-system")
    in_a_request(view, authorization="Bearer token-of-another-system")
    in_a_request(view)
    assert routes == [DEFAULT_DB_ALIAS, DEFAULT_DB_ALIAS, REPLICA, REPLICA]


def test_a_row_read_from_the_replica_is_written_to_the_primary(replica, county):
    def view(request):
        place = County.objects.get(pk=county.pk)
        assert place._state.db == REPLICA
        category = make_category(place, "社会事务")
        assert category._state.db == DEFAULT_DB_ALIAS
        place.name = "改名县"
        place.save()
        return HttpResponse()

    with Reads() as reads:
        in_a_request(view)
    assert Category.objects.get(name="社会事务").county_id == county.pk
    county.refresh_from_db()
    assert county.name == "改名县"
    assert reads.replica and all(sql.startswith("SELECT") for sql in reads.replica)
    assert any(sql.startswith("INSERT") for sql in reads.primary)
    assert any(sql.startswith("UPDATE") for sql in reads.primary)


def test_reads_inside_a_transaction_use_the_primary(replica, county):
    routes = []

    def view(request):
        with transaction.atomic():
            routes.append(ReplicaRouter().db_for_read(Township))
            routes.append(Township.objects.all().db)
        routes.append(ReplicaRouter().db_for_read(Township))
        return HttpResponse()

    in_a_request(view)
    assert routes == [DEFAULT_DB_ALIAS, DEFAULT_DB_ALIAS, REPLICA]


def test_a_workflow_step_locks_reads_and_writes_on_the_primary(replica, cast, duty_list):
    make_item(duty_list, name="基层党组织建设")

    steps = []

    def view(request):
        # A page's own read before the step comes from the replica; the step's lock and reads do not.
        listed = DutyList.objects.get(pk=duty_list.pk)
        assert listed._state.db == REPLICA
        with Reads() as step:
            workflow.perform(listed, "submit", by=cast["township_official"])
        steps.append(step)
        return HttpResponse()

    response = in_a_request(view)
    (step,) = steps
    assert not step.replica
    locks = [sql for sql in step.primary if "catalog_dutylist" in sql and sql.startswith("SELECT")]
    assert locks
    if connections[DEFAULT_DB_ALIAS].features.has_select_for_update:
        assert "FOR UPDATE" in locks[0]
    duty_list.refresh_from_db()
    assert duty_list.stage == DutyList.Stage.FIRST_SUBMITTED
    assert PIN_COOKIE in response.cookies


def test_migrations_run_on_the_primary_only_and_rows_of_both_may_refer_to_each_other(replica, county):
    router = ReplicaRouter()
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "catalog") is True
    assert router.allow_migrate(REPLICA, "catalog") is False
    assert router.allow_relation(county, county) is True


def test_the_health_check_names_the_replica(replica, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok", "replica": "ok"}


def test_a_replica_url_adds_the_alias_router_and_middleware_and_none_without():
    shell = (
        "from django.conf import settings as s; m = s.MIDDLEWARE;"
        " print(','.join(s.DATABASES), s.DATABASES.get('replica', {}).get('NAME'),"
        " ','.join(s.DATABASE_ROUTERS) or '-', s.REPLICA_PIN_SECONDS,"
        " m.index('config.replicas.ReadYourWritesMiddleware') + 1"
        " == m.index('publication.middleware.PublicPageMiddleware')"
        " if 'config.replicas.ReadYourWritesMiddleware' in m else '-')"
    )
    configured = run_django(
        ["shell", "--no-imports", "-c", shell],
        DEBUG="1",
        DATABASE_URL="postgresql://postgres@127.0.0.1:5432/primary",
        DATABASE_REPLICA_URL="postgresql://reader@10.0.0.2:5432/primary",
        REPLICA_PIN_SECONDS="5",
    )
    assert configured.stdout.split() == [
        "default,replica",
        "primary",
        "config.replicas.ReplicaRouter",
        "5",
        "True",
    ], configured.stderr
    plain = run_django(["shell", "--no-imports", "-c", shell], DEBUG="1")
    assert plain.stdout.split() == ["default", "None", "-", "10", "-"], plain.stderr
