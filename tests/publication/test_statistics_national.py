"""The county statistics beside the national figures: the county's share and average, and each
township's items and share against 340 items and 65.6%, drawn as SVG with the numbers beside them."""

import re

import pytest
from django.urls import reverse

from catalog.models import Part
from publication import national
from tests.conftest import make_duty_list, make_item, make_township
from tests.publication.conftest import approve_and_publish
from tests.publication.test_public_site import queries_of

pytestmark = pytest.mark.django_db


def publish(duty_list, editor, basic: int, coordinated: int, reclaimed: int):
    for n in range(basic):
        make_item(duty_list, name=f"基本{n}")
    for n in range(coordinated):
        make_item(duty_list, Part.COORDINATED, name=f"配合{n}")
    for n in range(reclaimed):
        make_item(duty_list, Part.RECLAIMED, name=f"收回{n}")
    return approve_and_publish(duty_list, editor)


@pytest.fixture
def county_in_force(cast, duty_list):
    publish(duty_list, cast["county_editor"], 1, 1, 2)  # 4 items, 75%
    neighbour = make_duty_list(make_township(duty_list.township.county, "河西乡"))
    publish(neighbour, cast["county_editor"], 2, 0, 0)  # 2 items, 0%
    return duty_list.township.county


def test_each_township_and_the_county_average_are_set_beside_the_national_figures(client, county_in_force):
    response = client.get(reverse("publication:statistics", args=[county_in_force.code]))
    comparison = response.context["comparison"]

    assert [(r.label, r.items, r.items_difference, r.share, r.share_difference) for r in comparison.rows] == [
        ("城关镇", 4, "−336", 75.0, "+9.4"),
        ("河西乡", 2, "−338", 0.0, "−65.6"),
    ]
    average = comparison.average
    assert (average.items, average.items_difference, average.share) == (3.0, "−337.0", 50.0)
    # Both bars are drawn on a scale that holds 340: the national mark stands at its end.
    assert comparison.items_scale == 340 and comparison.items_mark == 100.0
    page = response.content.decode()
    assert "全国数字：" + national.SOURCE in page
    assert "约 340 项，其中配合履职事项和上级部门收回事项占 65.6%" in page
    assert '<td class="num">75.0%</td><td class="num">+9.4</td>' in page
    assert '<line class="mark" x1="65.6" x2="65.6"' in page and '<rect width="1.2" height="1"/>' in page


def test_a_township_above_the_national_mean_moves_the_scale_and_the_mark(client, cast, county_in_force):
    large = make_duty_list(make_township(county_in_force, "东湖街道"))
    publish(large, cast["county_editor"], 400, 125, 0)
    comparison = client.get(reverse("publication:statistics", args=[county_in_force.code])).context[
        "comparison"
    ]
    assert comparison.items_scale == 525 and comparison.items_mark == round(100 * 340 / 525, 1)
    assert [(r.label, r.items_width, r.items_difference) for r in comparison.rows][-1] == (
        "东湖街道",
        100.0,
        "+185",
    )


def test_the_charts_use_no_inline_style_which_the_content_policy_forbids(client, county_in_force):
    page = client.get(reverse("publication:statistics", args=[county_in_force.code])).content.decode()
    assert not re.search(r"\sstyle=", page)
    assert "cdn" not in page.lower()


def test_the_comparison_costs_no_query_more_with_more_townships(client, cast, county_in_force):
    url = reverse("publication:statistics", args=[county_in_force.code])
    before = queries_of(client, url)
    for name in ("北山乡", "南湖镇"):
        publish(make_duty_list(make_township(county_in_force, name)), cast["county_editor"], 2, 1, 1)
    assert queries_of(client, url) == before
    assert len(client.get(url).context["comparison"].rows) == 4
