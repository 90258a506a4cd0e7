import io
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from catalog import permissions
from catalog.models import (
    Catalogue,
    Category,
    County,
    Department,
    DutyItem,
    DutyList,
    Membership,
    Part,
    Township,
)
from publication.management.commands.load_demo import DEMO_ACCOUNTS, DEMO_FIXTURES
from publication.models import AdmissionPolicy

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def test_every_fixture_file_is_loaded_by_the_demo():
    assert sorted(DEMO_FIXTURES) == sorted(path.name for path in FIXTURES.glob("*.json"))


@pytest.fixture
def demo(db):
    call_command("loaddata", *[FIXTURES / name for name in DEMO_FIXTURES], verbosity=0)
    return County.objects.get(code="999001")


@pytest.mark.slow  # validates every demo item one by one
def test_fixtures_load_into_an_empty_database_and_every_item_is_valid(demo):
    items = DutyItem.objects.select_related(
        "duty_list__township__county", "category", "responsible_office", "receiving_department"
    ).prefetch_related("lead_departments")
    assert items.count() > 400
    for item in items:
        item.full_clean()
    for entry in demo.catalogues.get(kind=Catalogue.Kind.TEMPLATE).entries.all():
        entry.full_clean()


def test_demo_county_has_what_the_back_office_shows(demo):
    assert demo.name == "示范县"
    townships = Township.objects.filter(county=demo)
    assert townships.count() >= 4
    assert townships.filter(kind=Township.Kind.JIEDAO).exists()
    assert Department.objects.filter(county=demo).count() >= 15
    assert Category.objects.filter(county=demo).count() >= 8
    for township in townships:
        assert township.offices.exists(), township.name
        assert DutyList.objects.filter(township=township).exists(), township.name
    template = demo.catalogues.get(kind=Catalogue.Kind.TEMPLATE)
    assert template.entries.count() >= 100
    safeguard = demo.catalogues.get(kind=Catalogue.Kind.SAFEGUARD)
    assert safeguard.entries.filter(is_mandatory=True).exists()


def test_pilot_township_has_a_full_three_part_list(demo):
    counts = {
        part: DutyItem.objects.filter(duty_list__township__name="城关镇", part=part).count()
        for part in Part.values
    }
    assert counts[Part.BASIC] >= 60
    assert counts[Part.COORDINATED] >= 40
    assert counts[Part.RECLAIMED] >= 40


def test_other_townships_derive_from_the_template_with_individual_items(demo):
    for township in Township.objects.filter(county=demo).exclude(name="城关镇"):
        items = DutyItem.objects.filter(duty_list__township=township)
        common = items.filter(origin=DutyItem.Origin.COMMON)
        assert common.exists() and not common.filter(catalogue_entry__isnull=True).exists()
        assert items.filter(origin=DutyItem.Origin.INDIVIDUAL).exists(), township.name


@pytest.mark.slow  # runs load_demo twice
def test_load_demo_records_history_creates_accounts_and_keeps_edits_on_a_second_run(client):
    printed = io.StringIO()
    call_command("load_demo", stdout=printed)
    for username, password, *_ in DEMO_ACCOUNTS:
        assert username in printed.getvalue() and password in printed.getvalue()
    item = DutyItem.objects.filter(part=Part.COORDINATED).first()
    record = item.history.get()
    assert record.history_type == "+"
    assert {d.department_id for d in record.lead_departments.all()} == set(
        item.lead_departments.values_list("pk", flat=True)
    )
    assert County.history.filter(code="999001").exists()
    # The demo consultee signs with a title, as consultees' comments are signed.
    assert Membership.objects.get(user__username="zhuanjia").title == "县政府法律顾问"

    item.name = "演示时修改的名称"
    item.save()
    call_command("load_demo", stdout=io.StringIO())
    item.refresh_from_db()
    assert item.name == "演示时修改的名称"

    username, password, *_ = DEMO_ACCOUNTS[0]
    assert get_user_model().objects.get(username=username).is_superuser
    # Through the login form: the login throttle needs the request that client.login() does not pass.
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302
    assert client.get("/admin/catalog/dutyitem/").status_code == 200


@pytest.mark.slow  # runs load_demo
def test_demo_has_an_account_for_every_role_with_the_right_reach():
    call_command("load_demo", stdout=io.StringIO())
    User = get_user_model()
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == set(Membership.Role.values)
    pilot = DutyList.objects.get(township__name="城关镇")
    neighbour = DutyList.objects.get(township__name="青山镇")

    def user(name):
        return User.objects.get(username=name)

    assert permissions.can_edit_list(user("bianban"), neighbour)
    assert permissions.can_edit_list(user("chengguan"), pilot)
    assert not permissions.can_view_list(user("chengguan"), neighbour)
    assert permissions.can_edit_list(user("qingshan"), neighbour)
    for name in ["nongye", "yingji", "lingdao", "zhuanjia"]:
        assert permissions.can_view_list(user(name), pilot)
        assert not permissions.can_edit_list(user(name), pilot)
    assert Membership.objects.filter(role=Membership.Role.TOWNSHIP_OFFICIAL).count() == 2
    assert Membership.objects.filter(role=Membership.Role.DEPARTMENT_REVIEWER).count() == 2


def test_demo_county_offers_reply_templates_for_each_answer(demo):
    from review.models import ReplyTemplate

    answers = set(ReplyTemplate.objects.filter(county=demo).values_list("answer", flat=True))
    assert answers == {"accepted", "partly", "rejected"}


def test_demo_county_designates_its_justice_bureau_for_the_legality_review_of_admissions(demo):
    assert AdmissionPolicy.objects.get(county=demo).legality_department.name == "县司法局"
