"""Published editions for the API's tests, written straight through `create_edition` (publishing
itself is tested in tests/publication)."""

import uuid
from datetime import date

import pytest

from catalog.models import Part
from publication import services
from publication.models import EditionItem
from tests.conftest import make_county, make_duty_list, make_township, make_user


def row(name: str, part: str = Part.BASIC, **fields) -> EditionItem:
    """A frozen row as an approved list would give it."""
    values = {"category": "党的建设", "category_order": 1, "order": 1, "content": "具体工作内容"}
    if part == Part.COORDINATED:
        values |= {"content": "", "lead_departments": "县民政局", "township_duties": "配合开展工作"}
    if part == Part.RECLAIMED:
        values |= {"content": "", "receiving_department": "县民政局", "reclaim_reason": "由县级部门直接实施"}
    return EditionItem(key=fields.pop("key", None) or uuid.uuid4(), part=part, name=name, **(values | fields))


def again(item: EditionItem, **changes) -> EditionItem:
    """The row of `item` for a next edition, with `changes`."""
    values = item.frozen_values()
    values.pop("id", None)
    return EditionItem(**(values | changes))


def publish(township, rows: list, *, by, number: str = "示办发〔2025〕21号"):
    duty_list = township.duty_lists.first() or make_duty_list(township)
    return services.create_edition(
        duty_list, rows, by=by, effective_on=date(2025, 7, 1), document_number=number
    )


@pytest.fixture
def editor(county):
    return make_user("api-editor", "county_editor", county=county)


@pytest.fixture
def first(township, editor):
    """城关镇's first edition: one item of each part, the basic one a safeguard item."""
    return publish(
        township,
        [
            row("最低生活保障申请受理", content="受理辖区居民低保申请并入户调查", is_safeguard=True),
            row("殡葬管理", Part.COORDINATED, category="民生服务"),
            row("宅基地审批", Part.RECLAIMED),
        ],
        by=editor,
    )


@pytest.fixture
def second(township, editor, first):
    """The second edition: one item reworded, one moved, one removed, one added."""
    items = {item.name: item for item in first.items.all()}
    return publish(
        township,
        [
            again(items["最低生活保障申请受理"], content="受理低保申请，入户调查并公示"),
            again(
                items["殡葬管理"],
                part=Part.BASIC,
                content="劝导文明治丧",
                lead_departments="",
                township_duties="",
            ),
            row("农村供水保障"),
        ],
        by=editor,
        number="示办发〔2026〕5号",
    )


def townships_with_editions(county, count: int, by) -> list:
    townships = [make_township(county) for _ in range(count)]
    for township in townships:
        publish(township, [row("事项甲"), row("事项乙", Part.COORDINATED)], by=by)
    return townships


def other_county(code: str = "999009"):
    return make_county("别县", code)
