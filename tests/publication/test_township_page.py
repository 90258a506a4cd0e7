"""The public township page: its editions, each with its 文号, effective date and change log, and item
tables that carry each value's column name, so that a phone can show an item as a card."""

import pytest
from django.urls import reverse

from tests.conftest import make_category, make_item
from tests.publication.conftest import approve_and_publish
from tests.publication.test_adjustments import approve_one_change

pytestmark = pytest.mark.django_db


def test_the_township_page_lists_its_editions_with_links_to_each_and_to_the_change_logs(
    client, cast, edition
):
    approve_one_change(edition, cast)
    code = edition.township.code
    html = client.get(reverse("publication:township", args=[code])).content.decode()
    table = html[html.index('id="editions-title"') :]
    assert table.index("第 2 版") < table.index("第 1 版")  # newest first
    for number, document, effective in (
        (1, "示办发〔2025〕21号", "2025年7月1日"),
        (2, "示办发〔2026〕10号", "2026年6月1日"),
    ):
        assert f'href="{reverse("publication:edition", args=[code, number])}"' in table
        assert document in table and effective in table
    assert f'href="{reverse("publication:changes", args=[code, 2])}">与第 1 版相比的变化' in table
    assert "首次公布" in table
    # An older edition's page lists them too, and says which one is in force.
    old = client.get(reverse("publication:edition", args=[code, 1])).content.decode()
    assert "查看现行版本" in old and '<tr aria-current="page">' in old[old.index('id="editions-title"') :]


def test_each_item_value_carries_its_column_name(client, edition):
    html = client.get(reverse("publication:township", args=[edition.township.code])).content.decode()
    assert 'data-label="具体内容"' in html and 'data-label="依据"' in html


def test_item_rows_escape_their_text_keep_its_line_breaks_and_number_each_category_from_one(
    client, cast, duty_list, department
):
    from catalog.models import DutyItem

    make_item(
        duty_list,
        name="<script>x</script>事项",
        content="第一行\r\n<b>第二行</b>\r第三行",
        basis="《条例》\n第五条 & 第六条",
    )
    make_item(duty_list, name="殡葬管理", content="劝导文明治丧")
    make_item(
        duty_list,
        name="困难残疾人生活补贴",
        content="受理",
        category=make_category(duty_list.township.county, "残疾人", order=9),
    )
    edition = approve_and_publish(duty_list, cast["county_editor"])
    html = client.get(reverse("publication:township", args=[edition.township.code])).content.decode()
    assert "<script>x" not in html and "&lt;script&gt;x&lt;/script&gt;事项" in html
    assert '<td data-label="具体内容" class="text">第一行<br>&lt;b&gt;第二行&lt;/b&gt;<br>第三行</td>' in html
    assert '<td class="text basis" data-label="依据">《条例》<br>第五条 &amp; 第六条</td>' in html
    key = edition.items.get(name__startswith="<script>").key
    link = reverse("publication:township", args=[edition.township.code]) + f"items/{key}/"
    assert f'<td class="num">1</td>\n      <th scope="row" class="name"><a href="{link}">' in html
    # Each category's table numbers its rows from 1.
    assert html.count('<td class="num">1</td>') == 2 and html.count('<td class="num">2</td>') == 1
    assert DutyItem.objects.filter(duty_list=duty_list).count() == 3


@pytest.mark.parametrize(
    "text", ["", "一行", "第一行\r\n第二行\r第三行\n", "<script>&'\"</script>", "  空格\n\n两个换行"]
)
def test_printed_text_writes_what_djangos_linebreaksbr_writes(text):
    from django.template.defaultfilters import linebreaksbr

    from catalog.templatetags.item_columns import printed_text

    assert printed_text(text) == linebreaksbr(text, autoescape=True)
