"""The adjustment form: items chosen by search, 修改 rows that start from the published values, and a
field-by-field comparison of published and requested values before filing and before approving."""

from datetime import date

import pytest
from django.urls import reverse

from catalog.models import Part
from publication import services
from publication.forms import ITEM_SEARCH_LIMIT
from publication.models import Adjustment, EditionChange
from tests.conftest import make_item
from tests.publication.conftest import approve_and_publish
from tests.publication.test_adjustments import key_of, request_changes

pytestmark = pytest.mark.django_db


def new_url(edition):
    return reverse("publication:adjustment_new", args=[edition.township.code])


def one_row(**row):
    data = {
        "summary": "法规修订",
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "50",
    }
    return data | {f"items-0-{name}": value for name, value in row.items()}


def change_of_basis(edition):
    return one_row(
        action="change",
        key=str(key_of(edition, "最低生活保障申请受理")),
        name="最低生活保障申请受理",
        content="受理申请",
        basis="《社会救助审核确认办法》第十条",
        reason="法规修订",
    )


def diff_rows(html: str) -> str:
    return html[html.index("将要改变的内容") if "将要改变的内容" in html else html.index("申请调整的内容") :]


def test_the_township_sees_the_published_and_the_requested_basis_before_filing(client, cast, edition):
    published_basis = edition.items.get(name="最低生活保障申请受理").basis
    client.force_login(cast["township_official"])
    preview = client.post(new_url(edition), change_of_basis(edition))
    html = diff_rows(preview.content.decode())
    assert preview.status_code == 200 and "核对调整内容" in preview.content.decode()
    assert '<th scope="row">依据</th>' in html and "《社会救助审核确认办法》第十条" in html
    assert published_basis == "《社会救助暂行办法》" and published_basis in html
    # Unchanged columns are not listed: the name and content were sent as published.
    assert '<th scope="row">事项名称</th>' not in html and '<th scope="row">具体内容</th>' not in html
    assert not Adjustment.objects.exists()

    back = client.post(new_url(edition), {**change_of_basis(edition), "edit": "1"})
    assert back.status_code == 200 and "下一步：核对调整内容" in back.content.decode()
    assert not Adjustment.objects.exists()

    filed = client.post(new_url(edition), {**change_of_basis(edition), "confirm": "1"})
    adjustment = Adjustment.objects.get()
    assert filed.status_code == 302 and adjustment.items.get().basis == "《社会救助审核确认办法》第十条"


def test_the_county_editor_sees_what_changes_before_approving(client, cast, edition):
    client.force_login(cast["township_official"])
    client.post(new_url(edition), {**change_of_basis(edition), "confirm": "1"})
    client.force_login(cast["county_editor"])
    page = client.get(reverse("publication:adjustment", args=[Adjustment.objects.get().pk]))
    html = diff_rows(page.content.decode())
    assert '<th scope="row">依据</th>' in html and "《社会救助审核确认办法》第十条" in html
    assert "现行公布" in html and "调整后" in html


def test_a_row_with_a_problem_is_refused_before_the_comparison(client, cast, edition):
    client.force_login(cast["township_official"])
    row = change_of_basis(edition) | {"items-0-basis": ""}
    response = client.post(new_url(edition), row)
    assert response.status_code == 400 and "第 1 项：请填写依据。" in response.content.decode()
    assert "核对调整内容</h1>" not in response.content.decode()


def test_the_comparison_is_what_the_approved_edition_records(cast, edition, department):
    adjustment = services.file_adjustment(
        edition.township,
        by=cast["township_official"],
        summary="调整",
        changes=request_changes(edition, department),
    )
    items = list(adjustment.items.prefetch_related("lead_departments"))
    previews = {p.name: p for p in services.preview_changes(edition, items)}
    decided = services.decide_adjustment(
        adjustment,
        by=cast["county_editor"],
        approve=True,
        document_number="文9",
        effective_on=date(2026, 5, 1),
    )
    logged = {c.name: c.fields for c in EditionChange.objects.filter(edition=decided.new_edition)}
    for name in ("最低生活保障申请受理", "殡葬管理"):
        assert [[f.label, f.before, f.after] for f in previews[name].fields] == logged[name], name
    added = {f.label: f.after for f in previews["临时救助"].fields}
    assert added["事项名称"] == "临时救助" and added["清单类型"] == "基本履职事项" and "兜底事项" not in added
    assert previews["宅基地审批"].is_removal


