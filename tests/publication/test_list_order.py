"""A list's order is defined once (`catalog.models.list_order`): the draft, its submissions, the
published edition, its page and every download show the same order, sub-categories right after their
parent's own items."""

import csv
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from catalog import exports
from catalog.models import Category, Part
from review import workflow
from tests.conftest import make_item
from tests.publication.conftest import approve_and_publish

pytestmark = pytest.mark.django_db

# In published order. 社会救助 is a sub-category of 民生服务 whose own order (1) is lower than its
# parent's (3); 平安法治 shares its parent's order (3), so items' 序号 interleave across them.
EXPECTED = ["低保宣传", "就业援助", "最低生活保障", "临时救助", "矛盾调解", "禁毒宣传"]


@pytest.fixture
def edition(cast, duty_list):
    county = duty_list.township.county
    livelihood = Category.objects.create(county=county, name="民生服务", order=3)
    relief = Category.objects.create(county=county, name="社会救助", order=1, parent=livelihood)
    safety = Category.objects.create(county=county, name="平安法治", order=3)
    # Created out of order, with 序号 that interleave.
    make_item(duty_list, category=safety, name="禁毒宣传", order=2)
    make_item(duty_list, category=relief, name="临时救助", order=2)
    make_item(duty_list, category=livelihood, name="就业援助", order=2)
    make_item(duty_list, category=safety, name="矛盾调解", order=1)
    make_item(duty_list, category=relief, name="最低生活保障", order=1)
    make_item(duty_list, category=livelihood, name="低保宣传", order=1)
    workflow.perform(duty_list, "submit", by=cast["township_official"])
    return approve_and_publish(duty_list, cast["county_editor"])


def test_draft_submission_edition_page_and_downloads_share_one_order(client, duty_list, edition):
    draft = [row.name for row in exports.export_rows(duty_list)]
    submitted = [row.name for row in duty_list.submissions.order_by("round").first().items.all()]
    published = [row.name for row in edition.items.all()]
    assert draft == submitted == published == EXPECTED

    code = duty_list.township.code
    page = client.get(reverse("publication:township", args=[code])).content.decode()
    assert sorted(EXPECTED, key=page.index) == EXPECTED
    # One table per category, and the sub-category's table names its parent.
    assert page.count("<caption>") == 3
    assert "民生服务 › 社会救助（2 项）" in page and "民生服务（2 项）" in page

    def download(fmt):
        return client.get(reverse("publication:download", args=[code, edition.number, fmt])).content

    sheet = load_workbook(io.BytesIO(download("xlsx")))["基本履职事项清单"]
    names = [row[2] for row in sheet.iter_rows(values_only=True) if row[2] in EXPECTED]
    rows = list(csv.DictReader(io.StringIO(download("csv").decode("utf-8-sig"))))
    document = json.loads(download("json"))
    from_json = [item["事项名称"] for item in document["事项"]]
    assert names == [row["事项名称"] for row in rows] == from_json == EXPECTED


def test_frozen_rows_keep_the_category_path_origin_and_catalogue_entry(duty_list, edition):
    row = edition.items.get(name="临时救助")
    relief = Category.objects.get(name="社会救助")
    assert (row.category, row.category_id, row.category_parent, row.category_parent_id) == (
        "社会救助",
        relief.pk,
        "民生服务",
        relief.parent_id,
    )
    assert (row.category_parent_order, row.part, row.origin) == (3, Part.BASIC, "individual")
    submitted = duty_list.submissions.first().items.get(key=row.key)
    path = ("category", "category_id", "category_parent", "category_parent_id", "category_parent_order")
    assert [getattr(submitted, f) for f in path] == [getattr(row, f) for f in path]
    assert (submitted.origin, submitted.catalogue_entry_id) == ("individual", None)
