"""What tells people what needs them: in-app notifications and the daily e-mail digest."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Notification(models.Model):
    """Something a user should know about, shown in the app and gathered into one daily digest."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name="用户"
    )
    text = models.CharField("内容", max_length=300)
    url = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    digested_at = models.DateTimeField("已汇总发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

    def __str__(self) -> str:
        return self.text


class Digest(models.Model):
    """The one e-mail a user got on a day: at most one row per user and day."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="用户"
    )
    sent_on = models.DateField("日期")
    sent_at = models.DateTimeField("发送时间", auto_now_add=True)

    class Meta:
        verbose_name = "每日汇总邮件"
        verbose_name_plural = "每日汇总邮件"
        constraints = [
            models.UniqueConstraint(fields=["user", "sent_on"], name="one_digest_per_user_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.sent_on}"
