"""Entries a county marks 必须列入: shown as missing in the list editor, and stopping 一上 when the county says so."""

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.coverage import missing_mandatory
from catalog.models import Catalogue, CatalogueEntry, DutyList, Part
from catalog.refusals import PreconditionFailed, refusal_of
from review import workflow
from review.models import ReviewPolicy
from tests.conftest import make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(duty_list):
    county = duty_list.township.county
    safeguard = Catalogue.objects.create(county=county, name="兜底事项目录", kind=Catalogue.Kind.SAFEGUARD)
    template = Catalogue.objects.create(county=county, name="县级标准模板", kind=Catalogue.Kind.TEMPLATE)
    return {
        "低保": CatalogueEntry.objects.create(
            catalogue=safeguard, name="最低生活保障申请受理", part=Part.BASIC, is_mandatory=True
        ),
        "殡葬": CatalogueEntry.objects.create(
            catalogue=safeguard, name="殡葬管理", part=Part.COORDINATED, is_mandatory=True
        ),
        "可选": CatalogueEntry.objects.create(catalogue=template, name="文化活动", part=Part.BASIC),
    }


def block_when_missing(county):
    ReviewPolicy.objects.create(county=county, missing_mandatory=ReviewPolicy.MissingMandatory.BLOCK)


def test_an_entry_counts_as_listed_by_its_link_or_its_name_and_deleted_items_do_not(duty_list, entries):
    assert {e.name for e in missing_mandatory(duty_list)} == {"最低生活保障申请受理", "殡葬管理"}
    make_item(duty_list, name="低保（改写后的名称）", catalogue_entry=entries["低保"])
    removed = make_item(duty_list, Part.COORDINATED, name="殡葬管理")
    assert missing_mandatory(duty_list) == []
    removed.deleted_at = timezone.now()
    removed.save()
    assert [e.name for e in missing_mandatory(duty_list)] == ["殡葬管理"]


def test_a_county_that_requires_them_stops_the_first_submission_with_what_is_missing(
    cast, duty_list, entries
):
    block_when_missing(duty_list.township.county)
    make_item(duty_list, name="最低生活保障申请受理")

    with pytest.raises(PreconditionFailed) as refused:
        workflow.perform(duty_list, "submit", by=cast["township_official"])

    refusal = refusal_of(refused.value)
    assert refusal.status == 412 and "“殡葬管理”（兜底事项目录）" in refusal.message
    assert "最低生活保障" not in refusal.message
    assert DutyList.objects.get(pk=duty_list.pk).stage == DutyList.Stage.DRAFTING

    make_item(duty_list, Part.COORDINATED, name="殡葬管理")
    workflow.perform(duty_list, "submit", by=cast["township_official"])
    assert DutyList.objects.get(pk=duty_list.pk).stage == DutyList.Stage.FIRST_SUBMITTED


def test_by_default_a_county_only_warns_and_the_editor_shows_what_is_missing(
    client, cast, duty_list, entries
):
    make_item(duty_list, name="文化活动")
    client.force_login(cast["township_official"])

    page = client.get(reverse("catalog:list_editor", args=[duty_list.pk])).content.decode()
    assert "缺少必须列入的事项（2 项）" in page
    assert "最低生活保障申请受理" in page and "殡葬管理" in page

    workflow.perform(duty_list, "submit", by=cast["township_official"])
    assert DutyList.objects.get(pk=duty_list.pk).stage == DutyList.Stage.FIRST_SUBMITTED
    page = client.get(reverse("catalog:list_editor", args=[duty_list.pk])).content.decode()
    assert "缺少必须列入的事项" in page  # still a finding for the review


def test_the_submit_page_refuses_with_the_missing_entries(client, cast, duty_list, entries):
    block_when_missing(duty_list.township.county)
    make_item(duty_list, name="文化活动")
    client.force_login(cast["township_official"])

    response = client.post(
        reverse("review:list_action", args=[duty_list.pk]), {"action": "submit"}, follow=True
    )

    assert "清单缺少县里规定必须列入的事项" in response.content.decode()
    assert DutyList.objects.get(pk=duty_list.pk).stage == DutyList.Stage.DRAFTING
