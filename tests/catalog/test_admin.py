import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from api.tokens import create_account, create_token
from catalog.models import (
    Catalogue,
    CatalogueEntry,
    Category,
    DutyItem,
    DutyList,
    Membership,
    NameAlias,
    Part,
    QualityPolicy,
    RegionMembership,
    Synonym,
    VaguePhrase,
)
from review import workflow
from review.models import ReviewPolicy
from tests.config.conftest import make_login_records
from tests.conftest import (
    item_form_data,
    make_category,
    make_city,
    make_county,
    make_department,
    make_duty_list,
    make_item,
    make_office,
    make_province,
    make_township,
)
from tests.publication.conftest import approve_and_publish, make_adjustment, make_admission, make_feedback
from tests.review.conftest import make_review_records
from webhooks.models import Endpoint, Event

pytestmark = pytest.mark.django_db

MAX_QUERIES_PER_PAGE = 20


@pytest.fixture
def world(duty_list, superuser):
    """One row of every registered model, so every admin page has something to show."""
    Group.objects.create(name="县委编办")
    Membership.objects.create(
        user=superuser, role=Membership.Role.COUNTY_LEADER, county=duty_list.township.county
    )
    county = duty_list.township.county
    make_region_records(county, superuser, "77")
    office = make_office(duty_list.township)
    category = make_category(county, "党的建设", 1)
    catalogue = Catalogue.objects.create(county=county, name="标准模板", kind=Catalogue.Kind.TEMPLATE)
    NameAlias.objects.create(
        county=county, kind="office", township=duty_list.township, text="党政办", office=office
    )
    Synonym.objects.create(county=county, word="低保", terms="最低生活保障")
    entry = CatalogueEntry.objects.create(
        catalogue=catalogue, name="党组织建设", part=Part.BASIC, category=category
    )
    items = {
        Part.BASIC: make_item(duty_list, Part.BASIC, responsible_office=office, catalogue_entry=entry),
        Part.COORDINATED: make_item(duty_list, Part.COORDINATED),
        Part.RECLAIMED: make_item(duty_list, Part.RECLAIMED),
    }
    # The review app's records: a county policy, and a submission with its stage change.
    ReviewPolicy.objects.create(county=county)
    QualityPolicy.objects.create(county=county)
    VaguePhrase.objects.create(county=county, phrase="等相关工作")
    Membership.objects.create(user=superuser, role=Membership.Role.COUNTY_EDITOR, county=county)
    workflow.perform(duty_list, "submit", by=superuser)
    make_review_records(duty_list, superuser)
    published = make_duty_list(make_township(county, "已公布镇"))
    make_item(published)
    # An endpoint, so publishing logs a delivery (not sent: the test's transaction never commits).
    Endpoint.objects.create(county=county, url="https://10.1.2.3/hook", events=list(Event.values))
    edition = approve_and_publish(published, superuser)
    make_feedback(edition)
    make_adjustment(edition, superuser)
    make_admission(county, superuser, category, published.township)
    make_login_records()
    make_integration_account(county, superuser)
    duty_list.stage = DutyList.Stage.DRAFTING  # back to editable for the tests that edit items
    duty_list.save(update_fields=["stage"])
    return {"county": county, "office": office, "category": category, "items": items, "user": superuser}


def make_region_records(county, user, prefix: str) -> None:
    """The levels above the county: its province and city, and a province editor."""
    province = make_province(f"省{prefix}", f"{prefix}0000")
    county.city = make_city(province, f"市{prefix}", f"{prefix}0100")
    county.save(update_fields=["city"])
    RegionMembership.objects.create(user=user, role=RegionMembership.Role.PROVINCE_EDITOR, province=province)


def make_integration_account(county, by) -> None:
    """The api app's back office: a county's hotline with a token."""
    account = create_account(by=by, county=county, name="12345 热线", kind="hotline", scopes=["dispatch"])
    create_token(by=by, name="派单系统", account=account)


def registered_models():
    return sorted(admin.site._registry, key=lambda model: model._meta.label)


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", registered_models(), ids=lambda m: m._meta.label)
def test_every_model_has_list_add_change_and_history_pages(
    admin_client, world, model, django_assert_max_num_queries
):
    obj = model._default_manager.first()
    assert obj is not None, f"the test world lacks a {model._meta.label}"
    urls = [admin_url(model, "changelist"), admin_url(model, "change", obj.pk)]
    request = RequestFactory().get("/")
    request.user = world["user"]
    if admin.site._registry[model].has_add_permission(request):  # not records only the workflow writes
        urls.append(admin_url(model, "add"))
    urls.append(admin_url(model, "history", obj.pk))
    for url in urls:
        with django_assert_max_num_queries(MAX_QUERIES_PER_PAGE):
            response = admin_client.get(url)
        assert response.status_code == 200, url


