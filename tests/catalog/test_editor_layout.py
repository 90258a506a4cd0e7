"""The list editor fits a 1366-pixel screen: every column and its actions without sideways scrolling."""

import pytest
from django.urls import reverse

from catalog.models import Part
from tests.conftest import log_in, make_department, make_item, make_office, needs_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_chromium]

LONG = (
    "组织开展辖区内日常巡查，发现问题及时劝导、制止并报告县级主管部门，配合做好调查取证和后续处置工作。" * 2
)
OVERFLOW = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"


@pytest.mark.parametrize("part", [Part.BASIC, Part.COORDINATED, Part.RECLAIMED])
def test_each_part_of_the_editor_fits_1366_pixels_with_its_actions(
    browser_page, live_server, cast, duty_list, part
):
    county = duty_list.township.county
    office = make_office(duty_list.township, "自然资源和生态环境办公室")
    leads = [make_department(county, "县自然资源和规划局"), make_department(county, "县生态环境分局")]
    for number in range(3):
        make_item(
            duty_list,
            part,
            name=f"秸秆禁烧与农村人居环境整治巡查{number}",
            content=LONG,
            township_duties=LONG if part == Part.COORDINATED else "",
            department_duties=LONG if part == Part.COORDINATED else "",
            basis="《中华人民共和国大气污染防治法》第七十七条；《省秸秆综合利用条例》第十二条",
            responsible_office=office if part != Part.RECLAIMED else None,
            leads=leads if part == Part.COORDINATED else (),
        )
    page = browser_page
    page.set_viewport_size({"width": 1366, "height": 800})
    log_in(page, live_server, "official")
    page.goto(f"{live_server.url}{reverse('catalog:list_editor', args=[duty_list.pk])}?part={part}")

    scroll_width, client_width = page.evaluate(OVERFLOW)
    assert scroll_width <= client_width
    row = page.locator("tr", has_text="秸秆禁烧与农村人居环境整治巡查0")
    for action in ["编辑", "移动", "历史"]:
        link = row.get_by_role("link", name=action)
        assert link.is_visible() and link.bounding_box()["x"] + link.bounding_box()["width"] <= client_width
