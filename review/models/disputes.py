"""Disputes raised from comments and the county leader's decisions on them."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from catalog.models import (
    Department,
    DutyList,
    Part,
)

from .comments import Comment


class Dispute(models.Model):
    """An item on which the township and a department still disagree, with both final positions."""

    duty_list = models.ForeignKey(
        DutyList, on_delete=models.PROTECT, related_name="disputes", verbose_name="清单"
    )
    comment = models.OneToOneField(
        Comment, on_delete=models.PROTECT, related_name="dispute", verbose_name="意见"
    )
    item_key = models.UUIDField("事项标识", null=True, blank=True)
    item_name = models.CharField("事项名称", max_length=200)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disputes",
        verbose_name="部门",
    )
    signature = models.CharField("部门（署名）", max_length=100)
    department_position = models.TextField("部门意见")
    township_position = models.TextField("乡镇（街道）意见")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="提请人",
    )
    raised_at = models.DateTimeField("列为争议时间", default=timezone.now)
    # Raised by the county editor before the last round, rather than left over from it.
    is_escalated = models.BooleanField("提前提请协调", default=False)

    class Meta:
        verbose_name = "争议事项"
        verbose_name_plural = "争议事项"
        ordering = ["duty_list", "raised_at", "pk"]

    def __str__(self) -> str:
        return f"{self.duty_list}：{self.item_name}（{self.signature}）"


class Decision(models.Model):
    """The county leader's binding decision on a dispute (协调拍板); never changed."""

    dispute = models.OneToOneField(
        Dispute, on_delete=models.PROTECT, related_name="decision", verbose_name="争议事项"
    )
    part = models.CharField("确定的清单类型", max_length=20, choices=Part.choices, blank=True)
    lead_departments = models.ManyToManyField(
        Department, blank=True, related_name="+", verbose_name="确定的主责部门"
    )
    receiving_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="确定的收回（承接）部门",
    )
    name = models.CharField("确定的事项名称", max_length=200, blank=True)
    content = models.TextField("确定的内容表述", blank=True)
    outcome = models.TextField("决定内容")
    meeting = models.CharField("会议", max_length=200)
    decided_on = models.DateField("决定日期")
    document_number = models.CharField("文号", max_length=100, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="决定人"
    )
    decided_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "协调拍板决定"
        verbose_name_plural = "协调拍板决定"
        ordering = ["decided_at", "pk"]

    def __str__(self) -> str:
        return f"{self.dispute}：{self.outcome[:30]}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("协调拍板决定不能修改。")
        super().save(*args, **kwargs)
