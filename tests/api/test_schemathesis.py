"""Every operation of the OpenAPI description, driven by Schemathesis in this process (the WSGI
application, no server): generated requests, anonymous and with a staff user's token, never answer 5xx and
every answer matches the description.

Each generated case is sent twice: as generated (random codes and parameters, mostly 404 and 400),
and with its path naming rows that exist (a published county, township, edition and item), so the
200 answers are checked against the description too."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings

from api import tokens
from api.models import Scope
from tests.api.conftest import publish, row
from tests.conftest import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# Examples per operation and per kind of caller: bounded so the whole module stays well under 2 minutes.
EXAMPLES = 8
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]


def anonymous(client, user) -> dict:
    return {}


def staff_token(published: dict) -> dict:
    """A staff system calls with the person's own token carrying the staff scope."""
    return {"headers": {"Authorization": f"Bearer {published['secret']}"}}


@pytest.fixture
def published(county, township):
    """A county with a township whose second edition is in force, and the values naming them."""
    editor = make_user("schema-editor", "county_editor", county=county)
    first = publish(
        township, [row("最低生活保障申请受理", is_safeguard=True), row("殡葬管理", "coordinated")], by=editor
    )
    item = first.items.get(name="殡葬管理")
    publish(
        township,
        [row("最低生活保障申请受理"), row("农村供水保障", "reclaimed")],
        by=editor,
        number="示办发〔2026〕5号",
    )
    _, secret = tokens.create_token(by=editor, name="Schemathesis", scopes=[Scope.STAFF])
    return {
        "secret": secret,
        "county": county.code,
        "township": township.code,
        "number": 2,
        "key": str(item.key),
        "editor": editor,
    }


def existing(case, published: dict) -> dict:
    """The case's path parameters naming rows that exist."""
    values = {}
    for name in case.path_parameters or {}:
        if name not in published:  # a list, a comment, an import: the generated value (mostly 404)
            values[name] = case.path_parameters[name]
        elif name == "code":
            values[name] = published["county" if case.path.startswith("/api/v1/counties/") else "township"]
        else:
            values[name] = published[name]
    return values


# The description as the site serves it, fetched through the WSGI application when the module loads
# (the schema view reads no rows). Any host is fine for calls that never leave the process.
with override_settings(ALLOWED_HOSTS=["*"]):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


@pytest.fixture(autouse=True)
def _any_host(settings):
    settings.ALLOWED_HOSTS = ["*"]
    # Hundreds of calls a minute from one address and one token: quotas are tested on their own.
    settings.API_QUOTA_ANONYMOUS = settings.API_QUOTA_TOKEN = 1_000_000


@pytest.fixture(autouse=True)
def _keep_the_test_transaction():
    """Django's WSGI handler closes the database connection at the end of each request, which on
    PostgreSQL would end the test's transaction; the test client keeps it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def exercise(case, credentials: dict, published: dict) -> None:
    case.call_and_validate(checks=CHECKS, **credentials)
    if case.path_parameters:
        case.path_parameters = existing(case, published)
        case.call_and_validate(checks=CHECKS, **credentials)


bounded = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))


@schema.parametrize()
@bounded
def test_every_operation_answers_anonymous_callers_without_a_server_error_and_as_described(
    case, published, client
):
    exercise(case, anonymous(client, published["editor"]), published)


@schema.parametrize()
@bounded
def test_every_operation_answers_staff_without_a_server_error_and_as_described(case, published, client):
    exercise(case, staff_token(published), published)
