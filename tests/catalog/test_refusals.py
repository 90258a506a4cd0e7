"""Services refuse with a code, a Chinese message and the field concerned; `refusal_of` reads every
refusal into the status a page, a command and the API answer with."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from catalog import services
from catalog.models import DutyItem
from catalog.refusals import refusal_of
from review import workflow
from tests.conftest import make_item

pytestmark = pytest.mark.django_db


def refused(call) -> tuple:
    with pytest.raises(Exception) as caught:
        call()
    refusal = refusal_of(caught.value)
    assert refusal.message and any("\u4e00" <= c <= "\u9fff" for c in refusal.message)
    return refusal.status, refusal.code, refusal.field


def test_each_service_refusal_carries_its_status_code_and_field(cast, duty_list):
    official, editor = cast["township_official"], cast["county_editor"]
    item = make_item(duty_list, name="原名称")
    decided = make_item(duty_list, name="已拍板")
    DutyItem.objects.filter(pk=decided.pk).update(is_decided=True)
    decided.refresh_from_db()
    deleted = services.delete_item(make_item(duty_list), by=editor)

    cases = {
        "decided": (lambda: services.save_item(decided, by=editor), (403, "decided_item", "")),
        "other township": (
            lambda: services.save_item(item, by=cast["other_township_official"]),
            (403, "cannot_edit_list", ""),
        ),
        "stale": (
            lambda: services.save_item(item, by=editor, expected_version=0),
            (409, "stale_version", ""),
        ),
        "deleted": (lambda: services.restore_item(item, by=editor), (409, "not_deleted", "")),
        "edit deleted": (
            lambda: services.move_item_in_category(deleted, step=1, by=editor),
            (409, "deleted_item", ""),
        ),
        "no reason": (
            lambda: services.revert_item(item, item.history.first(), by=editor, reason=" "),
            (400, "required", "reason"),
        ),
        "not allowed": (
            lambda: workflow.perform(duty_list, "start_coordination", by=official),
            (409, "wrong_stage", ""),
        ),
        "unknown": (
            lambda: workflow.perform(duty_list, "nonsense", by=editor),
            (409, "unknown_action", ""),
        ),
        "who": (
            lambda: workflow.perform(duty_list, "submit", by=cast["department_reviewer"]),
            (403, "not_allowed", ""),
        ),
    }
    assert {name: refused(call) for name, (call, _) in cases.items()} == {
        name: expected for name, (_, expected) in cases.items()
    }
    item.refresh_from_db()
    assert (item.name, item.version) == ("原名称", 1)


def test_a_step_whose_preconditions_are_missing_is_refused_with_412(cast, county):
    from tests.conftest import make_duty_list, make_township

    empty = make_duty_list(make_township(county, "河东乡"))
    assert refused(lambda: workflow.perform(empty, "submit", by=cast["county_editor"]))[:2] == (
        412,
        "precondition_failed",
    )


def test_uncoded_refusals_read_as_their_plain_status():
    assert refusal_of(ValidationError({"name": ["请填写事项名称。"]})).__dict__ == {
        "status": 400,
        "code": "invalid",
        "message": "请填写事项名称。",
        "field": "name",
    }
    assert (refusal_of(PermissionDenied("您无权查看。")).status, refusal_of(Http404("不存在。")).status) == (
        403,
        404,
    )
    with pytest.raises(TypeError):
        refusal_of(RuntimeError("bug"))


def test_a_form_shows_each_message_under_its_own_name_for_the_field_with_the_refusals_status():
    from django import forms

    from catalog.refusals import Forbidden, Invalid
    from catalog.refused_views import show_on_form

    class MoveForm(forms.Form):
        work = forms.CharField(required=False)
        reason = forms.CharField(required=False)

    both = Invalid.fields(
        {"township_duties": ("required", "请填写乡镇职责。"), "reason": ("required", "请填写理由。")}
    )
    assert refusal_of(both).__dict__ == {
        "status": 400,
        "code": "required",
        "message": "请填写乡镇职责。；请填写理由。",
        "field": "township_duties",
    }
    form = MoveForm({})
    form.is_valid()
    assert show_on_form(form, both, fields={"township_duties": "work"}) == 400
    assert form.errors == {"work": ["请填写乡镇职责。"], "reason": ["请填写理由。"]}
    form = MoveForm({})
    form.is_valid()
    assert show_on_form(form, Forbidden("您无权修改。", code="cannot_edit_list")) == 403
    assert form.non_field_errors() == ["您无权修改。"]


def test_a_command_turns_any_refusal_into_its_chinese_message():
    from django.core.management.base import CommandError

    from catalog.imports.matching import StalePlanError
    from catalog.refusals import refusals_as_command_errors

    with pytest.raises(CommandError, match="^预览之后清单已被修改，请重新预览后再导入。$"):
        with refusals_as_command_errors():
            raise StalePlanError()
