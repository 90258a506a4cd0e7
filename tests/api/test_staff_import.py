"""Importing a workbook through the API: a preview with a token, then the confirmation — the import
page's engine, limits and refusals, with the staged file waiting in the cache instead of a session."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from catalog.imports import staging
from catalog.models import Department, DutyItem
from tests.catalog.test_import_layouts import CATEGORIES, DEPARTMENTS, OFFICES, sheet_per_part
from tests.conftest import make_category, make_item, make_office

pytestmark = pytest.mark.django_db


@pytest.fixture
def names(cast, township):
    for order, name in enumerate(CATEGORIES, start=1):
        make_category(township.county, name, order)
    for name in OFFICES:
        make_office(township, name)
    for name in DEPARTMENTS:
        Department.objects.get_or_create(county=township.county, name=name)


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def upload(api, township, data: bytes = b"", name: str = "清单.xlsx"):
    workbook = SimpleUploadedFile(name, data or sheet_per_part())
    return api.post(reverse("api:imports", args=[township.code]), {"file": workbook}, format="multipart")


def test_a_workbook_is_previewed_then_imported_on_confirmation(cast, duty_list, names):
    api = api_for(cast["township_official"])
    township = duty_list.township

    previewed = upload(api, township)
    assert previewed.status_code == 200, previewed.json()
    preview = previewed.json()
    assert preview["ok"] and preview["token"] and preview["added"] and not preview["problems"]
    assert not DutyItem.objects.exists()

    confirmed = api.post(reverse("api:import", args=[township.code, preview["token"]]), {}, format="json")

    assert confirmed.status_code == 200, confirmed.json()
    assert (
        confirmed.json()["added"]
        == len(preview["added"])
        == DutyItem.objects.filter(duty_list=duty_list).count()
    )
    assert DutyItem.history.first().history_user == cast["township_official"]
    assert list(staging.upload_dir().glob("*.upload")) == []
    again = api.post(reverse("api:import", args=[township.code, preview["token"]]), {}, format="json")
    assert (again.status_code, again.json()["message"]) == (404, "这次导入的预览已失效，请重新上传文件。")


def test_a_draft_changed_after_the_preview_answers_409_with_a_fresh_preview(cast, duty_list, names):
    api = api_for(cast["township_official"])
    township = duty_list.township
    token = upload(api, township).json()["token"]
    make_item(duty_list, name="预览之后新增的事项")
    duty_list.refresh_from_db()
    duty_list.version += 1
    duty_list.save()

    stale = api.post(reverse("api:import", args=[township.code, token]), {}, format="json")
    confirmed = api.post(reverse("api:import", args=[township.code, token]), {}, format="json")

    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_plan" and stale.json()["preview"]["token"] == token
    assert "预览之后清单已被修改" in stale.json()["message"]
    assert confirmed.status_code == 200, confirmed.json()


def test_a_file_that_is_no_workbook_is_refused_with_the_pages_message(cast, duty_list, names):
    answer = upload(api_for(cast["township_official"]), duty_list.township, b"not a workbook", "清单.txt")

    assert (answer.status_code, answer.json()["field"]) == (400, "file")
    assert "不是 Excel 工作簿" in answer.json()["message"]
    assert list(staging.upload_dir().glob("*.upload")) == []


def test_a_file_over_the_limit_answers_413(cast, duty_list, names, settings, monkeypatch):
    monkeypatch.setattr("catalog.forms.MAX_FILE_BYTES", 10)

    answer = upload(api_for(cast["township_official"]), duty_list.township)

    assert (answer.status_code, answer.json()["field"]) == (413, "file")
    assert "上限" in answer.json()["message"]


def test_another_townships_official_cannot_import(cast, duty_list, names):
    answer = upload(api_for(cast["other_township_official"]), duty_list.township)

    assert (answer.status_code, answer.json()["message"]) == (404, "乡镇（街道）不存在。")


def test_creating_names_is_the_county_editors(cast, duty_list, names):
    workbook = SimpleUploadedFile("清单.xlsx", sheet_per_part())

    answer = api_for(cast["township_official"]).post(
        reverse("api:imports", args=[duty_list.township.code]),
        {"file": workbook, "create_missing": "true"},
        format="multipart",
    )

    assert (answer.status_code, answer.json()["code"]) == (403, "cannot_create_names")


def test_a_cancelled_import_removes_its_file(cast, duty_list, names):
    api = api_for(cast["township_official"])
    token = upload(api, duty_list.township).json()["token"]

    cancelled = api.delete(reverse("api:import", args=[duty_list.township.code, token]))

    assert cancelled.status_code == 204
    assert list(staging.upload_dir().glob("*.upload")) == []
    assert not DutyItem.objects.exists()
