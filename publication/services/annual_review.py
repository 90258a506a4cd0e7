"""履职体检: the county editor starts one adjustment request from items with no evidence of exercise."""

from django.db import transaction

from catalog import permissions as catalog_permissions
from catalog.actors import checked
from catalog.models import Department, Part, Township
from catalog.refusals import Forbidden, Invalid

from ..annual_review import annual_review
from ..models import Adjustment, AdjustmentItem
from .adjustments import RequestedChange, file_adjustment

ACTIONS = {AdjustmentItem.Action.REMOVE: "删除", AdjustmentItem.Action.MOVE: "由上级部门收回"}


@transaction.atomic
def start_review_adjustment(
    township: Township,
    *,
    by,
    year: int,
    keys: list,
    action: str,
    basis: str,
    reason: str,
    receiving_department: Department | None = None,
) -> Adjustment:
    """One adjustment of the township's list removing, or handing to a department, the chosen items,
    each of which had no evidence of exercise in the year."""
    if not catalog_permissions.can_manage_county(checked(by), township.county_id):
        raise Forbidden("只有县委编办可以根据履职体检申请调整。", code="cannot_review_year")
    if action not in ACTIONS:
        raise Invalid("请选择删除或由上级部门收回。", code="required", field="action")
    if not keys:
        raise Invalid("请至少选择一个事项。", code="required", field="keys")
    candidates = {
        str(row.item.key): row.item for row in annual_review(township.county, year, township.pk).candidates
    }
    wrong = [str(key) for key in keys if str(key) not in candidates]
    if wrong:
        raise Invalid(
            f"所选事项中有 {len(wrong)} 项不是{township.name}{year}年无履职记录的现行事项。",
            code="not_a_candidate",
            field="keys",
        )
    changes = [
        RequestedChange(
            action,
            key=candidates[str(key)].key,
            part=Part.RECLAIMED if action == AdjustmentItem.Action.MOVE else "",
            receiving_department=receiving_department,
            basis=basis,
            reason=reason,
        )
        for key in dict.fromkeys(str(key) for key in keys)
    ]
    summary = f"{year}年度履职体检：{len(changes)} 个事项全年无履职记录，申请{ACTIONS[action]}。"
    return file_adjustment(township, by=by, summary=summary, changes=changes)
