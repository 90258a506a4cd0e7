"""Who belongs where: a user's role in a county, township or department."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from .reference import County, Department, Township


class Membership(models.Model):
    """A user's role in one organisation: a county, one of its townships or departments.

    Who may do what is decided in `catalog.permissions` from these rows.
    """

    class Role(models.TextChoices):
        COUNTY_EDITOR = "county_editor", "县委编办工作人员"
        TOWNSHIP_OFFICIAL = "township_official", "乡镇（街道）干部"
        DEPARTMENT_REVIEWER = "department_reviewer", "县直部门审核人员"
        COUNTY_LEADER = "county_leader", "县领导"
        CONSULTEE = "consultee", "征求意见对象"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name="用户",
    )
    role = models.CharField("角色", max_length=30, choices=Role.choices)
    county = models.ForeignKey(
        County, on_delete=models.CASCADE, related_name="memberships", verbose_name="所属县"
    )
    township = models.ForeignKey(
        Township,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name="乡镇（街道）",
        help_text="乡镇（街道）干部必填。",
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name="县直部门",
        help_text="县直部门审核人员必填。",
    )
    title = models.CharField("职务", max_length=50, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "角色授权"
        verbose_name_plural = "角色授权"
        ordering = ["county__code", "role", "user__username"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(role="township_official", township__isnull=False)
                    | (~models.Q(role="township_official") & models.Q(township__isnull=True))
                ),
                name="membership_township_only_for_officials",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(role="department_reviewer", department__isnull=False)
                    | (~models.Q(role="department_reviewer") & models.Q(department__isnull=True))
                ),
                name="membership_department_only_for_reviewers",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "county"],
                condition=models.Q(township__isnull=True, department__isnull=True),
                name="membership_unique_county_role",
            ),
            models.UniqueConstraint(
                fields=["user", "township"],
                condition=models.Q(township__isnull=False),
                name="membership_unique_township",
            ),
            models.UniqueConstraint(
                fields=["user", "department"],
                condition=models.Q(department__isnull=False),
                name="membership_unique_department",
            ),
        ]

    def __str__(self) -> str:
        organisation = self.township or self.department or self.county
        return f"{self.user} · {organisation} · {self.get_role_display()}"

    def clean(self) -> None:
        errors = {}
        if self.role == self.Role.TOWNSHIP_OFFICIAL and not self.township_id:
            errors["township"] = "乡镇（街道）干部必须指定所在乡镇（街道）。"
        if self.role != self.Role.TOWNSHIP_OFFICIAL and self.township_id:
            errors["township"] = "只有乡镇（街道）干部需要指定乡镇（街道）。"
        if self.role == self.Role.DEPARTMENT_REVIEWER and not self.department_id:
            errors["department"] = "县直部门审核人员必须指定所在部门。"
        if self.role != self.Role.DEPARTMENT_REVIEWER and self.department_id:
            errors["department"] = "只有县直部门审核人员需要指定部门。"
        if self.county_id:
            if self.township_id and self.township.county_id != self.county_id:
                errors["township"] = f"{self.township.name}不属于{self.county.name}。"
            if self.department_id and self.department.county_id != self.county_id:
                errors["department"] = f"{self.department.name}不属于{self.county.name}。"
        if errors:
            raise ValidationError(errors)
