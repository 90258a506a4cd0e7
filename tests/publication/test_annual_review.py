"""履职体检: each item in force with the year's evidence (public feedback, adjustments, and any source
another app registers); items with none are candidates, and the editor starts one adjustment from some."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import Part
from catalog.refusals import refusal_of
from publication import annual_review, services
from publication.models import Adjustment, AdjustmentItem
from tests.conftest import make_duty_list, make_item, make_township
from tests.publication.conftest import approve_and_publish

from .admission_fixtures import World

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def item_in_force(township, name):
    return services.current_edition(township).items.get(name=name)


def evidence(world: World):
    """A report on 殡葬管理 (青山镇) and an approved adjustment changing 森林防火 (城关镇)."""
    services.report_item(
        world.second,
        item_in_force(world.second, "殡葬管理").key,
        kind="wrong",
        text="电话有误",
        contact="",
        address="198.51.100.9",
    )
    fire = item_in_force(world.first, "森林防火")
    change = services.RequestedChange(
        "change", key=fire.key, content="配合开展巡山", basis="条例", reason="修订"
    )
    adjustment = services.file_adjustment(world.first, by=world.editor, summary="修订", changes=[change])
    services.decide_adjustment(
        adjustment, by=world.editor, approve=True, document_number="文号", effective_on=date(YEAR, 12, 31)
    )


def names(rows):
    return sorted((row.item.edition.township.name, row.item.name) for row in rows)


def test_items_with_evidence_are_not_candidates(world: World):
    evidence(world)
    review = annual_review.annual_review(world.county, YEAR)
    assert [source.name for source in review.sources] == [
        "feedback",
        "adjustments",
        "dispatch_lookups",
        "dispatch_disputes",
    ]
    assert names(review.exercised) == [("城关镇", "森林防火"), ("青山镇", "殡葬管理")]
    assert names(review.candidates) == [
        ("城关镇", "农药经营许可"),
        ("城关镇", "最低生活保障申请受理"),
        ("青山镇", "最低生活保障申请受理"),
    ]
    counts = {row.item.name: row.counts for row in review.exercised}
    assert counts == {"森林防火": [0, 1, 0, 0], "殡葬管理": [1, 0, 0, 0]}


def test_the_hotlines_lookups_and_disputes_are_evidence(world: World):
    """An item the 12345 hotline found, or dispatched a ticket by that was refused, was exercised."""
    pesticide = item_in_force(world.first, "农药经营许可")
    services.count_lookup(pesticide, by=world.editor)
    services.count_lookup(pesticide, by=world.editor)
    relief = item_in_force(world.second, "最低生活保障申请受理")
    services.file_dispute(
        by=world.editor, key=relief.key, ticket_number="GD-1", refused_by="县民政局", reason="应由乡镇办理"
    )
    review = annual_review.annual_review(world.county, YEAR)
    counts = {(row.item.edition.township.name, row.item.name): row.counts for row in review.exercised}
    assert counts == {
        ("城关镇", "农药经营许可"): [0, 0, 2, 0],
        ("青山镇", "最低生活保障申请受理"): [0, 0, 0, 1],
    }
    assert ("城关镇", "农药经营许可") not in names(review.candidates)


def test_evidence_of_another_year_does_not_count(world: World):
    evidence(world)
    assert len(annual_review.annual_review(world.county, YEAR - 1).candidates) == 5


def test_a_registered_source_is_read_with_the_others(world: World, monkeypatch):
    monkeypatch.setattr(annual_review, "SOURCES", list(annual_review.SOURCES))
    key = item_in_force(world.first, "农药经营许可").key
    annual_review.register("dispatch", "派单查询", lambda county, year: {key: 7})
    annual_review.register("dispatch", "派单查询", lambda county, year: {})  # registered once
    review = annual_review.annual_review(world.county, YEAR)
    assert [s.name for s in review.sources][-1] == "dispatch"
    assert [row.counts for row in review.exercised if row.item.key == key] == [[0, 0, 0, 0, 7]]


def test_the_review_reads_one_query_per_source_whatever_the_items_and_townships(
    world: World, django_assert_num_queries
):
    evidence(world)
    queries = 1 + len(annual_review.SOURCES)
    with django_assert_num_queries(queries):
        annual_review.annual_review(world.county, YEAR)
    for n in range(3):
        duty_list = make_duty_list(make_township(world.county, f"新{n}镇"))
        for m in range(4):
            make_item(duty_list, Part.BASIC, name=f"事项{n}-{m}", category=world.category)
        approve_and_publish(duty_list, world.editor)
    with django_assert_num_queries(queries):
        review = annual_review.annual_review(world.county, YEAR)
    assert len(review.rows) == 5 + 12


def test_the_editor_starts_one_adjustment_from_chosen_candidates(world: World):
    keys = [item_in_force(world.first, name).key for name in ("最低生活保障申请受理", "农药经营许可")]
    adjustment = services.start_review_adjustment(
        world.first,
        by=world.editor,
        year=YEAR,
        keys=keys,
        action="remove",
        basis="年度体检",
        reason="无履职记录",
    )
    assert adjustment.state == Adjustment.State.FILED and adjustment.township == world.first
    assert f"{YEAR}年度履职体检" in adjustment.summary
    rows = list(adjustment.items.order_by("name"))
    assert [(row.action, row.name) for row in rows] == [
        ("remove", "农药经营许可"),
        ("remove", "最低生活保障申请受理"),
    ]


def test_reclaiming_candidates_names_the_receiving_department(world: World):
    key = item_in_force(world.first, "最低生活保障申请受理").key
    adjustment = services.start_review_adjustment(
        world.first,
        by=world.editor,
        year=YEAR,
        keys=[key],
        action="move",
        basis="体检",
        reason="无记录",
        receiving_department=world.department,
    )
    row = adjustment.items.get()
    assert (row.action, row.part, row.receiving_department) == ("move", Part.RECLAIMED, world.department)


def refusal(call):
    with pytest.raises(Exception) as caught:
        call()
    found = refusal_of(caught.value)
    return found.status, found.code, found.field


def test_starting_an_adjustment_is_refused_for_what_is_not_a_candidate(world: World):
    evidence(world)
    start = services.start_review_adjustment
    fire = item_in_force(world.first, "森林防火").key
    neighbour = item_in_force(world.second, "殡葬管理").key
    common = {"year": YEAR, "action": "remove", "basis": "体检", "reason": "无记录"}
    assert refusal(lambda: start(world.first, by=world.editor, keys=[fire], **common)) == (
        400,
        "not_a_candidate",
        "keys",
    )
    assert (
        refusal(lambda: start(world.first, by=world.editor, keys=[neighbour], **common))[1]
        == "not_a_candidate"
    )
    assert refusal(lambda: start(world.first, by=world.editor, keys=[], **common)) == (
        400,
        "required",
        "keys",
    )
    reviewer = world.reviewer
    assert refusal(lambda: start(world.first, by=reviewer, keys=[fire], **common)) == (
        403,
        "cannot_review_year",
        "",
    )
    assert Adjustment.objects.count() == 1  # the evidence's own


def test_the_page_lists_candidates_and_files_the_adjustment(client, world: World, django_assert_num_queries):
    client.force_login(world.editor)
    url = reverse("publication:annual_review", args=[world.county.code])
    page = client.get(url, {"year": YEAR})
    assert page.status_code == 200 and len(page.context["review"].candidates) == 5
    key = item_in_force(world.first, "农药经营许可").key
    response = client.post(
        url,
        {
            "year": YEAR,
            "township": world.first.pk,
            "keys": [key],
            "action": "remove",
            "basis": "体检",
            "reason": "无",
        },
    )
    adjustment = Adjustment.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "publication:adjustment", args=[adjustment.pk]
    )
    assert AdjustmentItem.objects.get().key == key


def test_the_page_refuses_a_selection_without_a_township(client, world: World):
    client.force_login(world.editor)
    url = reverse("publication:annual_review", args=[world.county.code])
    key = item_in_force(world.first, "农药经营许可").key
    response = client.post(
        url, {"year": YEAR, "keys": [key], "action": "remove", "basis": "体检", "reason": "无"}
    )
    assert response.status_code == 400 and "一份调整申请只调整一个乡镇" in response.content.decode()
    assert not Adjustment.objects.exists()


def test_only_the_county_editor_sees_the_page(client, world: World):
    client.force_login(world.reviewer)
    assert client.get(reverse("publication:annual_review", args=[world.county.code])).status_code == 403


def test_the_page_reads_a_fixed_number_of_queries(client, world: World, django_assert_num_queries):
    client.force_login(world.editor)
    url = reverse("publication:annual_review", args=[world.county.code])
    client.get(url)
    # session, user, county, memberships, townships, the items, and one per evidence source
    with django_assert_num_queries(6 + len(annual_review.SOURCES)) as first:
        client.get(url)
    duty_list = make_duty_list(make_township(world.county, "新镇"))
    for m in range(5):
        make_item(duty_list, Part.BASIC, name=f"新事项{m}", category=world.category)
    approve_and_publish(duty_list, world.editor)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(url)
