"""After a merge, frozen submissions and editions still name the duplicate by its old id; the readers
that compare them with live departments read that id as the department kept."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from catalog import merging
from catalog.models import Department, DutyItem, Membership, Part
from publication import services as publication_services
from publication.services import RequestedChange
from review import queries, workflow
from tests.conftest import make_item, make_user
from tests.publication.conftest import approve_and_publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(duty_list):
    county = duty_list.township.county
    return (
        Department.objects.create(county=county, name="县应急局"),
        Department.objects.create(county=county, name="县应急管理局"),
    )


def test_an_adjustment_of_an_item_naming_a_merged_department_is_not_refused(cast, duty_list, pair):
    duplicate, kept = pair
    item = make_item(duty_list, Part.COORDINATED, name="森林防火", leads=[duplicate])
    approve_and_publish(duty_list, cast["county_editor"])
    merging.merge(duplicate, kept, by=cast["county_editor"])
    assert list(DutyItem.objects.get(pk=item.pk).lead_departments.all()) == [kept]

    change = RequestedChange(
        "change", key=item.key, content="配合巡查并报告火情", basis="《森林防火条例》", reason="细化"
    )
    adjustment = publication_services.file_adjustment(
        duty_list.township, by=cast["township_official"], summary="细化", changes=[change]
    )
    decided = publication_services.decide_adjustment(
        adjustment,
        by=cast["county_editor"],
        approve=True,
        document_number="示办发〔2026〕3号",
        effective_on=date(2026, 3, 1),
    )
    row = decided.new_edition.items.get(key=item.key)
    assert row.township_duties == "配合巡查并报告火情" and row.lead_departments == "县应急管理局"


def test_the_kept_departments_reviewer_sees_items_a_submission_froze_with_the_duplicate(
    cast, duty_list, pair
):
    duplicate, kept = pair
    make_item(duty_list, Part.COORDINATED, name="森林防火", leads=[duplicate])
    make_item(duty_list, name="其他事项")
    workflow.perform(duty_list, "submit", by=cast["township_official"])
    merging.merge(duplicate, kept, by=cast["county_editor"])
    workflow.perform(
        duty_list,
        "open_comments",
        by=cast["county_editor"],
        departments=[kept],
        deadline=timezone.localdate() + timedelta(days=3),
    )
    reviewer = make_user("应急管理局审核人", Membership.Role.DEPARTMENT_REVIEWER, department=kept)

    [entry] = queries.queue_for(reviewer)
    assert [item.name for item in entry.own_items] == ["森林防火"]
    page = queries.window_page(workflow.open_window(duty_list), reviewer)
    assert [row.item.name for row in page.rows if row.names_us] == ["森林防火"]
