"""The named cast and small factories every test draws on."""

import itertools
import os
import shutil

import pytest
from django.urls import reverse

from catalog.models import (
    Category,
    City,
    County,
    Department,
    DutyItem,
    DutyList,
    Membership,
    Office,
    Part,
    Province,
    RegionMembership,
    Township,
)

_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    yield
    # The live server of the browser test can leave an idle connection to the
    # test database behind; PostgreSQL refuses to drop a database in use.
    with django_db_blocker.unblock():
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached public pages are keyed by edition ids, which tests reuse: each test starts empty."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _files_in_a_temporary_folder(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "imports"
    settings.EXPORT_DIR = tmp_path / "exports"


def make_county(name: str = "示范县", code: str | None = None, city: City | None = None) -> County:
    # Six digits whatever the run's length (990100–998999; the demo county is 999001), never under
    # 9900, so the city the cast derives from the code (9901 00 …) is never the province's 99 0000.
    return County.objects.create(name=name, code=code or f"{990100 + next(_numbers) % 8900:06d}", city=city)


def make_province(name: str = "示范省", code: str = "990000") -> Province:
    return Province.objects.create(name=name, code=code)


def make_city(province: Province, name: str = "示范市", code: str | None = None) -> City:
    return City.objects.create(
        province=province, name=name, code=code or f"{province.code[:2]}{next(_numbers) % 100:02d}00"
    )


def make_region_user(username: str, *, province: Province | None = None, city: City | None = None):
    """A province editor (given `province`) or a city editor (given `city`)."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(username, password="pw")
    role = RegionMembership.Role.PROVINCE_EDITOR if province else RegionMembership.Role.CITY_EDITOR
    RegionMembership.objects.create(user=user, role=role, province=province, city=city)
    return user


def make_township(county: County, name: str | None = None, kind=Township.Kind.ZHEN) -> Township:
    n = next(_numbers)
    return Township.objects.create(
        county=county, name=name or f"第{n}镇", code=f"{county.code}{n % 1000:03d}", kind=kind, order=n
    )


def make_office(township: Township, name: str = "党政办公室") -> Office:
    return Office.objects.create(township=township, name=name)


def make_department(county: County, name: str | None = None) -> Department:
    n = next(_numbers)
    return Department.objects.create(county=county, name=name or f"县第{n}局", short_name=f"{n}局")


def make_category(county: County, name: str | None = None, order: int = 0) -> Category:
    return Category.objects.create(county=county, name=name or f"类别{next(_numbers)}", order=order)


def make_duty_list(township: Township) -> DutyList:
    return DutyList.objects.create(township=township, title=f"{township.name}履行职责事项清单", year=2025)


def make_item(duty_list: DutyList, part: str = Part.BASIC, *, category=None, leads=(), **fields) -> DutyItem:
    """A valid item of the given part; departments and category from the list's county."""
    county = duty_list.township.county
    category = category or Category.objects.filter(county=county).first() or make_category(county)
    defaults = {"name": f"事项{next(_numbers)}"}
    if part == Part.BASIC:
        defaults["content"] = "具体工作内容"
    if part == Part.COORDINATED:
        defaults["township_duties"] = "配合开展工作"
        defaults["department_duties"] = "负责组织实施"
        leads = list(leads) or [Department.objects.filter(county=county).first() or make_department(county)]
    if part == Part.RECLAIMED:
        defaults["receiving_department"] = Department.objects.filter(
            county=county
        ).first() or make_department(county)
        defaults["reclaim_reason"] = "由县级部门直接实施"
    item = DutyItem.objects.create(duty_list=duty_list, part=part, category=category, **(defaults | fields))
    if leads:
        item.lead_departments.set(leads)
    return item


@pytest.fixture
def county(db) -> County:
    return make_county()


@pytest.fixture
def township(county) -> Township:
    return make_township(county, "城关镇")


