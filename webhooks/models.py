"""Webhooks: the addresses a county registers for events, and the log of every delivery to them.

An endpoint keeps its secret in the clear: it signs every delivery with it (HMAC-SHA256), so it must
be readable, unlike an API token, which is only compared. See docs/decisions/0026-webhooks-county-snapshots-schemathesis.md."""

import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from catalog.models import County


class Event(models.TextChoices):
    EDITION_PUBLISHED = "edition.published", "公布新版本"
    ADJUSTMENT_APPROVED = "adjustment.approved", "批准动态调整"


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class Endpoint(models.Model):
    """An address of a county's system (a hotline platform, a provincial platform) that is sent the
    events it subscribes to."""

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="webhook_endpoints", verbose_name="县（市、区）"
    )
    url = models.URLField("接收地址", max_length=500)
    events = models.JSONField("订阅的事件", default=list, help_text="事件名称的列表，见 Event")
    description = models.CharField("说明", max_length=200, blank=True)
    is_active = models.BooleanField("启用", default=True)
    secret = models.CharField("签名密钥", max_length=100, default=new_secret, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    # The secret never goes into history rows: they are shown in the back office.
    history = HistoricalRecords(excluded_fields=["secret"])

    class Meta:
        verbose_name = verbose_name_plural = "事件推送地址"
        ordering = ["county", "pk"]

    def __str__(self) -> str:
        return self.url

    def event_labels(self) -> str:
        return "、".join(Event(name).label for name in self.events if name in Event.values)

    def secret_hint(self) -> str:
        return f"…{self.secret[-4:]}"


class Delivery(models.Model):
    """One event sent (or to be sent) to one endpoint: the exact body signed, and every attempt's
    outcome. Redelivering writes a new row with the same event id and body."""

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        RETRYING = "retrying", "等待重试"
        DELIVERED = "delivered", "已送达"
        FAILED = "failed", "已放弃"

    endpoint = models.ForeignKey(
        Endpoint, on_delete=models.CASCADE, related_name="deliveries", verbose_name="推送地址"
    )
    event = models.CharField("事件", max_length=40, choices=Event.choices)
    # The event's own id, the same in every delivery of it (redeliveries too): receivers deduplicate on it.
    event_id = models.UUIDField("事件标识", default=uuid.uuid4)
    body = models.TextField("推送内容")
    payload_digest = models.CharField("内容摘要（SHA-256）", max_length=64)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("已尝试次数", default=0)
    status_code = models.PositiveSmallIntegerField("最后响应状态码", null=True, blank=True)
    response_excerpt = models.CharField("最后响应摘录或错误", max_length=500, blank=True)
    created_at = models.DateTimeField("产生时间", default=timezone.now)
    last_attempt_at = models.DateTimeField("最后尝试时间", null=True, blank=True)
    # When the next attempt is due: at once for a new delivery, later after a failure, a lease while
    # an attempt runs; empty when nothing more will be tried.
    next_retry_at = models.DateTimeField("下次尝试时间", null=True, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    redelivery_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="重新发送自",
    )

    class Meta:
        verbose_name = verbose_name_plural = "事件推送记录"
        ordering = ["-pk"]
        indexes = [models.Index(fields=["status", "next_retry_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.get_event_display()} → {self.endpoint_id}"

    @staticmethod
    def digest_of(body: str) -> str:
        return hashlib.sha256(body.encode()).hexdigest()
