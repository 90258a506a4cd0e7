"""职责准入: a county department's request to give townships a task outside their lists.

The request's stages are one table (`Admission.STAGES`: who acts at each open stage and how long
they have) and its moves another (`Admission.MOVES`, read by `next_state` like the adjustment's).
Imported by `publication.models`, so Django and migrations see these models as the app's own.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from catalog.models import Category, County, Department, Part, Township, next_state


class AdmissionPolicy(models.Model):
    """Who reviews a county's requests for legality, and how long each stage may take."""

    county = models.OneToOneField(
        County, on_delete=models.CASCADE, related_name="admission_policy", verbose_name="县（市、区）"
    )
    legality_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="合法性审查部门",
        help_text="县司法局：其审核人员办理职责准入申请的合法性审查。",
    )
    review_days = models.PositiveSmallIntegerField("编办审核时限（天）", default=10)
    legality_days = models.PositiveSmallIntegerField("合法性审查时限（天）", default=10)
    approval_days = models.PositiveSmallIntegerField("县级审定时限（天）", default=15)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "职责准入设置"
        verbose_name_plural = "职责准入设置"

    def __str__(self) -> str:
        return f"{self.county.name}职责准入设置"


@dataclass(frozen=True)
class Stage:
    """An open stage of a request: who acts (a rule of `publication.permissions.ADMISSION_ACTORS`),
    how they are named on the board, and the policy field that sets their deadline."""

    actor: str
    who: str
    days: str


class Admission(models.Model):
    """职责准入申请: a new task a county department wants townships to take on."""

    class State(models.TextChoices):
        REVIEW = "review", "编办审核"
        LEGALITY = "legality", "合法性审查"
        APPROVAL = "approval", "县级审定"
        APPROVED = "approved", "准予准入"
        REFUSED = "refused", "不予准入"
        ANSWERED = "answered", "已在清单中"

    # Who acts at each open stage, and the deadline they have; a state not listed here is decided.
    STAGES = {
        State.REVIEW: Stage("county_editor", "县委编办", "review_days"),
        State.LEGALITY: Stage("legality_department", "合法性审查部门（司法局）", "legality_days"),
        State.APPROVAL: Stage("county_editor", "县委编办（录入县委、县政府审定结果）", "approval_days"),
    }
    # How a request's state moves: each event, the states it may happen in, and the state it leaves.
    MOVES = {
        "pass_review": ("送合法性审查", {State.REVIEW}, State.LEGALITY),
        "pass_legality": ("通过合法性审查", {State.LEGALITY}, State.APPROVAL),
        "approve": ("批准准入", {State.APPROVAL}, State.APPROVED),
        "refuse": ("不予准入", {State.REVIEW, State.LEGALITY, State.APPROVAL}, State.REFUSED),
        "answer": ("答复为已有事项", {State.REVIEW}, State.ANSWERED),
    }
    DECIDED = (State.APPROVED, State.REFUSED, State.ANSWERED)
    # The parts a new task may take in a township's list (a reclaimed task is no task for it).
    PARTS = (Part.BASIC, Part.COORDINATED)

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="admissions", verbose_name="县（市、区）"
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="admissions", verbose_name="申请部门"
    )
    name = models.CharField("事项名称", max_length=200)
    content = models.TextField("具体内容")
    basis = models.TextField("依据")
    part = models.CharField("拟列入的清单类型", max_length=20, choices=Part.choices)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+", verbose_name="类别")
    funding = models.TextField("经费保障", blank=True)
    staff = models.TextField("人员保障", blank=True)
    equipment = models.TextField("装备保障", blank=True)
    townships = models.ManyToManyField(Township, related_name="admissions", verbose_name="涉及乡镇（街道）")
    reason = models.TextField("申请理由")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    filed_at = models.DateTimeField("申请时间", default=timezone.now)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.REVIEW)
    deadline = models.DateField("本环节办理时限", null=True, blank=True)
    # The item in force the request was found to be (a refusal or an answer cites it).
    matched_item = models.ForeignKey(
        "publication.EditionItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="对应的现行事项",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="决定人",
    )
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    decision_note = models.TextField("决定理由", blank=True)
    document_number = models.CharField("批准文号", max_length=100, blank=True)
    # The adjustments of the townships' lists an approval filed.
    adjustments = models.ManyToManyField(
        "publication.Adjustment", blank=True, related_name="admissions", verbose_name="清单调整申请"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "职责准入申请"
        verbose_name_plural = "职责准入申请"
        ordering = ["-filed_at", "-pk"]
        indexes = [models.Index(fields=["county", "state"], name="admission_board")]

    def __str__(self) -> str:
        return f"{self.department.name}：{self.name}"

    @property
    def stage(self) -> Stage | None:
        return self.STAGES.get(self.state)

    @property
    def is_decided(self) -> bool:
        return self.state in self.DECIDED

    @property
    def is_overdue(self) -> bool:
        return self.deadline is not None and not self.is_decided and self.deadline < timezone.localdate()

    def move(self, event: str, policy: AdmissionPolicy) -> None:
        """Take the request to the state `event` leads to, with the next stage's deadline (see
        `MOVES`, `STAGES`), or refuse."""
        self.state = next_state(self.MOVES, self.State(self.state), event, "该申请")
        self.set_deadline(policy)

    def set_deadline(self, policy: AdmissionPolicy) -> None:
        stage = self.stage
        days = getattr(policy, stage.days) if stage else None
        self.deadline = timezone.localdate() + timedelta(days=days) if stage else None


class AdmissionStep(models.Model):
    """One move of a request: who moved it, from which state to which, when and why."""

    admission = models.ForeignKey(
        Admission, on_delete=models.CASCADE, related_name="steps", verbose_name="职责准入申请"
    )
    event = models.CharField("办理事项", max_length=20)
    before = models.CharField("原状态", max_length=20, choices=Admission.State.choices, blank=True)
    after = models.CharField("新状态", max_length=20, choices=Admission.State.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="办理人",
    )
    at = models.DateTimeField("时间", default=timezone.now)
    note = models.TextField("意见", blank=True)

    class Meta:
        verbose_name = "职责准入办理记录"
        verbose_name_plural = "职责准入办理记录"
        ordering = ["admission", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_before_display()} → {self.get_after_display()}"

    @property
    def label(self) -> str:
        return Admission.MOVES[self.event][0] if self.event in Admission.MOVES else "提交申请"
