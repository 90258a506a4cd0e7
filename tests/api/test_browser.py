"""The documentation page works in a browser under the site's Content-Security-Policy, loading nothing
from elsewhere, and its "Try it out" reaches the API."""

from urllib.parse import urlsplit

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.conftest import needs_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_chromium]


def test_the_docs_page_works_offline_under_the_content_policy(browser_page, live_server):
    page = browser_page
    problems, hosts = [], set()
    page.on("console", lambda message: message.type in ("error", "warning") and problems.append(message.text))
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))

    page.goto(f"{live_server.url}/api/docs/")
    operation = page.locator(".opblock", has_text="/api/v1/counties/").first
    operation.locator(".opblock-summary").click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    page.locator(".responses-table .response-col_status", has_text="200").first.wait_for()

    # Every operation of the schema is on the page.
    schema = SchemaGenerator().get_schema(public=True)
    assert page.locator(".opblock").count() == sum(len(methods) for methods in schema["paths"].values())
    assert hosts == {urlsplit(live_server.url).netloc}
    assert problems == []