def test_back_office_speaks_chinese(admin_client, world):
    response = admin_client.get(admin_url(DutyItem, "changelist"))
    text = response.content.decode()
    assert "履职事项" in text and "清单类型" in text and "兜底事项" in text
    assert response.headers["Content-Language"] == "zh-hans"


def bulk_items(duty_list, count: int, department) -> None:
    category = Category.objects.filter(county=duty_list.township.county).first()
    offices = list(duty_list.township.offices.all()) or [make_office(duty_list.township)]
    parts = [Part.BASIC, Part.COORDINATED, Part.RECLAIMED]
    rows = []
    for n in range(count):
        part = parts[n % 3]
        rows.append(
            DutyItem(
                duty_list=duty_list,
                part=part,
                category=category,
                order=n,
                name=f"批量事项{n:03d}",
                township_duties="协助" if part == Part.COORDINATED else "",
                responsible_office=offices[n % len(offices)] if part == Part.BASIC else None,
                receiving_department=department if part == Part.RECLAIMED else None,
            )
        )
    DutyItem.objects.bulk_create(rows)
    through = DutyItem.lead_departments.through
    through.objects.bulk_create(
        through(dutyitem_id=item.pk, department_id=department.pk)
        for item in DutyItem.objects.filter(
            duty_list=duty_list, part=Part.COORDINATED, lead_departments__isnull=True
        )
    )


def test_item_list_query_count_does_not_grow_with_rows(
    admin_client, duty_list, django_assert_max_num_queries
):
    county = duty_list.township.county
    make_category(county)
    department = make_department(county)
    bulk_items(duty_list, 40, department)
    url = admin_url(DutyItem, "changelist")
    with CaptureQueriesContext(connection) as small:
        assert admin_client.get(url).status_code == 200

    bulk_items(duty_list, 360, department)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = admin_client.get(url)
    assert response.context["cl"].result_count == 400
    assert response.content.decode().count("批量事项") >= 400


def test_item_list_filters_by_county_township_part_department_and_safeguard(admin_client, world):
    county = world["county"]
    department = make_department(county, "县应急管理局")
    coordinated = make_item(world["items"][Part.BASIC].duty_list, Part.COORDINATED, leads=[department])
    safeguard = make_item(coordinated.duty_list, is_safeguard=True, name="突发事件先期处置")
    elsewhere = make_item(make_duty_list(make_township(make_county("别县", "999009"))), name="别县事项")
    url = admin_url(DutyItem, "changelist")

    def listed(**params):
        return set(admin_client.get(url, params).context["cl"].result_list)

    assert elsewhere not in listed(county=county.pk)
    assert listed(township=elsewhere.duty_list.township.pk) == {elsewhere}
    assert listed(department=department.pk) == {coordinated}
    assert listed(is_safeguard__exact=1) == {safeguard}
    assert listed(part__exact=Part.RECLAIMED) == {world["items"][Part.RECLAIMED]}
    assert listed(q="先期处置") == {safeguard}


def test_editing_in_the_back_office_records_the_user_and_bumps_the_version(admin_client, world):
    item = world["items"][Part.BASIC]
    response = admin_client.post(admin_url(DutyItem, "change", item.pk), item_form_data(item, name="新名称"))
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.name, item.version) == ("新名称", 2)
    record = item.history.first()
    assert record.history_user == world["user"]
    assert record.name == "新名称"

    history_page = admin_client.get(admin_url(DutyItem, "history", item.pk)).content.decode()
    assert "事项名称" in history_page and "新名称" in history_page


def test_back_office_refuses_a_part_rule_violation_and_keeps_the_input(admin_client, world):
    item = world["items"][Part.COORDINATED]
    response = admin_client.post(
        admin_url(DutyItem, "change", item.pk),
        item_form_data(item, lead_departments=[], name="改过的名称"),
    )
    assert response.status_code == 200
    assert "配合履职事项至少需要一个县级主责部门。" in response.content.decode()
    assert response.context["adminform"].form["name"].value() == "改过的名称"
    item.refresh_from_db()
    assert item.name != "改过的名称" and item.lead_departments.count() == 1


