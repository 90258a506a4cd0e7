"""The OpenAPI description and its documentation page, served from this site's own files."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    text = (tmp_path / "schema.yml").read_text(encoding="utf-8")
    assert "/api/v1/changes/" in text and "lead_departments" in text


def test_the_schema_is_served(client):
    response = client.get(reverse("api:schema"), headers={"accept": "application/vnd.oai.openapi+json"})
    assert response.status_code == 200
    assert "/api/v1/items/{key}/" in response.json()["paths"]


def test_the_docs_page_loads_only_this_sites_files_under_the_content_policy(client):
    page = client.get(reverse("api:docs"))
    html = page.content.decode()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
    styles = re.findall(r"<link[^>]+href=\"([^\"]+)\"", html)

    assert page.status_code == 200
    policy = page["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert scripts and all(re.search(r'src="/', attrs) and not body.strip() for attrs, body in scripts)
    assert styles and all(href.startswith("/static/") for href in styles)
    assert "<style" not in html and " style=" not in html
    start = re.findall(r'src="([^"]*script=[^"]*)"', html)[0].replace("&amp;", "&")
    script = client.get(start)
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
    # The page's files are installed with the site (drf-spectacular-sidecar), not fetched from a CDN.
    for src in re.findall(r'(?:src|href)="/static/([^"?]+)"', html):
        assert finders.find(src), src
