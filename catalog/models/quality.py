"""What a county checks a draft's wording against before 一上: how alike two item names may be before
they are shown as possibly the same item, and the phrases it counts as vague (`catalog.quality`)."""

from django.core.validators import MaxValueValidator, MinLengthValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from .reference import County

# Below this, every other pair of names in a list would be shown; a setting outside is refused.
LOWEST_THRESHOLD = 50


class QualityPolicy(models.Model):
    """A county's settings for the quality check of a draft (one row per county; none: the defaults)."""

    county = models.OneToOneField(
        County, on_delete=models.CASCADE, related_name="quality_policy", verbose_name="县（市、区）"
    )
    similarity_threshold = models.PositiveSmallIntegerField(
        "名称相似度阈值（%）",
        default=70,
        validators=[MinValueValidator(LOWEST_THRESHOLD), MaxValueValidator(100)],
        help_text=(
            "同一清单中两个事项名称的相似度（按相邻两字的字组比较）达到此值时，提示可能重复；"
            f"导入时也按此值提示名称相近的目录事项。{LOWEST_THRESHOLD}–100。"
        ),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "清单质量检查设置"
        verbose_name_plural = "清单质量检查设置"

    def __str__(self) -> str:
        return f"{self.county.name}清单质量检查设置"

    @property
    def threshold(self) -> float:
        return self.similarity_threshold / 100


class VaguePhrase(models.Model):
    """Wording a county counts as vague in an item (等相关工作, 其他事项 …): kept as data by its editors."""

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="vague_phrases", verbose_name="所属县"
    )
    phrase = models.CharField(
        "用语",
        max_length=50,
        # A one-character phrase (等, 其他's 其) would be found in nearly every item.
        validators=[MinLengthValidator(2, "模糊表述用语至少两个字：太短的用语几乎每个事项都有。")],
    )
    note = models.CharField("说明", max_length=200, blank=True, help_text="为什么模糊，建议怎样写得具体。")
    is_illustrative = models.BooleanField(
        "示例数据", default=False, help_text="演示数据附带的示例用语，请按本县实际修改或删除。"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "模糊表述用语"
        verbose_name_plural = "模糊表述用语"
        ordering = ["county__code", "phrase"]
        constraints = [
            models.UniqueConstraint(fields=["county", "phrase"], name="vague_phrase_unique_in_county"),
        ]

    def __str__(self) -> str:
        return self.phrase
