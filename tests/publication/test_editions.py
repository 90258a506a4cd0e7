"""Publishing: an approved list becomes an immutable edition, with a change log against the one before."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from catalog import services as catalog_services
from catalog.models import DutyItem, DutyList, Part
from publication import services
from publication.models import CurrentEdition, Edition, EditionChange, EditionItem
from review.models import StageChange
from tests.conftest import make_department, make_item
from tests.publication.conftest import approve, approve_and_publish

pytestmark = pytest.mark.django_db
Stage = DutyList.Stage


@pytest.fixture
def published(cast, duty_list):
    department = make_department(duty_list.township.county, "县民政局")
    make_item(duty_list, name="最低生活保障申请受理", content="受理辖区居民低保申请并入户调查")
    make_item(
        duty_list, Part.COORDINATED, name="殡葬管理", leads=[department], township_duties="劝导文明治丧"
    )
    make_item(duty_list, Part.RECLAIMED, name="宅基地审批", receiving_department=department)
    return approve_and_publish(duty_list, cast["county_editor"])


def test_publishing_copies_the_approved_list_into_an_edition_in_force(cast, duty_list, published):
    duty_list.refresh_from_db()
    assert duty_list.stage == Stage.PUBLISHED
    assert (published.number, published.document_number, published.effective_on) == (
        1,
        "示办发〔2025〕21号",
        date(2025, 7, 1),
    )
    assert (published.basic_count, published.coordinated_count, published.reclaimed_count) == (1, 1, 1)
    assert published.published_by == cast["county_editor"] and published.submission.stage == Stage.APPROVED
    assert CurrentEdition.objects.get(township=duty_list.township).edition == published
    assert StageChange.objects.filter(action="publish", to_stage=Stage.PUBLISHED).count() == 1
    row = published.items.get(name="殡葬管理")
    assert row.lead_departments == "县民政局" and "殡葬" in row.search_grams.split()


@pytest.mark.parametrize(
    ("params", "message"),
    [({"document_number": ""}, "请填写印发文号"), ({"effective_on": None}, "请填写施行日期")],
)
def test_publishing_needs_an_approval_a_date_and_a_document_number(cast, duty_list, params, message):
    make_item(duty_list)
    DutyList.objects.filter(pk=duty_list.pk).update(stage=Stage.APPROVED)
    values = {"effective_on": date(2025, 7, 1), "document_number": "示办发〔2025〕21号"} | params
    with pytest.raises(ValidationError, match="没有审定记录"):
        services.publish_list(duty_list, by=cast["county_editor"], **values)
    approve(duty_list, cast["county_editor"])
    with pytest.raises(ValidationError, match=message):
        services.publish_list(duty_list, by=cast["county_editor"], **values)
    assert not Edition.objects.exists() and DutyList.objects.get(pk=duty_list.pk).stage == Stage.APPROVED


def test_only_the_county_editor_publishes(cast, duty_list):
    make_item(duty_list)
    DutyList.objects.filter(pk=duty_list.pk).update(stage=Stage.APPROVED)
    for role in ("township_official", "county_leader", "other_county_editor"):
        with pytest.raises(PermissionDenied):
            services.publish_list(
                duty_list, by=cast[role], effective_on=date(2025, 7, 1), document_number="x"
            )
    assert not Edition.objects.exists()


def test_editions_cannot_be_changed_or_deleted(published):
    row = published.items.first()
    for attempt in (
        published.save,
        published.delete,
        row.save,
        row.delete,
        lambda: Edition.objects.filter(pk=published.pk).update(document_number="改"),
        lambda: EditionItem.objects.filter(edition=published).update(name="改"),
        lambda: EditionItem.objects.filter(edition=published).delete(),
    ):
        with pytest.raises(ValueError):
            attempt()
    assert Edition.objects.get(pk=published.pk).document_number == "示办发〔2025〕21号"


def test_editing_the_next_draft_leaves_the_edition_untouched(cast, duty_list, published):
    draft = catalog_services.start_list(
        duty_list.township, title="新一版", year=2026, by=cast["county_editor"], source=duty_list
    )
    item = draft.items.get(name="最低生活保障申请受理")
    assert item.key == published.items.get(name="最低生活保障申请受理").key  # the same item for life
    item.name = "最低生活保障审核确认"
    catalog_services.save_item(item, by=cast["township_official"])
    assert published.items.filter(name="最低生活保障申请受理").exists()
    assert not EditionItem.objects.filter(name="最低生活保障审核确认").exists()


def test_a_second_edition_records_what_changed_and_becomes_the_one_in_force(cast, duty_list, published):
    editor = cast["county_editor"]
    draft = catalog_services.start_list(
        duty_list.township, title="新一版", year=2026, by=editor, source=duty_list
    )
    reworded = draft.items.get(name="最低生活保障申请受理")
    reworded.content = "受理低保申请，入户调查并公示"
    catalog_services.save_item(reworded, by=editor)
    catalog_services.delete_item(draft.items.get(name="宅基地审批"), by=editor)
    moved = draft.items.get(name="殡葬管理")
    catalog_services.move_items_to_part([moved], part=Part.BASIC, reason="乡镇负责", by=editor)
    make_item(draft, name="农村供水保障")
    second = approve_and_publish(draft, editor, effective_on=date(2026, 3, 1), number="示办发〔2026〕5号")

    assert second.number == 2 and CurrentEdition.objects.get().edition == second
    changes = {c.name: c for c in EditionChange.objects.filter(edition=second)}
    assert {name: c.kind for name, c in changes.items()} == {
        "最低生活保障申请受理": "changed",
        "殡葬管理": "moved",
        "宅基地审批": "removed",
        "农村供水保障": "added",
    }
    assert changes["最低生活保障申请受理"].fields == [
        ["具体内容", "受理辖区居民低保申请并入户调查", "受理低保申请，入户调查并公示"]
    ]
    assert (changes["殡葬管理"].before_part, changes["殡葬管理"].after_part) == (Part.COORDINATED, Part.BASIC)
    assert published.items.count() == 3  # the first edition is as it was


def test_a_published_list_is_locked(cast, duty_list, published):
    item = DutyItem.objects.get(duty_list=duty_list, name="殡葬管理")
    item.name = "改名"
    with pytest.raises(PermissionDenied):
        catalog_services.save_item(item, by=cast["county_editor"])
    assert DutyItem.objects.get(pk=item.pk).name == "殡葬管理"


def test_export_edition_writes_a_published_edition(cast, duty_list, published, tmp_path):
    import io

    from django.core.management import CommandError, call_command
    from openpyxl import load_workbook

    path = tmp_path / "edition.xlsx"
    call_command(
        "export_edition", township=duty_list.township.code, edition=1, output=str(path), stdout=io.StringIO()
    )
    workbook = load_workbook(path)
    assert workbook["配合履职事项清单"]["C3"].value == "殡葬管理"
    with pytest.raises(CommandError, match="没有第 3 版。已公布的版次：1"):
        call_command("export_edition", township=duty_list.township.code, edition=3, output=str(path))
