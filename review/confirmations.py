"""What an irreversible step of the workflow will do, said before it is taken: the confirmation page
reads these sentences (the table marks the steps with `confirm`)."""

from django.db.models import Count

from catalog.models import DutyItem, DutyList, Part

from .models import Comment
from .queries import UNRESOLVED

Stage = DutyList.Stage


def part_counts(duty_list: DutyList) -> str:
    counts = dict(
        DutyItem.objects.active().filter(duty_list=duty_list).values_list("part").annotate(n=Count("pk"))
    )
    total = sum(counts.values())
    parts = "、".join(f"{label} {counts[value]} 项" for value, label in Part.choices if counts.get(value))
    return f"{total} 项事项（{parts}）" if parts else "0 项事项"


def action_summary(duty_list: DutyList, transition, params: dict) -> list[str]:
    """Sentences saying what the step changes and what it locks, for the confirmation page."""
    target = Stage(transition.target).label
    if transition.action == "submit":
        answered = Comment.objects.filter(duty_list=duty_list, state__in=UNRESOLVED, answer__gt="").count()
        lines = [f"清单的 {part_counts(duty_list)}将作为“{target}稿”冻结，部门意见针对这一稿提出。"]
        if answered:
            lines.append(f"已答复的 {answered} 条意见随稿提交，答复在下一轮意见征求中由部门回应。")
        lines.append(
            "提交后乡镇不能修改清单，直到县委编办结束意见征求、将意见反馈乡镇；"
            "在任何部门提出意见或确认反馈完毕之前，可以撤回。"
        )
        return lines
    if transition.action == "start_coordination":
        contested = (
            Comment.objects.filter(duty_list=duty_list, state__in=UNRESOLVED)
            .exclude(position=Comment.Position.AGREE)
            .values_list("signature", flat=True)
        )
        signatures = sorted(set(contested))
        return [
            f"尚未解决的 {len(contested)} 条意见将列为争议事项"
            + (f"（涉及{'、'.join(signatures)}）" if signatures else "")
            + "，提请县领导协调拍板。",
            f"清单进入“{target}”阶段，不能再征求部门意见，乡镇也不能再撤回或修改清单；"
            "县领导的决定写入清单后不能更改。",
        ]
    if transition.action == "approve":
        return [
            f"审定稿包含 {part_counts(duty_list)}，由{params['meeting']}于"
            f"{params['approved_on']:%Y-%m-%d}审定，文号{params['document_number']}。",
            "审定后清单锁定，任何人不能再修改，只能印发公布；公布后通过动态调整发布新版本。",
        ]
    return [f"清单将进入“{target}”阶段。"]
