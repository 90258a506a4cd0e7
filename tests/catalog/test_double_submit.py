"""A create form sent twice makes one row; two people starting a list at once make one list."""

import threading
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from catalog import services
from catalog.models import Catalogue, CatalogueEntry, DutyItem, DutyList, Part
from tests.conftest import make_category, make_township

pytestmark = pytest.mark.django_db

POSTGRESQL_ONLY = "SQLite 的测试库在内存中、每个线程各有一份，并发只能在 PostgreSQL 上验证（CI 会在 PostgreSQL 上运行此测试）"


@pytest.fixture
def category(duty_list):
    return make_category(duty_list.township.county, "党的建设", 1)


def add_item_form(client, duty_list) -> dict:
    """What the add form posts, with the key it was drawn with."""
    form = client.get(reverse("catalog:item_add", args=[duty_list.pk, "basic"])).context["form"]
    return {
        "new_key": form["new_key"].value(),
        "category": "",
        "name": "基层党组织建设",
        "content": "指导村党组织",
    }


def test_the_add_form_sent_twice_adds_one_item(client, cast, duty_list, category):
    client.force_login(cast["township_official"])
    data = add_item_form(client, duty_list) | {"category": category.pk}
    url = reverse("catalog:item_add", args=[duty_list.pk, "basic"])
    first = client.post(url, data)
    second = client.post(url, data, follow=True)
    assert first.status_code == 302 and second.status_code == 200
    assert "事项“基层党组织建设”已经新增，没有重复添加。" in second.content.decode()
    item = DutyItem.objects.get()
    assert str(item.key) == data["new_key"] and item.version == 1 and item.history.count() == 1

    again = add_item_form(client, duty_list) | {"category": category.pk}
    assert again["new_key"] != data["new_key"]  # a form drawn anew adds a new item
    client.post(url, again)
    assert DutyItem.objects.filter(name="基层党组织建设").count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_same_key_sent_at_once_adds_one_item(cast, duty_list, category):
    if connection.vendor != "postgresql":
        pytest.skip(POSTGRESQL_ONLY)
    key = uuid.uuid4()
    barrier = threading.Barrier(2)
    saved = []

    def send():
        from django.db import connection as thread_connection

        try:
            item = DutyItem(duty_list_id=duty_list.pk, part=Part.BASIC, category=category, key=key)
            item.name, item.content = "基层党组织建设", "指导村党组织"
            barrier.wait()
            saved.append(services.create_item(item, by=cast["township_official"]).pk)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(saved) == 2 and len(set(saved)) == 1
    assert DutyItem.objects.filter(duty_list=duty_list).count() == 1


@pytest.fixture
def template(duty_list, category):
    catalogue = Catalogue.objects.create(
        county=duty_list.township.county, name="标准模板", kind=Catalogue.Kind.TEMPLATE
    )
    for n in range(30):
        CatalogueEntry.objects.create(
            catalogue=catalogue, name=f"事项{n}", part=Part.BASIC, category=category
        )
    return catalogue


def test_the_start_form_sent_twice_starts_one_list(client, cast, duty_list, template):
    township = make_township(duty_list.township.county, "白云乡")
    client.force_login(cast["county_editor"])
    data = {"township": township.pk, "year": 2026, "catalogue": template.pk}
    assert client.post(reverse("catalog:list_start"), data).status_code == 302
    second = client.post(reverse("catalog:list_start"), data)
    assert second.status_code == 409 and "白云乡已有尚未审定的清单" in second.content.decode()
    assert DutyList.objects.filter(township=township).count() == 1


def test_a_second_open_list_refused_by_the_database_is_a_message(duty_list):
    """What the second of two simultaneous starts meets once the first is saved."""
    with pytest.raises(ValidationError) as refused:
        services.create_list(duty_list.township, title="又一份", year=2026)
    assert "城关镇刚刚已有人新建了清单" in refused.value.messages[0]
    assert DutyList.objects.filter(township=duty_list.township).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_editors_starting_a_list_at_once_make_one_list(cast, duty_list, template):
    if connection.vendor != "postgresql":
        pytest.skip(POSTGRESQL_ONLY)
    township = make_township(duty_list.township.county, "白云乡")
    barrier = threading.Barrier(2)
    outcomes = []

    def start():
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            services.start_list(
                township,
                title="白云乡履行职责事项清单",
                year=2026,
                by=cast["county_editor"],
                catalogue=template,
            )
            outcomes.append("started")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    refusals = [outcome for outcome in outcomes if outcome != "started"]
    assert outcomes.count("started") == 1 and len(refusals) == 1, outcomes
    assert refusals[0].startswith("白云乡"), refusals
    assert DutyList.objects.filter(township=township).count() == 1
    assert DutyList.objects.get(township=township).items.count() == 30
