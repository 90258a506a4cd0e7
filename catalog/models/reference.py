"""Reference data of a county: the county, its townships and their offices, its departments,
categories, and the names its files use for them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

county_code_validator = RegexValidator(r"^\d{6}$", "县级行政区划代码应为 6 位数字。")
township_code_validator = RegexValidator(r"^\d{9}$", "乡镇（街道）代码应为 9 位数字。")


class County(models.Model):
    name = models.CharField("名称", max_length=50)
    code = models.CharField("行政区划代码", max_length=6, unique=True, validators=[county_code_validator])
    # Null only for a county not yet placed in the levels above (`catalog.models.regions`).
    city = models.ForeignKey(
        "catalog.City",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="counties",
        verbose_name="所属市",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "县（市、区）"
        verbose_name_plural = "县（市、区）"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.city_id and self.code and self.code[:4] != self.city.code[:4]:
            raise ValidationError(
                {"code": f"区划代码 {self.code} 不在{self.city.name}（{self.city.code}）之下。"}
            )


class Township(models.Model):
    class Kind(models.TextChoices):
        XIANG = "xiang", "乡"
        ZHEN = "zhen", "镇"
        JIEDAO = "jiedao", "街道"

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="townships", verbose_name="所属县"
    )
    name = models.CharField("名称", max_length=50)
    code = models.CharField("代码", max_length=9, unique=True, validators=[township_code_validator])
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    order = models.PositiveIntegerField("排序", default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "乡镇（街道）"
        verbose_name_plural = "乡镇（街道）"
        ordering = ["county__code", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="township_name_unique_in_county"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # A township's code is its county's and three digits (GB/T 2260); the public search places
        # items in their province, city and county by these digits (publication.services.search).
        if self.county_id and self.code and self.code[:6] != self.county.code:
            raise ValidationError(
                {
                    "code": f"乡镇（街道）代码 {self.code} 应以{self.county.name}的区划代码 {self.county.code} 开头。"
                }
            )


class Office(models.Model):
    """A township's internal office or centre (几办几中心)."""

    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="offices", verbose_name="所属乡镇（街道）"
    )
    name = models.CharField("名称", max_length=50)
    order = models.PositiveIntegerField("排序", default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "内设机构"
        verbose_name_plural = "内设机构"
        ordering = ["township__order", "township__code", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["township", "name"], name="office_name_unique_in_township"),
        ]

    def __str__(self) -> str:
        return f"{self.township.name}·{self.name}"


class Department(models.Model):
    """A county department (县直部门): leads coordinated items, takes back reclaimed ones."""

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="departments", verbose_name="所属县"
    )
    name = models.CharField("名称", max_length=50)
    short_name = models.CharField("简称", max_length=20, blank=True)
    order = models.PositiveIntegerField("排序", default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "县直部门"
        verbose_name_plural = "县直部门"
        ordering = ["county__code", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="department_name_unique_in_county"),
        ]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """An item category (职责类别); the taxonomy is per county, one or two levels."""

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="categories", verbose_name="所属县"
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="上级类别",
    )
    name = models.CharField("名称", max_length=50)
    order = models.PositiveIntegerField("排序", default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "职责类别"
        verbose_name_plural = "职责类别"
        ordering = ["county__code", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "parent", "name"], name="category_name_unique_under_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.parent_id is None:
            return
        if self.parent_id == self.pk:
            raise ValidationError({"parent": "类别不能以自身为上级类别。"})
        if self.parent.county_id != self.county_id:
            raise ValidationError({"parent": "上级类别必须属于同一个县。"})
        if self.parent.parent_id is not None:
            raise ValidationError({"parent": "类别最多两级：所选上级类别本身已有上级。"})


class NameAlias(models.Model):
    """A name a county's files use for one of its offices, departments or categories.

    Written when someone maps an unknown name in an import's preview, or when the county editor
    merges a duplicate into the record kept (the duplicate's name, and its id for readers of frozen
    rows that keep ids); the next import of the county resolves the name through it.
    """

    class Kind(models.TextChoices):
        CATEGORY = "category", "类别"
        OFFICE = "office", "责任科室"
        DEPARTMENT = "department", "县直部门"

    county = models.ForeignKey(
        County, on_delete=models.CASCADE, related_name="aliases", verbose_name="所属县"
    )
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    text = models.CharField("文件中的名称", max_length=200)
    # An office's names are its township's: the same text may mean another office elsewhere.
    township = models.ForeignKey(
        Township,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="乡镇（街道）",
    )
    office = models.ForeignKey(
        Office,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="aliases",
        verbose_name="对应科室",
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="aliases",
        verbose_name="对应部门",
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="aliases",
        verbose_name="对应类别",
    )
    merged_id = models.PositiveBigIntegerField("合并前的记录编号", null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="设定人",
    )
    created_at = models.DateTimeField("设定时间", default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "名称对应"
        verbose_name_plural = "名称对应"
        ordering = ["county__code", "kind", "text"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "kind", "text"],
                condition=models.Q(township__isnull=True),
                name="alias_text_unique_in_county",
                violation_error_message="本县已有这个名称的对应关系。",
            ),
            models.UniqueConstraint(
                fields=["township", "kind", "text"],
                condition=models.Q(township__isnull=False),
                name="alias_text_unique_in_township",
                violation_error_message="该乡镇（街道）已有这个名称的对应关系。",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="office", office__isnull=False, township__isnull=False)
                    & models.Q(department__isnull=True, category__isnull=True)
                )
                | (
                    models.Q(kind="department", department__isnull=False, township__isnull=True)
                    & models.Q(office__isnull=True, category__isnull=True)
                )
                | (
                    models.Q(kind="category", category__isnull=False, township__isnull=True)
                    & models.Q(office__isnull=True, department__isnull=True)
                ),
                name="alias_points_at_one_record_of_its_kind",
                violation_error_message="请按类型选择一条对应的记录（科室还须选择乡镇（街道））。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.text} → {self.target.name}"

    @property
    def target(self):
        return getattr(self, self.kind)
