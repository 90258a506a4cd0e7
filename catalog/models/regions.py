"""The levels above the county: provinces and cities, and the editors who supervise from there.

A province (省) holds cities (市, 地区, 自治州); a city holds counties. Every level is named by its
administrative division code (区划代码, GB/T 2260): 33 0000 for a province, 33 01 00 for a city,
33 01 02 for a county. Counties directly under a province sit under the province's own city-level
entry, as GB/T 2260 lists them (42 90 00 省直辖县级行政区划), so every county has exactly one city.

Editors at province and city level (省级、市级编办) read every county below them and change none of
them: their rows are here, apart from the county `Membership`, so no county rule can grant them a
write by accident. What they may read is decided in `catalog.permissions`.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from simple_history.models import HistoricalRecords

province_code_validator = RegexValidator(r"^\d{2}0000$", "省级行政区划代码应为 6 位数字，以 0000 结尾。")
city_code_validator = RegexValidator(r"^\d{4}00$", "市级行政区划代码应为 6 位数字，以 00 结尾。")


class Province(models.Model):
    name = models.CharField("名称", max_length=50)
    code = models.CharField("行政区划代码", max_length=6, unique=True, validators=[province_code_validator])

    history = HistoricalRecords()

    class Meta:
        verbose_name = "省（自治区、直辖市）"
        verbose_name_plural = "省（自治区、直辖市）"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class City(models.Model):
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="cities", verbose_name="所属省"
    )
    name = models.CharField("名称", max_length=50)
    code = models.CharField("行政区划代码", max_length=6, unique=True, validators=[city_code_validator])

    history = HistoricalRecords()

    class Meta:
        verbose_name = "市（地区、州、盟）"
        verbose_name_plural = "市（地区、州、盟）"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.province_id and self.code and self.code[:2] != self.province.code[:2]:
            raise ValidationError(
                {"code": f"区划代码 {self.code} 不在{self.province.name}（{self.province.code}）之下。"}
            )


class RegionMembership(models.Model):
    """A user's supervising role at province or city level: reads every county below, edits none."""

    class Role(models.TextChoices):
        PROVINCE_EDITOR = "province_editor", "省级编办工作人员"
        CITY_EDITOR = "city_editor", "市级编办工作人员"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="region_memberships",
        verbose_name="用户",
    )
    role = models.CharField("角色", max_length=30, choices=Role.choices)
    province = models.ForeignKey(
        Province,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name="省",
        help_text="省级编办工作人员必填。",
    )
    city = models.ForeignKey(
        City,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name="市",
        help_text="市级编办工作人员必填。",
    )
    title = models.CharField("职务", max_length=50, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "省市角色授权"
        verbose_name_plural = "省市角色授权"
        ordering = ["role", "user__username"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(role="province_editor", province__isnull=False, city__isnull=True)
                    | models.Q(role="city_editor", city__isnull=False, province__isnull=True)
                ),
                name="region_membership_names_its_level",
                violation_error_message="省级编办工作人员须指定省，市级编办工作人员须指定市，只填一项。",
            ),
            models.UniqueConstraint(
                fields=["user", "province"],
                condition=models.Q(province__isnull=False),
                name="region_membership_unique_province",
            ),
            models.UniqueConstraint(
                fields=["user", "city"],
                condition=models.Q(city__isnull=False),
                name="region_membership_unique_city",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.province or self.city} · {self.get_role_display()}"

    def clean(self) -> None:
        errors = {}
        if self.role == self.Role.PROVINCE_EDITOR:
            if not self.province_id:
                errors["province"] = "省级编办工作人员必须指定所在省。"
            if self.city_id:
                errors["city"] = "省级编办工作人员不指定市。"
        if self.role == self.Role.CITY_EDITOR:
            if not self.city_id:
                errors["city"] = "市级编办工作人员必须指定所在市。"
            if self.province_id:
                errors["province"] = "市级编办工作人员不指定省。"
        if errors:
            raise ValidationError(errors)