@pytest.fixture
def duty_list(township) -> DutyList:
    return make_duty_list(township)


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root-editor", "root@example.cn", "pw")


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def make_user(username: str, role: str | None = None, *, county=None, township=None, department=None):
    """A user holding one membership (none when `role` is None)."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(
        username, password="pw", is_staff=role == Membership.Role.COUNTY_EDITOR
    )
    if role:
        county = county or (township or department).county
        Membership.objects.create(
            user=user, role=role, county=county, township=township, department=department
        )
    return user


@pytest.fixture
def cast(duty_list):
    """One user per role in the list's county, plus the same roles elsewhere.

    `own` organisations are the list's township and a department of its county;
    `other` ones are a second township of the same county and another county. Above the county,
    the province and city editors of the county's city, and of another city and another province.
    """
    Role = Membership.Role
    township = duty_list.township
    county = township.county
    neighbour = make_township(county, "青山镇")
    department = make_department(county, "县农业农村局")
    elsewhere = make_county("别县", "889008")  # outside make_county's own codes (990101 …)
    province = make_province("示范省", f"{county.code[:2]}0000")
    county.city = make_city(province, "示范市", f"{county.code[:4]}00")
    county.save(update_fields=["city"])
    other_province = make_province("别省", "880000")
    elsewhere.city = make_city(other_province, "别市", "889000")
    elsewhere.save(update_fields=["city"])
    next_city = make_city(province, "邻市", f"{county.code[:2]}{(int(county.code[2:4]) + 1) % 100:02d}00")
    return {
        "province_editor": make_region_user("province-editor", province=province),
        "city_editor": make_region_user("city-editor", city=county.city),
        "other_province_editor": make_region_user("province-editor-elsewhere", province=other_province),
        "other_city_editor": make_region_user("city-editor-next-door", city=next_city),
        "county_editor": make_user("editor", Role.COUNTY_EDITOR, county=county),
        "other_county_editor": make_user("editor-elsewhere", Role.COUNTY_EDITOR, county=elsewhere),
        "township_official": make_user("official", Role.TOWNSHIP_OFFICIAL, township=township),
        "other_township_official": make_user(
            "official-next-door", Role.TOWNSHIP_OFFICIAL, township=neighbour
        ),
        "department_reviewer": make_user("reviewer", Role.DEPARTMENT_REVIEWER, department=department),
        "county_leader": make_user("leader", Role.COUNTY_LEADER, county=county),
        "consultee": make_user("consultee", Role.CONSULTEE, county=county),
        "other_county_leader": make_user("leader-elsewhere", Role.COUNTY_LEADER, county=elsewhere),
        "no_role": make_user("nobody"),
    }


def item_form_data(item, **changes) -> dict:
    """What the back-office item form posts for `item`, with `changes` applied."""
    data = {
        "duty_list": item.duty_list_id,
        "part": item.part,
        "category": item.category_id,
        "order": item.order,
        "name": item.name,
        "content": item.content,
        "basis": item.basis,
        "remarks": item.remarks,
        "responsible_office": item.responsible_office_id or "",
        "lead_departments": [d.pk for d in item.lead_departments.all()],
        "department_duties": item.department_duties,
        "township_duties": item.township_duties,
        "support": item.support,
        "receiving_department": item.receiving_department_id or "",
        "reclaim_reason": item.reclaim_reason,
        "origin": item.origin,
        "catalogue_entry": item.catalogue_entry_id or "",
        "expected_version": item.version,
    }
    if item.is_safeguard:
        data["is_safeguard"] = "on"
    return data | changes


# Browser tests: Debian's Chromium driven by Playwright against live_server.

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

needs_chromium = pytest.mark.skipif(
    not shutil.which(CHROMIUM),
    reason=f"Chromium 未安装（{CHROMIUM}）：apt-get install chromium fonts-noto-cjk",
)


# Fixtures whose tests carry a marker whether or not their module says so: `make test-fast`
# leaves them out (`-m "not browser and not slow"`). tests/test_markers.py checks the modules say so too.
MARKED_BY_FIXTURE = {"browser_page": "browser", "production_servers": "slow"}


def pytest_collection_modifyitems(items):
    for item in items:
        for fixture in set(getattr(item, "fixturenames", ())) & MARKED_BY_FIXTURE.keys():
            item.add_marker(MARKED_BY_FIXTURE[fixture])


@pytest.fixture
def browser_page():
    if os.environ.get("CI"):
        import playwright.sync_api as playwright_api  # in CI a missing package fails, it does not skip
    else:
        playwright_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the
    # test makes between browser steps are still plain synchronous ones.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(locale="zh-CN")
        page.set_default_timeout(15_000)
        yield page
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


def log_in(page, live_server, username: str, password: str = "pw") -> None:
    page.goto(f"{live_server.url}{reverse('login')}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("heading", name="我的工作").wait_for()


def open_from_index(page, live_server, township: Township) -> None:
    """A visitor's way to a township's list: from the index down 省 › 市 › 县 to the township."""
    county = township.county
    page.goto(f"{live_server.url}/")
    for name in (county.city.province.name, county.city.name, county.name, township.name):
        page.get_by_role("link", name=name, exact=True).click()
        page.get_by_role("heading", name=name, level=1).wait_for()
