"""What a county decided about its province's reference catalogue besides claiming (a claim is the
county entry's link, `CatalogueEntry.claimed_from`): the entries it does not adopt. Written by
`catalog.claims`."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .items import CatalogueEntry
from .reference import County


class DroppedEntry(models.Model):
    """A province's entry a county decided not to adopt (不采用), and why."""

    MAX_REASON_LENGTH = 500

    entry = models.ForeignKey(
        CatalogueEntry, on_delete=models.CASCADE, related_name="drops", verbose_name="省级目录事项"
    )
    county = models.ForeignKey(
        County, on_delete=models.CASCADE, related_name="dropped_entries", verbose_name="县"
    )
    reason = models.TextField("不采用理由", max_length=500)
    dropped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="决定人",
    )
    dropped_at = models.DateTimeField("决定时间", default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "不采用的省级目录事项"
        verbose_name_plural = "不采用的省级目录事项"
        ordering = ["county__code", "entry_id"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "county"], name="entry_dropped_once_per_county"),
        ]

    def __str__(self) -> str:
        return f"{self.county} 不采用 {self.entry}"
