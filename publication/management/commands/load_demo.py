"""Load the demo county (示范县) and its accounts, review two townships' lists and publish them;
safe to run again. It lives in the publication app because the demo spans every app.

The fixtures in `fixtures/` are loaded only into a database that does not yet
hold the demo county, so a second run keeps what was edited since. The demo
accounts are (re)created with the passwords printed at the end.
"""

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Max

from catalog import services
from catalog.actors import SYSTEM
from catalog.models import (
    Catalogue,
    CatalogueEntry,
    Category,
    County,
    Department,
    DutyItem,
    DutyList,
    Membership,
    Office,
    Township,
)
from publication.demo import publish_demo_lists

DEMO_COUNTY_CODE = "999001"
DEMO_FIXTURES = [
    "demo_county.json",
    "demo_catalogues.json",
    "demo_lists.json",
    "demo_review.json",
    "demo_admission.json",
]
Role = Membership.Role
# (username, password, name, role or None for the superuser, organisation name)
DEMO_ACCOUNTS = [
    ("admin", "shifan-admin-2025", "系统管理员", None, ""),
    ("bianban", "shifan-bianban-2025", "王编办", Role.COUNTY_EDITOR, "示范县"),
    ("chengguan", "shifan-chengguan-2025", "李镇干", Role.TOWNSHIP_OFFICIAL, "城关镇"),
    ("qingshan", "shifan-qingshan-2025", "赵镇干", Role.TOWNSHIP_OFFICIAL, "青山镇"),
    ("nongye", "shifan-nongye-2025", "陈农业", Role.DEPARTMENT_REVIEWER, "县农业农村局"),
    ("yingji", "shifan-yingji-2025", "周应急", Role.DEPARTMENT_REVIEWER, "县应急管理局"),
    ("lingdao", "shifan-lingdao-2025", "刘书记", Role.COUNTY_LEADER, "示范县"),
    ("zhuanjia", "shifan-zhuanjia-2025", "孙专家", Role.CONSULTEE, "示范县"),
]
# How consultees sign their comments.
DEMO_TITLES = {"zhuanjia": "县政府法律顾问"}
HISTORY_REASON = "载入演示数据"


class Command(BaseCommand):
    help = "载入示范县演示数据并创建演示账号（可重复运行）。"

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="打印的访问地址")

    def handle(self, *args, url, **options):
        if County.objects.filter(code=DEMO_COUNTY_CODE).exists():
            self.stdout.write("示范县演示数据已存在，保留现有数据。")
        else:
            with transaction.atomic():
                load_fixtures()
                record_initial_history()
                create_demo_accounts()
                # Two townships reviewed and published, so the public site has content.
                publish_demo_lists()
            self.stdout.write(self.style.SUCCESS("已载入示范县演示数据。"))
        create_demo_accounts()
        self.stdout.write(f"\n后台地址：{url.rstrip('/')}/admin/\n演示账号：")
        for username, password, name, role, organisation in DEMO_ACCOUNTS:
            label = f"{Role(role).label}（{organisation}）" if role else "超级管理员（后台全部权限）"
            self.stdout.write(f"  用户名 {username:<10} 密码 {password:<22} {name}，{label}")


TRACKED = [County, Township, Office, Department, Category, Catalogue, CatalogueEntry, DutyList, DutyItem]


def load_fixtures() -> None:
    """Load the demo fixtures, dropping the history records loading leaves behind.

    loaddata skips history for rows but not for many-to-many values, which
    would leave half-recorded versions; `record_initial_history` writes whole ones.
    """
    marks = {model: model.history.aggregate(mark=Max("history_id"))["mark"] or 0 for model in TRACKED}
    call_command("loaddata", *DEMO_FIXTURES, verbosity=0)
    for model, mark in marks.items():
        model.history.filter(history_id__gt=mark).delete()


def record_initial_history() -> None:
    """Give every row without history its first historical record."""
    for model in TRACKED:
        unrecorded = model.objects.exclude(pk__in=model.history.values("id"))
        services.record_history(list(unrecorded), created=True, reason=HISTORY_REASON, by=SYSTEM)


def create_demo_accounts() -> None:
    """Create or reset the demo accounts and their memberships in the demo county."""
    User = get_user_model()
    county = County.objects.get(code=DEMO_COUNTY_CODE)
    for username, password, name, role, organisation in DEMO_ACCOUNTS:
        user, _ = User.objects.get_or_create(username=username)
        user.first_name = name
        user.is_superuser = role is None
        user.is_staff = role in {None, Role.COUNTY_EDITOR}
        user.set_password(password)
        user.save()
        if role is None:
            continue
        township = county.townships.get(name=organisation) if role == Role.TOWNSHIP_OFFICIAL else None
        department = county.departments.get(name=organisation) if role == Role.DEPARTMENT_REVIEWER else None
        Membership.objects.get_or_create(
            user=user,
            role=role,
            county=county,
            township=township,
            department=department,
            defaults={"title": DEMO_TITLES.get(username, "")},
        )
