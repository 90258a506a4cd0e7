"""The editor in a real browser: Debian's Chromium driven by Playwright against live_server."""

import pytest
from django.urls import reverse

from catalog.models import Department, DutyItem, NameAlias, Office, Part
from tests.catalog.test_import_scope import basic_and_coordinated, reference_counts
from tests.conftest import log_in, make_category, make_office, needs_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_chromium]


def test_official_adds_edits_moves_and_compares_an_item_and_a_reviewer_cannot_edit(
    browser_page, live_server, cast, duty_list
):
    page = browser_page
    county = duty_list.township.county
    make_category(county, "生态环境", 1)
    make_office(duty_list.township, "自然资源和生态环境办公室")

    log_in(page, live_server, "official")
    page.get_by_role("link", name=duty_list.title).click()

    # Add a basic item.
    page.get_by_role("link", name="新增基本履职事项").click()
    page.get_by_label("类别").select_option(label="生态环境")
    page.get_by_label("事项名称").fill("秸秆禁烧巡查")
    page.get_by_label("具体内容").fill("开展秸秆禁烧日常巡查。")
    page.get_by_label("责任科室").select_option(label="自然资源和生态环境办公室")
    page.get_by_role("button", name="保存").click()
    row = page.locator("tr", has_text="秸秆禁烧巡查")
    row.wait_for()
    assert "自然资源和生态环境办公室" in row.inner_text()

    # Edit it in place.
    row.get_by_role("link", name="编辑").click()
    form = page.locator("tr.editing form")
    form.get_by_label("具体内容").fill("开展秸秆禁烧日常巡查，发现火点及时处置并报告。")
    form.get_by_role("button", name="保存").click()
    page.locator("tr.editing").wait_for(state="detached")
    assert "发现火点及时处置" in page.locator("tr", has_text="秸秆禁烧巡查").inner_text()

    # Move it to 配合 with a lead department, in one step.
    page.locator("tr", has_text="秸秆禁烧巡查").get_by_role("link", name="移动").click()
    page.get_by_label("移入清单类型").select_option(label="配合履职事项")
    page.get_by_label("移动理由").fill("县农业农村局牵头，乡镇配合巡查")
    page.get_by_label("县级主责部门（移入配合履职事项时必填）").select_option(label="县农业农村局")
    page.get_by_role("button", name="确认移动").click()
    page.get_by_role("tab", name="配合履职事项").wait_for()
    moved = page.locator("#panel-coordinated tr", has_text="秸秆禁烧巡查")
    moved.wait_for()
    assert "县农业农村局" in moved.inner_text()

    item = DutyItem.objects.get(name="秸秆禁烧巡查")
    assert item.part == Part.COORDINATED and item.version == 3

    # Its history compares the version before the move with the one after.
    moved.get_by_role("link", name="历史").click()
    page.get_by_role("button", name="对比").click()
    comparison = page.locator("table.compare")
    comparison.wait_for()
    part_row = comparison.locator("tr.changed", has_text="清单类型").inner_text()
    assert "基本履职事项" in part_row and "配合履职事项" in part_row
    assert "县农业农村局牵头，乡镇配合巡查" in page.content()

    # A department reviewer opening the same editor can change nothing.
    page.get_by_role("button", name="退出").click()
    log_in(page, live_server, "reviewer")
    page.goto(f"{live_server.url}{reverse('catalog:list_editor', args=[duty_list.pk])}?part=coordinated")
    page.locator("#panel-coordinated tr", has_text="秸秆禁烧巡查").wait_for()
    assert page.get_by_role("link", name="编辑").count() == 0
    assert page.get_by_role("button", name="删除").count() == 0
    assert page.get_by_text("当前不能修改").count() == 1
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    refused = page.request.post(
        f"{live_server.url}{reverse('catalog:item_edit', args=[item.pk])}",
        form={"name": "审核人改的", "category": item.category_id, "expected_version": item.version},
        headers={"X-CSRFToken": csrf, "Referer": live_server.url},
    )
    assert refused.status == 403
    assert "CSRF" not in refused.text()  # refused for who they are, not for a missing token
    item.refresh_from_db()
    assert item.name == "秸秆禁烧巡查" and item.version == 3


def test_an_import_maps_an_unknown_department_to_an_existing_one_creating_nothing(
    browser_page, live_server, cast, duty_list
):
    page = browser_page
    county = duty_list.township.county
    make_category(county, "平安法治", 1)
    make_office(duty_list.township, "应急管理办公室")
    make_office(duty_list.township, "党政办公室")
    kept = Department.objects.create(county=county, name="县应急管理局")
    Department.objects.create(county=county, name="县公安局")
    before = reference_counts()
    workbook = basic_and_coordinated(
        [[1, "平安法治", "应急值守", "做好值班值守", "应急管理办公室", "", ""]],
        [[1, "平安法治", "森林防火", "县应急局", "组织实施", "巡查报告", ""]],
    )

    log_in(page, live_server, "official")
    page.get_by_role("link", name=duty_list.title).click()
    page.get_by_role("link", name="从 Excel 导入").click()
    page.get_by_label("Excel 文件").set_input_files(
        {"name": "城关镇.xlsx", "mimeType": "application/octet-stream", "buffer": workbook}
    )
    page.get_by_role("button", name="上传并预览").click()

    # The preview names the unknown department, offers the plausible one first, and no way to create it.
    problems = page.get_by_role("alert")
    assert "找不到县直部门“县应急局”，最接近的是“县应急管理局”。" in problems.inner_text()
    choice = page.get_by_label("县直部门“县应急局”")
    assert choice.locator("optgroup[label='最接近的'] option").all_inner_texts() == ["县应急管理局"]
    assert "新建" not in choice.inner_text()
    choice.select_option(label="县应急管理局")
    page.get_by_role("button", name="按所选名称重新预览").click()

    assert (
        "县直部门“县应急局”将导入为已有的“县应急管理局”"
        in page.get_by_role("region", name="名称对应").inner_text()
    )
    page.get_by_role("button", name="确认导入").click()
    message = page.get_by_text("已导入《城关镇.xlsx》")
    message.wait_for()
    assert "已记住 1 个名称的对应关系，下次导入自动对应。" in message.inner_text()
    assert "森林防火" in page.locator("#panel-coordinated").inner_text()

    assert reference_counts() == before
    assert not Department.objects.filter(name="县应急局").exists() and Office.objects.count() == 2
    assert list(DutyItem.objects.get(name="森林防火").lead_departments.all()) == [kept]
    assert NameAlias.objects.get(text="县应急局").department == kept
