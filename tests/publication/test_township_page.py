"""The public township page: its editions, each with its 文号, effective date and change log, and item
tables that carry each value's column name, so that a phone can show an item as a card."""

import pytest
from django.urls import reverse

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
