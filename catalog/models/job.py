"""A file built in the background, its progress and where the result is."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .reference import County


class Job(models.Model):
    """A file built in the background (a county-wide export), its progress and where the result is.

    Each app starts and builds its own kinds (catalog: the drafts' zip; publication: the
    public county downloads) through `catalog.jobs`; this row only records the state.
    """

    class Kind(models.TextChoices):
        COUNTY_DRAFTS = "county_drafts", "全县清单草稿（Excel 压缩包）"
        COUNTY_DOWNLOAD = "county_download", "全县现行清单下载"

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "正在生成"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    kind = models.CharField("类型", max_length=30, choices=Kind.choices)
    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="jobs", verbose_name="县")
    parameters = models.JSONField("参数", default=dict, blank=True)
    # Jobs with the same key make the same file and are shared (public downloads per edition set);
    # blank for a job made for one requester.
    key = models.CharField("共享标识", max_length=100, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="发起人",
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    done = models.PositiveIntegerField("已完成", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    file_path = models.CharField("文件位置", max_length=300, blank=True)
    file_name = models.CharField("文件名", max_length=200, blank=True)
    error = models.CharField("错误信息", max_length=300, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=~models.Q(key="") & ~models.Q(status="failed"),
                name="one_live_job_per_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.county} {self.get_status_display()}"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return round(100 * self.done / self.total) if self.total else 0