def test_search_offers_a_bounded_number_of_items_of_the_edition_in_force(client, cast, duty_list):
    for number in range(ITEM_SEARCH_LIMIT + 5):
        make_item(duty_list, name=f"村级事务{number:02d}")
    make_item(duty_list, name="殡葬管理")
    published = approve_and_publish(duty_list, cast["county_editor"])
    client.force_login(cast["township_official"])
    url = reverse("publication:adjustment_item_search", args=[published.township.code])
    found = client.get(url, {"q": "村级"}).content.decode()
    assert found.count("data-add-key=") == ITEM_SEARCH_LIMIT and "殡葬管理" not in found
    assert f"只显示前 {ITEM_SEARCH_LIMIT} 个" in found
    one = client.get(url, {"q": "殡葬"}).content.decode()
    assert one.count("data-add-key=") == 1 and str(key_of(published, "殡葬管理")) in one
    # Without a script the page itself searches, and the first page lists no items at all.
    assert client.get(new_url(published)).content.decode().count("村级事务") == 0
    assert (
        client.get(new_url(published), {"q": "村级"}).content.decode().count("data-add-key=")
        == ITEM_SEARCH_LIMIT
    )


def test_a_chosen_item_starts_a_change_row_with_its_published_values(client, cast, edition):
    key = key_of(edition, "殡葬管理")
    client.force_login(cast["township_official"])
    page = client.get(new_url(edition), {"add": [str(key)]}).content.decode()
    assert '<option value="change" selected>' in page
    assert 'value="殡葬管理"' in page and ">\n劝导文明治丧</textarea>" in page
    assert f'<option value="{key}" selected>殡葬管理</option>' in page
    assert "items-1-action" not in page  # no fixed set of empty rows beside it
    row = client.get(
        reverse("publication:adjustment_row", args=[edition.township.code]), {"key": str(key), "index": "3"}
    ).content.decode()
    assert 'name="items-3-name"' in row and 'value="殡葬管理"' in row and "第 4 项" in row
    blank = client.get(
        reverse("publication:adjustment_row", args=[edition.township.code]), {"index": "4"}
    ).content.decode()
    assert 'name="items-4-name"' in blank and 'value="殡葬管理"' not in blank


def test_an_item_outside_the_edition_in_force_is_refused(client, cast, edition, duty_list):
    client.force_login(cast["township_official"])
    row = change_of_basis(edition) | {"items-0-key": "00000000-0000-0000-0000-000000000000"}
    response = client.post(new_url(edition), row)
    assert response.status_code == 400 and "请选择现行清单中的事项" in response.content.decode()
    assert not Adjustment.objects.exists()


def test_only_those_who_may_file_can_search_the_items(client, cast, edition):
    client.force_login(cast["other_township_official"])
    url = reverse("publication:adjustment_item_search", args=[edition.township.code])
    assert client.get(url, {"q": "殡葬"}).status_code == 403
    row = reverse("publication:adjustment_row", args=[edition.township.code])
    assert client.get(row, {"key": str(key_of(edition, "殡葬管理"))}).status_code == 403


def test_a_move_shows_the_columns_the_new_part_clears_and_fills(cast, edition, department):
    change = services.RequestedChange(
        "move", key=key_of(edition, "殡葬管理"), part=Part.COORDINATED, lead_departments=[department]
    )
    (preview,) = services.preview_changes(edition, [change])
    fields = {f.label: (f.before, f.after) for f in preview.fields}
    assert fields["清单类型"] == ("基本履职事项", "配合履职事项")
    assert fields["具体内容"] == ("劝导文明治丧", "")
    assert fields["乡镇（街道）配合职责"] == ("", "劝导文明治丧")
    assert fields["县级主责部门"] == ("", "县民政局")


def test_without_a_script_blank_rows_are_added_on_request_up_to_a_bound(client, cast, edition):
    client.force_login(cast["township_official"])
    first = client.get(new_url(edition)).content.decode()
    assert 'name="items-0-action"' in first and 'name="items-1-action"' not in first
    three = client.get(new_url(edition), {"blank": "3"}).content.decode()
    assert 'name="items-2-action"' in three and 'name="items-3-action"' not in three
    assert "blank=4" in three  # the link asks for one more
    many = client.get(new_url(edition), {"blank": "999"}).content.decode()
    assert 'name="items-9-action"' in many and 'name="items-10-action"' not in many
