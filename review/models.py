"""三上三下: how a county runs the review, the stage log, and the submissions frozen at each 上.

Only `review/workflow.py` moves a list from one stage to the next; every move
writes a `StageChange`. A `Submission` keeps the list exactly as the township
submitted it, as rows of its own, whatever the township edits afterwards.
"""

from django.conf import settings
from django.db import models

from catalog.models import County, DutyItem, DutyList, Part


class ReviewPolicy(models.Model):
    """A county's choices about the optional steps after the coordination meeting."""

    county = models.OneToOneField(
        County, on_delete=models.CASCADE, related_name="review_policy", verbose_name="县（市、区）"
    )
    has_consultation = models.BooleanField(
        "征求意见", default=True, help_text="党代表、人大代表、政协委员等提出意见。"
    )
    has_deliberation = models.BooleanField("研究论证", default=True, help_text="专家论证和合法性审查。")
    has_congress_review = models.BooleanField(
        "人大常委会审议", default=False, help_text="审定前由人大常委会审议涉及政府履职的事项。"
    )

    class Meta:
        verbose_name = "审核流程设置"
        verbose_name_plural = "审核流程设置"

    def __str__(self) -> str:
        return f"{self.county.name}审核流程设置"


class StageChange(models.Model):
    """One move of a list from a stage to the next: who, when, why."""

    duty_list = models.ForeignKey(
        DutyList, on_delete=models.CASCADE, related_name="stage_changes", verbose_name="清单"
    )
    action = models.CharField("操作", max_length=40)
    from_stage = models.CharField("原阶段", max_length=30, choices=DutyList.Stage.choices)
    to_stage = models.CharField("新阶段", max_length=30, choices=DutyList.Stage.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="操作人"
    )
    changed_at = models.DateTimeField("时间", auto_now_add=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "阶段变更记录"
        verbose_name_plural = "阶段变更记录"
        ordering = ["duty_list", "changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.duty_list}：{self.get_from_stage_display()} → {self.get_to_stage_display()}"


class Submission(models.Model):
    """The list as the township submitted it in one round (一上, 二上, 三上); never changed."""

    duty_list = models.ForeignKey(
        DutyList, on_delete=models.PROTECT, related_name="submissions", verbose_name="清单"
    )
    round = models.PositiveSmallIntegerField("轮次")
    list_version = models.PositiveIntegerField("提交时的清单版本号")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="提交人"
    )
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)
    note = models.TextField("提交说明", blank=True)

    class Meta:
        verbose_name = "提交版本"
        verbose_name_plural = "提交版本"
        ordering = ["duty_list", "round"]
        constraints = [
            models.UniqueConstraint(fields=["duty_list", "round"], name="one_submission_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.duty_list}（第 {self.round} 次提交）"


class SubmittedItem(models.Model):
    """One item of a submission, copied with the names it had then (departments may be renamed later)."""

    submission = models.ForeignKey(
        Submission, on_delete=models.PROTECT, related_name="items", verbose_name="提交版本"
    )
    key = models.UUIDField("事项标识")
    part = models.CharField("清单类型", max_length=20, choices=Part.choices)
    category = models.CharField("类别", max_length=50)
    category_order = models.PositiveIntegerField("类别排序")
    order = models.PositiveIntegerField("序号")
    name = models.CharField("事项名称", max_length=200)
    content = models.TextField("具体内容", blank=True)
    basis = models.TextField("依据", blank=True)
    remarks = models.TextField("备注", blank=True)
    office = models.CharField("责任科室", max_length=50, blank=True)
    lead_department_ids = models.JSONField("县级主责部门（编号）", default=list)
    lead_departments = models.CharField("县级主责部门", max_length=500, blank=True)
    department_duties = models.TextField("县级部门职责", blank=True)
    township_duties = models.TextField("乡镇（街道）配合职责", blank=True)
    support = models.TextField("履职保障", blank=True)
    receiving_department_id = models.PositiveBigIntegerField("收回（承接）部门（编号）", null=True)
    receiving_department = models.CharField("收回（承接）部门", max_length=50, blank=True)
    reclaim_reason = models.TextField("收回理由及工作方式", blank=True)
    is_safeguard = models.BooleanField("兜底事项", default=False)

    class Meta:
        verbose_name = "提交版本事项"
        verbose_name_plural = "提交版本事项"
        ordering = ["submission", "part", "category_order", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "key"], name="submitted_item_key_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("提交版本不能修改。")
        super().save(*args, **kwargs)

    @classmethod
    def copy_of(cls, submission: Submission, item: DutyItem) -> "SubmittedItem":
        leads = list(item.lead_departments.all())
        return cls(
            submission=submission,
            key=item.key,
            part=item.part,
            category=item.category.name,
            category_order=item.category.order,
            order=item.order,
            name=item.name,
            content=item.content,
            basis=item.basis,
            remarks=item.remarks,
            office=item.responsible_office.name if item.responsible_office else "",
            lead_department_ids=[d.pk for d in leads],
            lead_departments="、".join(d.name for d in leads),
            department_duties=item.department_duties,
            township_duties=item.township_duties,
            support=item.support,
            receiving_department_id=item.receiving_department_id,
            receiving_department=item.receiving_department.name if item.receiving_department else "",
            reclaim_reason=item.reclaim_reason,
            is_safeguard=item.is_safeguard,
        )