def test_back_office_refuses_a_stale_edit(admin_client, world):
    item = world["items"][Part.BASIC]
    stale = item_form_data(item, name="我的修改")
    admin_client.post(admin_url(DutyItem, "change", item.pk), item_form_data(item, name="他人修改"))

    response = admin_client.post(admin_url(DutyItem, "change", item.pk), stale)

    assert response.status_code == 200
    assert "已被他人修改（您编辑的是第 1 版，当前为第 2 版）" in response.content.decode()
    item.refresh_from_db()
    assert (item.name, item.version) == ("他人修改", 2)


def test_revert_from_history_restores_the_old_values_as_a_new_version(admin_client, world):
    item = world["items"][Part.BASIC]
    original_name = item.name
    admin_client.post(admin_url(DutyItem, "change", item.pk), item_form_data(item, name="改错的名称"))
    old = item.history.earliest()
    url = reverse("admin:catalog_dutyitem_simple_history", args=[item.pk, old.history_id])

    page = admin_client.get(url)
    assert page.status_code == 200
    response = admin_client.post(url, item_form_data(old.instance, expected_version=2))

    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.name, item.version) == (original_name, 3)
    assert item.history.count() == 3


def test_bulk_action_moves_items_to_another_part_with_reason(admin_client, world):
    department = make_department(world["county"], "县农业农村局")
    item = world["items"][Part.BASIC]
    url = admin_url(DutyItem, "changelist")

    form_page = admin_client.post(url, {"action": "move_to_part", "_selected_action": [item.pk]})
    assert form_page.status_code == 200 and "确认移动" in form_page.content.decode()

    response = admin_client.post(
        url,
        {
            "action": "move_to_part",
            "_selected_action": [item.pk],
            "apply": "1",
            "part": Part.COORDINATED,
            "reason": "应由农业农村局牵头",
            "lead_departments": [department.pk],
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.part == Part.COORDINATED
    assert list(item.lead_departments.all()) == [department]
    assert item.history.first().history_change_reason == "应由农业农村局牵头"


def test_bulk_move_that_breaks_a_rule_changes_nothing_and_says_why(admin_client, world):
    item = world["items"][Part.BASIC]
    response = admin_client.post(
        admin_url(DutyItem, "changelist"),
        {
            "action": "move_to_part",
            "_selected_action": [item.pk],
            "apply": "1",
            "part": Part.RECLAIMED,
            "reason": "上级收回",
        },
    )
    assert response.status_code == 200
    assert "上级部门收回事项必须填写收回（承接）部门。" in response.content.decode()
    item.refresh_from_db()
    assert (item.part, item.version) == (Part.BASIC, 1)


def entry_post(catalogue, category, **fields) -> dict:
    return {
        "catalogue": catalogue.pk,
        "part": Part.COORDINATED,
        "category": category.pk,
        "order": 1,
        "name": "秸秆禁烧巡查",
        "township_duties": "开展日常巡查",
        "lead_departments": [],
    } | fields


def test_catalogue_entry_form_checks_the_chosen_lead_departments(admin_client, world):
    catalogue = Catalogue.objects.get()
    department = make_department(world["county"], "县农业农村局")

    refused = admin_client.post(admin_url(CatalogueEntry, "add"), entry_post(catalogue, world["category"]))
    assert refused.status_code == 200
    assert "配合履职事项至少需要一个县级主责部门。" in refused.content.decode()
    assert not CatalogueEntry.objects.filter(name="秸秆禁烧巡查").exists()

    accepted = admin_client.post(
        admin_url(CatalogueEntry, "add"),
        entry_post(catalogue, world["category"], lead_departments=[department.pk]),
    )
    assert accepted.status_code == 302
    entry = CatalogueEntry.objects.get(name="秸秆禁烧巡查")
    assert list(entry.lead_departments.all()) == [department]
    record = entry.history.get()
    assert (record.history_type, record.history_user) == ("+", world["user"])
    assert [row.department_id for row in record.lead_departments.all()] == [department.pk]

    emptied = admin_client.post(
        admin_url(CatalogueEntry, "change", entry.pk), entry_post(catalogue, world["category"])
    )
    assert emptied.status_code == 200
    assert list(entry.lead_departments.all()) == [department]


def test_revert_restores_the_lead_departments_of_that_version(admin_client, world):
    item = world["items"][Part.COORDINATED]
    original = list(item.lead_departments.all())
    replacement = make_department(world["county"], "县水利局")
    admin_client.post(
        admin_url(DutyItem, "change", item.pk), item_form_data(item, lead_departments=[replacement.pk])
    )
    assert list(item.lead_departments.all()) == [replacement]
    old = item.history.all()[1]  # the version before the edit
    assert [row.department_id for row in old.lead_departments.all()] == [d.pk for d in original]
    url = reverse("admin:catalog_dutyitem_simple_history", args=[item.pk, old.history_id])

    form = admin_client.get(url).context["adminform"].form
    assert form["lead_departments"].value() == [d.pk for d in original]

    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["is_safeguard"] = "on" if data.pop("is_safeguard") else ""
    response = admin_client.post(url, {k: v for k, v in data.items() if v != ""})
    assert response.status_code == 302
    assert list(item.lead_departments.all()) == original


@pytest.mark.parametrize("param", ["county", "township", "department"])
def test_a_malformed_filter_value_is_answered_not_crashed(admin_client, world, param):
    response = admin_client.get(admin_url(DutyItem, "changelist"), {param: "abc"})
    assert response.status_code == 302
    assert response.url.endswith("?e=1")


def test_editing_reference_data_records_the_user_in_history(admin_client, world):
    department = make_department(world["county"], "县民政局")
    response = admin_client.post(
        admin_url(type(department), "change", department.pk),
        {"county": world["county"].pk, "name": "县民政局", "short_name": "民政", "order": 3},
    )
    assert response.status_code == 302
    record = department.history.first()
    assert (record.short_name, record.history_user) == ("民政", world["user"])


def populate(count: int) -> None:
    """`count` more counties, each with a row of every kind, for query-growth checks."""
    for n in range(count):
        county = make_county(f"增补县{n}")
        duty_list = make_duty_list(make_township(county))
        user = get_user_model().objects.create_user(f"populated-{county.code}")
        make_region_records(county, user, f"{60 + n}")
        office = make_office(duty_list.township)
        NameAlias.objects.create(
            county=county, kind="office", township=duty_list.township, text="党政办", office=office
        )
        Synonym.objects.create(county=county, word="低保", terms="最低生活保障")
        category = make_category(county)
        catalogue = Catalogue.objects.create(county=county, name="模板", kind=Catalogue.Kind.TEMPLATE)
        entry = CatalogueEntry.objects.create(catalogue=catalogue, name="目录事项", part=Part.BASIC)
        make_item(duty_list, Part.BASIC, category=category, responsible_office=office, catalogue_entry=entry)
        make_item(duty_list, Part.COORDINATED, category=category)
        make_item(duty_list, Part.RECLAIMED, category=category)
        Membership.objects.create(user=user, role=Membership.Role.COUNTY_EDITOR, county=county)
        Group.objects.create(name=f"组{county.code}")
        ReviewPolicy.objects.create(county=county)
        QualityPolicy.objects.create(county=county)
        VaguePhrase.objects.create(county=county, phrase="其他事项")
        workflow.perform(duty_list, "submit", by=user)
        make_review_records(duty_list, user)
        published = make_duty_list(make_township(county))
        make_item(published, category=category)
        Endpoint.objects.create(county=county, url="https://10.1.2.3/hook", events=list(Event.values))
        edition = approve_and_publish(published, user)
        make_feedback(edition, address=f"198.51.100.{n}")
        make_adjustment(edition, user)
        make_admission(county, user, category, published.township)
        make_login_records(n + 1)
        make_integration_account(county, user)


@pytest.mark.parametrize("model", registered_models(), ids=lambda m: m._meta.label)
def test_list_pages_query_count_does_not_grow_with_rows(
    admin_client, world, model, django_assert_max_num_queries
):
    url = admin_url(model, "changelist")
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(url).status_code == 200
    populate(5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = admin_client.get(url)
    assert response.context["cl"].result_count > 1


def test_back_office_edit_without_a_version_is_refused(admin_client, world):
    item = world["items"][Part.BASIC]
    data = item_form_data(item, name="无版本号的修改")
    del data["expected_version"]
    response = admin_client.post(admin_url(DutyItem, "change", item.pk), data)
    assert response.status_code == 200 and "缺少版本号" in response.content.decode()
    item.refresh_from_db()
    assert item.name != "无版本号的修改"


def test_records_only_the_workflow_writes_cannot_be_restored_from_their_history(admin_client, world):
    from publication.models import Adjustment

    adjustment = Adjustment.objects.get()
    record = adjustment.history.first()
    url = reverse("admin:publication_adjustment_simple_history", args=[adjustment.pk, record.history_id])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"state": "approved", "summary": "改写"})
    assert response.status_code == 403
    assert Adjustment.objects.get().summary == "调整" and Adjustment.objects.get().state == "filed"
