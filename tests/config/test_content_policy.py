"""The Content-Security-Policy header is sent everywhere, and no template needs it loosened."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from catalog.models import Part
from tests.conftest import make_department, make_item
from tests.publication.conftest import approve_and_publish

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

REQUIRED = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'self'",
]

# What the policy forbids in markup: scripts without src, style elements and attributes,
# event-handler attributes, javascript: addresses and htmx's evaluated hx-on attributes.
INLINE = {
    "inline script": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I),
    "style element": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "event handler": re.compile(r"\son[a-z]+\s*=", re.I),
    "javascript: address": re.compile(r"javascript:", re.I),
    "hx-on attribute": re.compile(r"\shx-on", re.I),
}


def inline_code(text: str) -> list[str]:
    return [kind for kind, pattern in INLINE.items() if pattern.search(text)]


def assert_policy(response):
    policy = response["Content-Security-Policy"]
    for directive in REQUIRED:
        assert directive in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_no_template_holds_inline_scripts_styles_or_handlers():
    templates = [path for path in TEMPLATES.rglob("*") if path.is_file()]
    assert len(templates) > 40
    found = {
        str(path.relative_to(TEMPLATES)): kinds
        for path in templates
        if (kinds := inline_code(path.read_text(encoding="utf-8")))
    }
    assert found == {}


@pytest.mark.parametrize(
    "markup",
    [
        "<script>alert(1)</script>",
        '<script type="module">x()</script>',
        "<style>p{}</style>",
        '<span style="width: 5%">',
        '<button onclick="window.print()">',
        '<a href="javascript:void(0)">',
        '<div hx-on:click="x()">',
    ],
)
def test_the_scan_catches_each_kind_of_inline_code(markup):
    assert inline_code(markup)


def test_the_scan_lets_external_scripts_through():
    assert inline_code('<script src="/static/js/workbench.js" defer></script>') == []


@pytest.mark.django_db
def test_public_pages_send_the_policy(client, cast, duty_list):
    make_item(duty_list, name="殡葬管理")
    approve_and_publish(duty_list, cast["county_editor"])
    county = duty_list.township.county
    for url in [
        reverse("publication:index"),
        reverse("publication:township", args=[duty_list.township.code]),
        reverse("publication:statistics", args=[county.code]),
        reverse("publication:search") + "?q=殡葬",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_policy(response)


@pytest.mark.django_db
def test_workbench_and_back_office_pages_send_the_policy(client, admin_client, cast, duty_list, settings):
    item = make_item(duty_list, name="殡葬管理")
    admin_pages = [
        reverse("admin:index"),
        reverse("admin:catalog_dutyitem_changelist"),
        reverse("admin:catalog_dutyitem_change", args=[item.pk]),
        reverse("admin:catalog_dutyitem_history", args=[item.pk]),
        reverse("admin:catalog_dutyitem_simple_history", args=[item.pk, item.history.first().pk]),
        reverse("admin:catalog_dutyitem_add"),
        reverse("admin:auth_user_changelist"),
        reverse("admin:axes_accessattempt_changelist"),
    ]
    for url in admin_pages:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert_policy(response)
        markup = response.content.decode()
        for style in settings.CSP_ALLOWED_STYLE_ATTRIBUTES:
            markup = markup.replace(f'style="{style}"', "")
        assert inline_code(markup) == [], url
    client.force_login(cast["township_official"])
    for url in [reverse("catalog:home"), reverse("catalog:list_editor", args=[duty_list.pk])]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_policy(response)


@pytest.mark.django_db
def test_error_pages_send_the_policy(client):
    assert_policy(client.get("/no/such/page/"))
    assert_policy(client.get("/search/?q=%00"))


@pytest.mark.django_db
def test_statistics_bars_carry_their_sizes_as_svg_attributes(client, cast, duty_list):
    department = make_department(duty_list.township.county, "县民政局")
    make_item(duty_list, name="最低生活保障申请受理")
    make_item(duty_list, Part.COORDINATED, name="殡葬管理", leads=[department], township_duties="劝导")
    make_item(duty_list, Part.RECLAIMED, name="宅基地审批", receiving_department=department)
    approve_and_publish(duty_list, cast["county_editor"])
    body = client.get(
        reverse("publication:statistics", args=[duty_list.township.county.code])
    ).content.decode()
    # One township of three items: each part a third of the bar, one after the other.
    assert '<rect class="basic" x="0.0" width="33.3" height="1"/>' in body
    assert '<rect class="coordinated" x="33.3" width="33.3" height="1"/>' in body
    assert '<rect class="reclaimed" x="66.6" width="33.3" height="1"/>' in body
    assert '<rect class="national" width="65.6" height="1"/>' in body
