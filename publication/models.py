"""Published editions: immutable copies of approved lists, the only rows the public site reads.

An edition is written once, by `publication.services`, and never changed or
deleted: `save()` refuses a second write, the query sets refuse `update()` and
`delete()`, rows are protected from cascades, and the back office shows them
read-only. A later edition (after an adjustment) is a new set of rows with its
change log; earlier editions stay as they were.
"""

import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from catalog.columns import COMPARED_COLUMNS
from catalog.models import FROZEN_ORDER, DutyList, FrozenItem, Part, Township, next_state
from review.models import Submission


class ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValueError("公布版本不能修改。")

    def delete(self):
        raise ValueError("公布版本不能删除。")


# The columns an item's content hash covers: public, and compared between editions.
HASHED_COLUMNS = [column for column in COMPARED_COLUMNS if column.public]


class Immutable(models.Model):
    """Written once; a second save or a delete is refused."""

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("公布版本不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("公布版本不能删除。")


class Edition(Immutable):
    """One published version of a township's list (第 n 版), with its effective date and 文号."""

    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="editions", verbose_name="乡镇（街道）"
    )
    duty_list = models.ForeignKey(
        DutyList, on_delete=models.PROTECT, related_name="editions", verbose_name="来源清单"
    )
    # The approved text it was published from (none for an edition made by an adjustment).
    submission = models.OneToOneField(
        Submission,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="edition",
        verbose_name="审定稿",
    )
    number = models.PositiveIntegerField("版次")
    effective_on = models.DateField("施行日期")
    document_number = models.CharField("文号", max_length=100)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="公布人"
    )
    published_at = models.DateTimeField("公布时间", default=timezone.now)
    note = models.TextField("说明", blank=True)
    basic_count = models.PositiveIntegerField("基本履职事项数", default=0)
    coordinated_count = models.PositiveIntegerField("配合履职事项数", default=0)
    reclaimed_count = models.PositiveIntegerField("上级部门收回事项数", default=0)

    class Meta:
        verbose_name = "公布版本"
        verbose_name_plural = "公布版本"
        ordering = ["township", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["township", "number"], name="one_edition_number_per_township"),
        ]

    def __str__(self) -> str:
        return f"{self.township.name}履行职责事项清单（第 {self.number} 版）"

    @property
    def item_count(self) -> int:
        return self.basic_count + self.coordinated_count + self.reclaimed_count

    def count_of(self, part: str) -> int:
        return getattr(self, f"{part}_count")


class EditionItem(FrozenItem, Immutable):
    """One item of an edition, as published."""

    edition = models.ForeignKey(
        Edition, on_delete=models.PROTECT, related_name="items", verbose_name="公布版本"
    )
    # Every two-character run of the item's words, space-separated: lets PostgreSQL's
    # full-text index find two-character terms such as 低保 in Chinese text, which
    # has no spaces between words (see docs/decisions/0005-publication.md).
    search_grams = models.TextField("检索词", blank=True, editable=False)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        verbose_name = "公布事项"
        verbose_name_plural = "公布事项"
        ordering = ["edition", *FROZEN_ORDER]
        constraints = [
            models.UniqueConstraint(fields=["edition", "key"], name="edition_item_key_unique"),
        ]
        indexes = [
            models.Index(fields=["edition", "part", "category_order", "order"], name="edition_item_order"),
            models.Index(fields=["key"], name="edition_item_key"),
        ]

    def __str__(self) -> str:
        return self.name

    save = Immutable.save
    delete = Immutable.delete

    @property
    def content_hash(self) -> str:
        """What a 12345 ticket cites: a SHA-256 of the item's key and its published public columns
        (those the change log compares, so a new 序号 alone keeps it), the same in every edition
        that publishes the same text."""
        values = {"key": str(self.key)} | {
            column.name: getattr(self, column.frozen_name) for column in HASHED_COLUMNS
        }
        text = json.dumps(values, ensure_ascii=False, sort_keys=True, default=str)
        return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


