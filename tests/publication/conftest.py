"""Factories of published editions."""

from datetime import date

import pytest

from catalog.models import DutyList, Part
from review import workflow
from review.models import Approval
from tests.conftest import make_department, make_item


def approve(duty_list: DutyList, editor) -> None:
    """Test setup: the list approved as it stands (its review is tested in tests/review)."""
    DutyList.objects.filter(pk=duty_list.pk).update(stage=DutyList.Stage.APPROVED)
    duty_list.refresh_from_db()
    submission = workflow.freeze(duty_list, DutyList.Stage.APPROVED, by=editor, note="")
    Approval.objects.create(
        duty_list=duty_list,
        submission=submission,
        meeting="县委常委会会议",
        approved_on=date(2025, 6, 20),
        document_number="示委发〔2025〕12号",
        recorded_by=editor,
    )


def approve_and_publish(
    duty_list: DutyList, editor, *, effective_on=date(2025, 7, 1), number="示办发〔2025〕21号"
):
    """The list approved, then published through the workflow; returns its edition."""
    approve(duty_list, editor)
    from publication import services

    return services.publish_list(duty_list, by=editor, effective_on=effective_on, document_number=number)


def make_feedback(edition, address: str = "198.51.100.7"):
    from publication import services

    item = edition.items.first()
    return services.report_item(
        edition.township, item.key, kind="wrong", text="电话号码写错了", contact="", address=address
    )


def make_adjustment(edition, user):
    from publication import services

    item = edition.items.first()
    change = services.RequestedChange("remove", key=item.key, basis="县政府决定", reason="部门承接")
    return services.file_adjustment(edition.township, by=user, summary="调整", changes=[change])


def make_admission(county, user, category, township):
    """A policy and one request of the county (for pages that need a row of each)."""
    from publication import services
    from publication.models import AdmissionPolicy

    AdmissionPolicy.objects.create(county=county)
    task = services.Task(
        name="新任务",
        content="内容",
        basis="依据",
        part=Part.BASIC,
        category=category,
        townships=[township],
        reason="理由",
    )
    return services.file_admission(county, by=user, department=make_department(county), task=task)


@pytest.fixture
def department(duty_list):
    return make_department(duty_list.township.county, "县民政局")


@pytest.fixture
def edition(cast, duty_list, department):
    """Three basic items published (modules that need other items define their own `edition`)."""
    make_item(duty_list, name="最低生活保障申请受理", content="受理申请", basis="《社会救助暂行办法》")
    make_item(duty_list, name="殡葬管理", content="劝导文明治丧")
    make_item(duty_list, name="宅基地审批", content="审批宅基地")
    return approve_and_publish(duty_list, cast["county_editor"])


from .admission_fixtures import world  # noqa: E402, F401 (a fixture of the 职责准入 tests)
