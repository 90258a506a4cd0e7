"""The department's queue (待提意见): the database picks the items naming the department, so what the
page reads does not grow with the townships whose lists do not name it."""

import pytest
from django.urls import reverse

from catalog import merging
from catalog.models import Department, DutyList, Membership, Part
from review import queries
from review.models import SubmittedItem
from tests.conftest import make_duty_list, make_item, make_township
from tests.review.conftest import make_window

pytestmark = pytest.mark.django_db


def township_asking(county, department, *, naming: int = 0, others: int = 3) -> DutyList:
    """A township's list frozen with `naming` items led by the department and `others` that are not,
    in a window asking the department."""
    duty_list = make_duty_list(make_township(county))
    for n in range(others):
        make_item(duty_list, name=f"{duty_list.township.name}基本事项{n}")
    for n in range(naming):
        make_item(
            duty_list,
            Part.COORDINATED,
            name=f"{duty_list.township.name}配合事项{n}",
            leads=[department],
            township_duties="配合",
        )
    make_window(duty_list, department)
    return duty_list


def rows_read(monkeypatch) -> list:
    """Every SubmittedItem the ORM builds from a database row from now on."""
    read = []
    original = SubmittedItem.from_db.__func__

    def from_db(cls, db, field_names, values):
        read.append(values)
        return original(cls, db, field_names, values)

    monkeypatch.setattr(SubmittedItem, "from_db", classmethod(from_db))
    return read


def test_the_queue_shows_items_led_taken_back_or_led_by_a_merged_department_and_counts_the_rest(
    client, cast, duty_list, department
):
    county = duty_list.township.county
    duplicate = Department.objects.create(county=county, name="县农业局")
    make_item(duty_list, name="基本事项")
    make_item(duty_list, Part.COORDINATED, name="主责事项", leads=[department], township_duties="配合")
    make_item(duty_list, Part.COORDINATED, name="并入前事项", leads=[duplicate], township_duties="配合")
    make_item(
        duty_list, Part.RECLAIMED, name="收回事项", receiving_department=department, reclaim_reason="上收"
    )
    other = Department.objects.create(county=county, name="县水利局")
    make_item(duty_list, Part.COORDINATED, name="别的部门事项", leads=[other], township_duties="配合")
    make_window(duty_list, department)
    merging.merge(duplicate, department, by=cast["county_editor"])

    client.force_login(cast["department_reviewer"])
    response = client.get(reverse("review:queue"))

    [entry] = response.context["entries"]
    assert sorted(item.name for item in entry.own_items) == ["主责事项", "并入前事项", "收回事项"]
    assert (entry.own_count, entry.other_count, entry.is_cut) == (3, 2, False)
    page = response.content.decode()
    assert "涉及本部门 3 项" in page and "其余 2 项也可提意见" in page
    assert "别的部门事项" not in page and "基本事项" not in page
    assert SubmittedItem.objects.filter(submission=entry.window.submission).count() == 5


def test_a_window_with_many_items_naming_the_department_lists_the_first_and_says_how_many_more(
    client, cast, duty_list, department, monkeypatch
):
    monkeypatch.setattr(queries, "QUEUE_ITEMS_SHOWN", 2)
    for n in range(5):
        make_item(
            duty_list, Part.COORDINATED, name=f"配合事项{n}", leads=[department], township_duties="配合"
        )
    make_window(duty_list, department)

    client.force_login(cast["department_reviewer"])
    response = client.get(reverse("review:queue"))

    [entry] = response.context["entries"]
    assert [item.name for item in entry.own_items] == ["配合事项0", "配合事项1"]
    assert (entry.own_count, entry.other_count, entry.hidden_count) == (5, 0, 3)
    page = response.content.decode()
    assert "涉及本部门 5 项" in page and "仅列出前 2 项，另有 3 项" in page
    assert "配合事项2" not in page


def test_a_reviewer_of_two_departments_sees_each_invitation_with_its_own_items(client, cast, department):
    county = department.county
    second = Department.objects.create(county=county, name="县应急管理局")
    reviewer = cast["department_reviewer"]
    Membership.objects.create(
        user=reviewer, role=Membership.Role.DEPARTMENT_REVIEWER, county=county, department=second
    )
    duty_list = make_duty_list(make_township(county, "青石镇"))
    make_item(duty_list, Part.COORDINATED, name="农业事项", leads=[department], township_duties="配合")
    make_item(duty_list, Part.COORDINATED, name="应急事项", leads=[second], township_duties="配合")
    make_item(
        duty_list, Part.COORDINATED, name="共管事项", leads=[department, second], township_duties="配合"
    )
    make_window(duty_list, department, second)

    client.force_login(reviewer)
    entries = client.get(reverse("review:queue")).context["entries"]

    by_department = {entry.invitation.department.name: [i.name for i in entry.own_items] for entry in entries}
    assert by_department == {
        "县农业农村局": ["农业事项", "共管事项"],
        "县应急管理局": ["应急事项", "共管事项"],
    }


def test_the_queue_reads_the_same_queries_and_rows_at_3_and_30_townships(
    client, cast, department, monkeypatch, django_assert_num_queries
):
    county = department.county
    named = township_asking(county, department, naming=2)
    for _ in range(2):
        township_asking(county, department)
    client.force_login(cast["department_reviewer"])
    client.get(reverse("review:queue"))  # the session and the user are read once
    with django_assert_num_queries(9) as captured:
        small = client.get(reverse("review:queue"))
    assert len(small.context["entries"]) == 3

    for _ in range(27):
        township_asking(county, department)
    read = rows_read(monkeypatch)
    with django_assert_num_queries(len(captured)):
        large = client.get(reverse("review:queue"))

    entries = large.context["entries"]
    assert len(entries) == 30
    assert len(read) == 2  # the two items naming the department, none of the 90 others
    [named_entry] = [entry for entry in entries if entry.own_items]
    assert named_entry.window.duty_list == named
    assert all(entry.other_count == 3 for entry in entries)
    assert SubmittedItem.objects.count() == 92
