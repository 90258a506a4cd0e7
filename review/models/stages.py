"""A county's review settings, each move of a list between stages, the submissions that freeze it,
and the approval."""

from django.conf import settings
from django.db import models

from catalog.models import (
    FROZEN_ORDER,
    County,
    DutyItem,
    DutyList,
    FrozenItem,
)


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

    class MissingMandatory(models.TextChoices):
        WARN = "warn", "提示，仍可提交"
        BLOCK = "block", "不能提交（一上）"

    missing_mandatory = models.CharField(
        "缺少必列事项时",
        max_length=10,
        choices=MissingMandatory.choices,
        default=MissingMandatory.WARN,
        help_text="乡镇（街道）清单缺少参考目录中“必须列入”的事项时，一上是只提示还是不能提交。",
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
    label = models.CharField("操作名称", max_length=60, blank=True)
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
    # The stage the list entered with this submission: 一上, 二上, 三上, or the
    # closing steps' texts (征求意见稿, 研究论证稿, …, 审定稿).
    stage = models.CharField("提交阶段", max_length=30, choices=DutyList.Stage.choices)
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
        return f"{self.duty_list}（{self.label}）"

    @property
    def label(self) -> str:
        return f"{self.get_stage_display()}稿"


class SubmittedItem(FrozenItem):
    """One item of a submission, copied with the names it had then (departments may be renamed later)."""

    submission = models.ForeignKey(
        Submission, on_delete=models.PROTECT, related_name="items", verbose_name="提交版本"
    )

    class Meta:
        verbose_name = "提交版本事项"
        verbose_name_plural = "提交版本事项"
        ordering = ["submission", *FROZEN_ORDER]
        constraints = [
            models.UniqueConstraint(fields=["submission", "key"], name="submitted_item_key_unique"),
        ]

    @classmethod
    def copy_of(cls, submission: Submission | None, item: DutyItem) -> "SubmittedItem":
        return cls(submission=submission, **cls.values_of(item))


class Approval(models.Model):
    """审定: the meeting that approved the list, with its date and 文号; never changed."""

    duty_list = models.OneToOneField(
        DutyList, on_delete=models.PROTECT, related_name="approval", verbose_name="清单"
    )
    submission = models.OneToOneField(
        Submission, on_delete=models.PROTECT, related_name="approval", verbose_name="审定稿"
    )
    meeting = models.CharField("会议", max_length=200)
    approved_on = models.DateField("审定日期")
    document_number = models.CharField("文号", max_length=100)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="记录人"
    )
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "审定记录"
        verbose_name_plural = "审定记录"

    def __str__(self) -> str:
        return f"{self.duty_list}：{self.meeting}（{self.document_number}）"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("审定记录不能修改。")
        super().save(*args, **kwargs)
