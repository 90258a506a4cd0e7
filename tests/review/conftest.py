"""Factories of the review: windows, submissions and comments in the state a test needs."""

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.actors import SYSTEM
from catalog.models import Catalogue, CatalogueEntry, DutyItem, DutyList, Part
from review import template_rounds, workflow
from review.models import (
    Approval,
    Comment,
    CommentWindow,
    DeadlineExtension,
    Decision,
    Invitation,
    Reply,
    ReplyTemplate,
)
from tests.conftest import make_category, make_department


@pytest.fixture
def department(cast):
    """The department the cast's reviewer reviews for (县农业农村局)."""
    return cast["department_reviewer"].memberships.get().department


def make_window(duty_list: DutyList, *departments, deadline=None, kind=CommentWindow.Kind.DEPARTMENTS):
    """An open window on the list's latest submission (frozen now if there is none)."""
    submission = workflow.latest_submission(duty_list) or workflow.freeze(
        duty_list, duty_list.stage, by=SYSTEM, note=""
    )
    window = CommentWindow.objects.create(
        duty_list=duty_list,
        submission=submission,
        kind=kind,
        deadline=deadline if deadline is not None else timezone.localdate() + timedelta(days=7),
    )
    Invitation.objects.bulk_create(Invitation(window=window, department=d) for d in departments)
    return window


def make_comment(window: CommentWindow, item=None, *, department=None, author, **fields) -> Comment:
    """A comment as the service would write it, without the service's checks."""
    department = department or (
        window.invitations.first().department if window.invitations.exists() else None
    )
    fields.setdefault("position", Comment.Position.DISAGREE)
    if fields["position"] == Comment.Position.DISAGREE:
        fields.setdefault("reason", Comment.Reason.NO_LEGAL_BASIS)
    fields.setdefault("state", Comment.State.OPEN)
    return Comment.objects.create(
        duty_list=window.duty_list,
        window=window,
        item_key=item.key if item is not None else None,
        item_name=item.name if item is not None else "",
        department=department,
        signature=department.name if department else "征求意见对象",
        author=author,
        **fields,
    )


def make_review_records(duty_list: DutyList, user) -> None:
    """One row of every kind the review writes, on a submitted list (for back-office pages)."""
    window = make_window(duty_list, make_department(duty_list.township.county))
    comment = make_comment(window, DutyItem.objects.filter(duty_list=duty_list).first(), author=user)
    Reply.objects.create(
        comment=comment, kind=Reply.Kind.ANSWER, answer="rejected", text="与省级目录一致", by=user
    )
    DeadlineExtension.objects.create(window=window, previous_deadline=window.deadline, deadline="2099-01-01")
    dispute = workflow.dispute_for(comment, raised_by=user)
    dispute.save()
    Decision.objects.create(
        dispute=dispute, outcome="维持", meeting="协调会", decided_on="2025-06-01", decided_by=user
    )
    Approval.objects.create(
        duty_list=duty_list,
        submission=window.submission,
        meeting="县委常委会",
        approved_on="2025-06-30",
        document_number="示委发〔2025〕12号",
        recorded_by=user,
    )
    ReplyTemplate.objects.create(county=duty_list.township.county, answer="rejected", text="与省级目录一致")


def make_template(county, name: str = "") -> Catalogue:
    """A county template with two 基本 entries (农村低保审核, 殡葬管理) under 民生服务."""
    catalogue = Catalogue.objects.create(
        county=county, name=name or f"{county.name}标准模板", kind=Catalogue.Kind.TEMPLATE
    )
    category = county.categories.filter(name="民生服务").first() or make_category(county, "民生服务")
    for order, (name, content) in enumerate(
        [("农村低保审核", "受理申请，入户调查"), ("殡葬管理", "宣传殡葬政策")]
    ):
        CatalogueEntry.objects.create(
            catalogue=catalogue,
            name=name,
            part=Part.BASIC,
            category=category,
            content=content,
            order=order + 1,
        )
    return catalogue


def open_template_round(catalogue, editor, *townships):
    """A round on the template asking `townships` (every township of the county when none is named)."""
    townships = townships or list(catalogue.county.townships.all())
    return template_rounds.open_template_round(
        catalogue, by=editor, townships=townships, deadline=timezone.localdate() + timedelta(days=7)
    )