class EditionChange(Immutable):
    """One line of an edition's change log against the edition before it."""

    class Kind(models.TextChoices):
        ADDED = "added", "新增"
        REMOVED = "removed", "删除"
        CHANGED = "changed", "修改"
        MOVED = "moved", "调整清单类型"

    edition = models.ForeignKey(
        Edition, on_delete=models.PROTECT, related_name="changes", verbose_name="公布版本"
    )
    key = models.UUIDField("事项标识")
    name = models.CharField("事项名称", max_length=200)
    kind = models.CharField("变化", max_length=20, choices=Kind.choices)
    before_part = models.CharField("原清单类型", max_length=20, choices=Part.choices, blank=True)
    after_part = models.CharField("新清单类型", max_length=20, choices=Part.choices, blank=True)
    # [[column, before, after], …] for a changed or moved item.
    fields = models.JSONField("变化的字段", default=list)
    reason = models.TextField("理由", blank=True)

    class Meta:
        verbose_name = "公布版本变更"
        verbose_name_plural = "公布版本变更"
        ordering = ["edition", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.name}"


class CurrentEdition(models.Model):
    """Which edition of a township is in force: the one pointer that moves when a new edition is published."""

    township = models.OneToOneField(
        Township, on_delete=models.PROTECT, related_name="current_edition", verbose_name="乡镇（街道）"
    )
    edition = models.OneToOneField(
        Edition, on_delete=models.PROTECT, related_name="current_of", verbose_name="现行版本"
    )

    class Meta:
        verbose_name = "现行版本"
        verbose_name_plural = "现行版本"

    def __str__(self) -> str:
        return str(self.edition)


