"""A county with two published townships, a 司法局 designated for legality review, and a new task."""

from dataclasses import dataclass

import pytest

from catalog.models import Membership, Part
from publication import services
from publication.models import AdmissionPolicy
from tests.conftest import make_category, make_department, make_duty_list, make_item, make_user
from tests.publication.conftest import approve_and_publish


@dataclass
class World:
    cast: dict
    county: object
    first: object  # 城关镇
    second: object  # 青山镇
    department: object  # 县农业农村局, the applicant
    justice: object  # 县司法局
    justice_reviewer: object
    category: object

    @property
    def editor(self):
        return self.cast["county_editor"]

    @property
    def reviewer(self):
        return self.cast["department_reviewer"]

    def task(self, name: str = "高标准农田建设巡查", **fields) -> services.Task:
        values = {
            "name": name,
            "content": "每季度巡查农田设施并报告损毁情况",
            "basis": "《农田建设项目管理办法》第二十条",
            "part": Part.COORDINATED,
            "category": self.category,
            "funding": "每个乡镇每年 2 万元",
            "staff": "县农业农村局派驻技术员 1 名",
            "equipment": "巡查终端 2 台",
            "townships": [self.first, self.second],
            "reason": "项目验收后需要日常管护",
        }
        return services.Task(**(values | fields))

    def file(self, name: str = "高标准农田建设巡查", *, by=None, **fields):
        return services.file_admission(
            self.county, by=by or self.reviewer, department=self.department, task=self.task(name, **fields)
        )


@pytest.fixture
def world(cast, duty_list) -> World:
    county = duty_list.township.county
    category = make_category(county, "乡村振兴", 3)
    department = cast["department_reviewer"].memberships.get().department
    receiver = make_department(county, "县市场监督管理局")
    make_item(duty_list, name="最低生活保障申请受理", category=category)
    make_item(
        duty_list, Part.RECLAIMED, name="农药经营许可", category=category, receiving_department=receiver
    )
    make_item(duty_list, Part.COORDINATED, name="森林防火", category=category, leads=[department])
    approve_and_publish(duty_list, cast["county_editor"])
    second = cast["other_township_official"].memberships.get().township
    second_list = make_duty_list(second)
    make_item(second_list, name="最低生活保障申请受理", category=category)
    make_item(second_list, name="殡葬管理", category=category)
    approve_and_publish(second_list, cast["county_editor"])
    justice = make_department(county, "县司法局")
    justice_reviewer = make_user("justice", Membership.Role.DEPARTMENT_REVIEWER, department=justice)
    AdmissionPolicy.objects.create(county=county, legality_department=justice)
    return World(cast, county, duty_list.township, second, department, justice, justice_reviewer, category)