class Feedback(models.Model):
    """群众监督: a visitor reports that a published item is wrong or not carried out. Never shown publicly."""

    class Kind(models.TextChoices):
        WRONG = "wrong", "事项内容有误"
        NOT_CARRIED_OUT = "not_carried_out", "没有落实"
        OTHER = "other", "其他"

    class Status(models.TextChoices):
        PENDING = "pending", "待处理"
        FORWARDED = "forwarded", "已转办"
        CLOSED = "closed", "已办结"

    # How a report's status moves: each event, the statuses it may happen in, and the one it leaves.
    MOVES = {
        "forward": ("转办", {Status.PENDING}, Status.FORWARDED),
        "close": ("办结", {Status.PENDING, Status.FORWARDED}, Status.CLOSED),
    }

    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="feedback", verbose_name="乡镇（街道）"
    )
    edition = models.ForeignKey(
        Edition, on_delete=models.PROTECT, related_name="feedback", verbose_name="所看的版本"
    )
    # What the visitor is given to look the report up by: the day and a random part, so that numbers
    # cannot be walked through one by one.
    receipt_number = models.CharField("受理编号", max_length=20, unique=True)
    key = models.UUIDField("事项标识")
    item_name = models.CharField("事项名称", max_length=200)
    kind = models.CharField("反映的问题", max_length=20, choices=Kind.choices)
    text = models.TextField("具体情况")
    contact = models.CharField("联系方式（选填）", max_length=100, blank=True)
    # A keyed hash of the visitor's address: enough to limit how often one address reports, without
    # keeping the address itself.
    address_hash = models.CharField("来源标识", max_length=64, editable=False)
    created_at = models.DateTimeField("提交时间", default=timezone.now)
    handled_at = models.DateTimeField("处理时间", null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="处理人",
    )
    handling_note = models.TextField("处理情况", blank=True)
    status = models.CharField("办理状态", max_length=20, choices=Status.choices, default=Status.PENDING)
    forwarded_to = models.CharField("转办单位", max_length=100, blank=True)
    # Shown to whoever looks the report up by its number; the handling note stays internal.
    reply = models.TextField("答复", blank=True)

    class Meta:
        verbose_name = "群众反映"
        verbose_name_plural = "群众反映"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["address_hash", "created_at"], name="feedback_rate"),
            models.Index(fields=["township", "status"], name="feedback_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.township.name}：{self.item_name}（{self.get_kind_display()}）"

    def move(self, event: str) -> None:
        """Take the report to the status `event` leads to, or refuse (see `MOVES`)."""
        self.status = next_state(self.MOVES, self.Status(self.status), event, "该反映")


class Adjustment(models.Model):
    """动态调整: a request to add, change, remove or move items of the edition in force. Approving it
    publishes the next edition with its change log."""

    class State(models.TextChoices):
        FILED = "filed", "待审核"
        APPROVED = "approved", "已批准并公布"
        REJECTED = "rejected", "未批准"

    # How a request's state moves: each event, the states it may happen in, and the state it leaves.
    MOVES = {
        "approve": ("批准", {State.FILED}, State.APPROVED),
        "reject": ("不予批准", {State.FILED}, State.REJECTED),
    }

    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="adjustments", verbose_name="乡镇（街道）"
    )
    edition = models.ForeignKey(
        Edition, on_delete=models.PROTECT, related_name="adjustments", verbose_name="调整的版本"
    )
    summary = models.TextField("申请说明")
    signature = models.CharField("申请单位", max_length=100)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    filed_at = models.DateTimeField("申请时间", default=timezone.now)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.FILED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审核人",
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decision_note = models.TextField("审核意见", blank=True)
    document_number = models.CharField("批准文号", max_length=100, blank=True)
    new_edition = models.OneToOneField(
        Edition,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adjustment",
        verbose_name="公布的新版本",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "动态调整申请"
        verbose_name_plural = "动态调整申请"
        ordering = ["-filed_at"]

    def __str__(self) -> str:
        return f"{self.township.name}清单动态调整（{self.filed_at:%Y-%m-%d}，{self.signature}）"

    def move(self, event: str) -> None:
        """Take the request to the state `event` leads to, or refuse (see `MOVES`)."""
        self.state = next_state(self.MOVES, self.State(self.state), event, "该申请")


class AdjustmentItem(models.Model):
    """One change an adjustment asks for, with its basis and reason."""

    class Action(models.TextChoices):
        ADD = "add", "新增事项"
        CHANGE = "change", "修改事项"
        REMOVE = "remove", "删除事项"
        MOVE = "move", "调整清单类型"

    adjustment = models.ForeignKey(
        Adjustment, on_delete=models.CASCADE, related_name="items", verbose_name="动态调整申请"
    )
    action = models.CharField("调整方式", max_length=20, choices=Action.choices)
    # The item of the edition in force (empty for a new item).
    key = models.UUIDField("事项标识", null=True, blank=True)
    name = models.CharField("事项名称", max_length=200)
    part = models.CharField("清单类型", max_length=20, choices=Part.choices, blank=True)
    category = models.ForeignKey(
        "catalog.Category",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="类别",
    )
    content = models.TextField("具体内容 / 配合职责", blank=True)
    lead_departments = models.ManyToManyField(
        "catalog.Department", blank=True, related_name="+", verbose_name="县级主责部门"
    )
    receiving_department = models.ForeignKey(
        "catalog.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="收回（承接）部门",
    )
    basis = models.TextField("依据")
    reason = models.TextField("理由")

    class Meta:
        verbose_name = "调整事项"
        verbose_name_plural = "调整事项"
        ordering = ["adjustment", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()}：{self.name}"


class AdjustmentRemark(models.Model):
    """The county editor's comment on an adjustment, and the applicant's answer."""

    adjustment = models.ForeignKey(
        Adjustment, on_delete=models.CASCADE, related_name="remarks", verbose_name="动态调整申请"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="提出人"
    )
    text = models.TextField("意见")
    created_at = models.DateTimeField("时间", default=timezone.now)
    answer = models.TextField("答复", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="答复人",
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)

    class Meta:
        verbose_name = "调整审核意见"
        verbose_name_plural = "调整审核意见"
        ordering = ["adjustment", "created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:40]


class DispatchDispute(models.Model):
    """派单异议 / 退单: a hotline account records that a ticket dispatched by a published item was
    refused by the body it went to. The county editor answers it, or turns it into an adjustment
    request of the item (动态调整); the county's annual review counts them per item."""

    class State(models.TextChoices):
        OPEN = "open", "待处理"
        ANSWERED = "answered", "已答复"
        ADJUSTING = "adjusting", "已转为调整申请"

    # How a dispute's state moves: each event, the states it may happen in, and the state it leaves.
    MOVES = {
        "answer": ("答复", {State.OPEN}, State.ANSWERED),
        "adjust": ("转为调整申请", {State.OPEN, State.ANSWERED}, State.ADJUSTING),
    }

    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="dispatch_disputes", verbose_name="乡镇（街道）"
    )
    # The edition in force when the ticket was disputed, and the item of it the ticket was sent by.
    edition = models.ForeignKey(
        Edition, on_delete=models.PROTECT, related_name="dispatch_disputes", verbose_name="派单依据的版本"
    )
    key = models.UUIDField("事项标识")
    item_name = models.CharField("事项名称", max_length=200)
    part = models.CharField("清单类型", max_length=20, choices=Part.choices)
    ticket_number = models.CharField("工单编号", max_length=50)
    refused_by = models.CharField("退单单位", max_length=100)
    reason = models.TextField("退单理由")
    # A person (a county account signed in), or none when an integrating system recorded it through
    # its token: `filed_via` names that system's account then.
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )
    filed_via = models.CharField("登记系统", max_length=100, blank=True)
    filed_at = models.DateTimeField("登记时间", default=timezone.now)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.OPEN)
    answer = models.TextField("答复", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="答复人",
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    adjustment = models.ForeignKey(
        Adjustment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dispatch_disputes",
        verbose_name="转为的调整申请",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "派单异议"
        verbose_name_plural = "派单异议"
        ordering = ["-filed_at", "-pk"]
        constraints = [
            # A retried request cannot record the same refusal twice.
            models.UniqueConstraint(
                fields=["township", "ticket_number", "key"], name="one_dispute_per_ticket_and_item"
            ),
        ]
        indexes = [
            models.Index(fields=["township", "state"], name="dispute_queue"),
            models.Index(fields=["key", "filed_at"], name="dispute_item"),
        ]

    def __str__(self) -> str:
        return f"工单 {self.ticket_number}：{self.refused_by}退单（{self.item_name}）"

    @property
    def filer(self) -> str:
        """Who recorded it, as the queue shows it: the integrating system, else the person."""
        return self.filed_via or str(self.filed_by or "")

    def move(self, event: str) -> None:
        """Take the dispute to the state `event` leads to, or refuse (see `MOVES`)."""
        self.state = next_state(self.MOVES, self.State(self.state), event, "该派单异议")


class DispatchLookup(models.Model):
    """How often a hotline account's lookup found an item first, per day: evidence for the annual
    review that the item is exercised. One row per item and day, its count raised in place."""

    township = models.ForeignKey(
        Township, on_delete=models.CASCADE, related_name="+", verbose_name="乡镇（街道）"
    )
    key = models.UUIDField("事项标识")
    day = models.DateField("日期")
    count = models.PositiveIntegerField("查询次数", default=0)

    class Meta:
        verbose_name = "派单查询次数"
        verbose_name_plural = "派单查询次数"
        constraints = [
            models.UniqueConstraint(fields=["key", "day"], name="one_lookup_count_per_item_and_day"),
        ]
        indexes = [models.Index(fields=["township", "day"], name="lookup_by_township_day")]

    def __str__(self) -> str:
        return f"{self.day}：{self.count} 次"


# 职责准入 (admission of new tasks): its own module, imported here so the app's models are one set.
from .admission_models import Admission, AdmissionPolicy, AdmissionStep  # noqa: E402, F401
