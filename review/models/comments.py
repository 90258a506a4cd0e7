"""Comment rounds: windows, the departments (or townships) invited, deadline extensions, comments, the
replies they receive and reply templates.

A window is on a township's submission (departments, consultees) or on the county template (the
townships, `Kind.TOWNSHIPS`): the same rows, positions and answers serve both."""

import re

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from catalog.columns import WORK_FIELDS
from catalog.models import (
    Catalogue,
    CatalogueEntry,
    Category,
    County,
    Department,
    DutyList,
    FrozenItem,
    Part,
    Township,
    next_state,
)

from .stages import Submission

# How `review.services.respond_to_answer` appends a department's 坚持原意见 to its comment's text.
INSIST_NOTE = re.compile(r"\n?【\d{4}-\d{2}-\d{2} 坚持原意见】")


class CommentWindow(models.Model):
    """A round of comments on one submission: the departments asked and their deadline (下),
    or the consultees' comments during 征求意见 and 研究论证; or a round on the county template, in
    which the townships asked comment on its entries."""

    class Kind(models.TextChoices):
        DEPARTMENTS = "departments", "部门意见"
        CONSULTEES = "consultees", "征求意见对象意见"
        TOWNSHIPS = "townships", "乡镇（街道）意见"

    # A submission's window has the list and the submission; a template's window the catalogue.
    duty_list = models.ForeignKey(
        DutyList,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="comment_windows",
        verbose_name="清单",
    )
    submission = models.ForeignKey(
        Submission,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="windows",
        verbose_name="提交版本",
    )
    catalogue = models.ForeignKey(
        Catalogue,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="comment_windows",
        verbose_name="县级标准模板",
    )
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.DEPARTMENTS)
    # Comments are taken until the end of this day (Asia/Shanghai).
    deadline = models.DateField("截止日期", null=True, blank=True)
    departments = models.ManyToManyField(
        Department, through="Invitation", related_name="comment_windows", verbose_name="征求意见部门"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="发起人"
    )
    opened_at = models.DateTimeField("发起时间", default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="结束人",
    )
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "意见征求"
        verbose_name_plural = "意见征求"
        ordering = ["duty_list", "opened_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["duty_list"],
                condition=models.Q(closed_at__isnull=True),
                name="one_open_window_per_list",
            ),
            models.UniqueConstraint(
                fields=["catalogue"],
                condition=models.Q(closed_at__isnull=True),
                name="one_open_window_per_catalogue",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        kind="townships",
                        catalogue__isnull=False,
                        duty_list__isnull=True,
                        submission__isnull=True,
                    )
                    | (
                        ~models.Q(kind="townships")
                        & models.Q(catalogue__isnull=True, duty_list__isnull=False, submission__isnull=False)
                    )
                ),
                name="window_on_submission_or_template",
            ),
        ]

    def __str__(self) -> str:
        if self.catalogue_id:
            return f"{self.catalogue}：{self.get_kind_display()}"
        return f"{self.duty_list}：{self.submission.label}{self.get_kind_display()}"

    @property
    def is_on_template(self) -> bool:
        return self.kind == self.Kind.TOWNSHIPS

    @property
    def county_id(self) -> int:
        """The county whose people take part in the window."""
        return self.catalogue.county_id if self.is_on_template else self.duty_list.township.county_id

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def is_past_deadline(self, now=None) -> bool:
        return self.deadline is not None and timezone.localdate(now) > self.deadline

    @property
    def closed_early(self) -> bool:
        """Closed before its deadline while departments were still working (they stay 未反馈)."""
        return (
            self.closed_at is not None
            and self.deadline is not None
            and timezone.localdate(self.closed_at) <= self.deadline
            and any(i.finished_at is None for i in self.invitations.all())
        )


class Invitation(models.Model):
    """A department (or, on the county template, a township) asked to comment in a window, and whether
    it has declared 反馈完毕."""

    window = models.ForeignKey(
        CommentWindow, on_delete=models.CASCADE, related_name="invitations", verbose_name="意见征求"
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name="部门",
    )
    township = models.ForeignKey(
        Township,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name="乡镇（街道）",
    )
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="确认人",
    )
    finished_at = models.DateTimeField("反馈完毕时间", null=True, blank=True)
    # Set when the department was reminded of the deadline, so it is reminded once.
    reminded_at = models.DateTimeField("截止提醒时间", null=True, blank=True)

    class Meta:
        verbose_name = "征求意见部门"
        verbose_name_plural = "征求意见部门"
        ordering = ["window", "department__order", "department__name"]
        constraints = [
            models.UniqueConstraint(fields=["window", "department"], name="one_invitation_per_department"),
            models.UniqueConstraint(fields=["window", "township"], name="one_invitation_per_township"),
            models.CheckConstraint(
                condition=models.Q(department__isnull=False, township__isnull=True)
                | models.Q(department__isnull=True, township__isnull=False),
                name="invitation_department_or_township",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.window}：{self.department or self.township}"

    @property
    def feedback_label(self) -> str:
        """反馈完毕; 未反馈 once the window closed without it (early or after the deadline); else 待反馈."""
        if self.finished_at is not None:
            return "反馈完毕"
        return "未反馈" if self.window.closed_at is not None else "待反馈"


class DeadlineExtension(models.Model):
    """The county editor gave the departments of a window more time: who, when, from which date to which."""

    window = models.ForeignKey(
        CommentWindow, on_delete=models.CASCADE, related_name="extensions", verbose_name="意见征求"
    )
    previous_deadline = models.DateField("原截止日期", null=True, blank=True)
    deadline = models.DateField("新截止日期")
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="延长人"
    )
    extended_at = models.DateTimeField("延长时间", default=timezone.now)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "截止日期延长记录"
        verbose_name_plural = "截止日期延长记录"
        ordering = ["window", "extended_at", "pk"]

    def __str__(self) -> str:
        return f"{self.window}：截止日期延长至 {self.deadline:%Y-%m-%d}"


class Comment(models.Model):
    """A position taken on one item of a submission (or on the list as a whole), or on one entry of the
    county template, and its answer."""

    class Position(models.TextChoices):
        AGREE = "agree", "同意"
        MODIFY = "modify", "建议修改"
        DISAGREE = "disagree", "不同意"
        ADD = "add", "建议增加事项"
        NOT_APPLICABLE = "not_applicable", "不适用本乡镇"

    # The positions each kind of window takes: a township says of a template entry whether it fits it.
    POSITIONS = {
        CommentWindow.Kind.DEPARTMENTS: (Position.AGREE, Position.MODIFY, Position.DISAGREE, Position.ADD),
        CommentWindow.Kind.CONSULTEES: (Position.AGREE, Position.MODIFY, Position.DISAGREE, Position.ADD),
        CommentWindow.Kind.TOWNSHIPS: (
            Position.AGREE,
            Position.MODIFY,
            Position.ADD,
            Position.NOT_APPLICABLE,
        ),
    }

    class Reason(models.TextChoices):
        NO_LEGAL_BASIS = "no_legal_basis", "无法律依据"
        NOT_OUR_DUTY = "not_our_duty", "不属于本部门职责"
        BEYOND_CAPACITY = "beyond_capacity", "乡镇无力承担"
        OTHER = "other", "其他"

    class Answer(models.TextChoices):
        ACCEPTED = "accepted", "采纳"
        PARTLY = "partly", "部分采纳"
        REJECTED = "rejected", "不采纳"

    class State(models.TextChoices):
        OPEN = "open", "待答复"
        ANSWERED = "answered", "已答复"
        SETTLED = "settled", "已解决"
        DISPUTED = "disputed", "争议"

    # How a comment's state moves: each event, the states it may happen in, and the state it leaves.
    MOVES = {
        "accept": ("采纳", {State.OPEN, State.ANSWERED, State.SETTLED}, State.SETTLED),
        "answer": ("答复", {State.OPEN, State.ANSWERED, State.SETTLED}, State.ANSWERED),
        "acknowledge": ("认可答复", {State.ANSWERED}, State.SETTLED),
        "insist": ("坚持原意见", {State.ANSWERED}, State.OPEN),
        "dispute": ("列为争议事项", {State.OPEN, State.ANSWERED}, State.DISPUTED),
    }

    # Empty for a comment on the county template.
    duty_list = models.ForeignKey(
        DutyList,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name="清单",
    )
    window = models.ForeignKey(
        CommentWindow, on_delete=models.PROTECT, related_name="comments", verbose_name="意见征求"
    )
    # The template entry commented on (the name and part are copied as for an item).
    entry = models.ForeignKey(
        CatalogueEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name="模板事项",
    )
    # Empty for a comment on the list as a whole or a proposed new item.
    item_key = models.UUIDField("事项标识", null=True, blank=True)
    item_name = models.CharField("事项名称", max_length=200, blank=True)
    # The part the item was in when commented (a proposed item: the part proposed), so a proposed
    # wording is named after that part's work column (具体内容, 乡镇（街道）配合职责 …).
    item_part = models.CharField("事项所属清单", max_length=20, choices=Part.choices, blank=True)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name="部门",
    )
    # The township that commented on the county template.
    township = models.ForeignKey(
        Township,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="template_comments",
        verbose_name="乡镇（街道）",
    )
    # The department's name, the township's, or the consultee's title, as signed at the time.
    signature = models.CharField("署名", max_length=100)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="提出人"
    )
    position = models.CharField("意见", max_length=20, choices=Position.choices)
    reason = models.CharField("不同意理由", max_length=20, choices=Reason.choices, blank=True)
    text = models.TextField("意见内容", blank=True)
    proposed_name = models.CharField("建议事项名称", max_length=200, blank=True)
    proposed_content = models.TextField("建议内容表述", blank=True)
    proposed_part = models.CharField("建议清单类型", max_length=20, choices=Part.choices, blank=True)
    proposed_lead_departments = models.ManyToManyField(
        Department, blank=True, related_name="+", verbose_name="建议主责部门"
    )
    proposed_receiving_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="建议收回（承接）部门",
    )
    proposed_category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="建议类别"
    )
    created_at = models.DateTimeField("提出时间", default=timezone.now)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.OPEN)
    answer = models.CharField("采纳情况", max_length=20, choices=Answer.choices, blank=True)
    answer_reason = models.TextField("答复理由", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="答复人",
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    # The proposed change was applied to the draft in one step with the answer.
    applied_at = models.DateTimeField("已按意见修改", null=True, blank=True)
    # The field the comment is about changed in a later submission; kept, marked 已过时.
    outdated_at = models.DateTimeField("已过时", null=True, blank=True)
    # The department accepted the township's answer in a later round (认可答复).
    acknowledged_at = models.DateTimeField("部门认可答复时间", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "意见"
        verbose_name_plural = "意见"
        ordering = ["duty_list", "created_at", "pk"]
        indexes = [
            models.Index(fields=["duty_list", "state"], name="comment_list_state"),
            models.Index(fields=["duty_list", "item_key"], name="comment_list_item"),
        ]

    def __str__(self) -> str:
        return f"{self.signature}：{self.get_position_display()}（{self.item_name or '整体意见'}）"

    @classmethod
    def waiting(cls, via: str = "") -> models.Q:
        """Comments waiting for an answer: open, and not 同意 (reached through `via`, e.g. "comments__")."""
        return models.Q(**{f"{via}state": cls.State.OPEN}) & ~models.Q(
            **{f"{via}position": cls.Position.AGREE}
        )

    def move(self, event: str) -> None:
        """Take the comment to the state `event` leads to, or refuse (see `MOVES`)."""
        self.state = next_state(self.MOVES, self.State(self.state), event, "这条意见")

    @property
    def is_outdated(self) -> bool:
        return self.outdated_at is not None

    # Which field of the item each proposal is about.
    PROPOSAL_FIELDS = {
        "proposed_name": "name",
        "proposed_content": "content",
        "proposed_part": "part",
        "proposed_lead_departments": "lead_departments",
        "proposed_receiving_department": "receiving_department",
    }

    def proposals(self) -> list[tuple[str, str]]:
        """The changes proposed, as (field, readable value)."""
        proposed = []
        if self.proposed_name:
            proposed.append(("name", self.proposed_name))
        if self.proposed_content:
            proposed.append(("content", self.proposed_content))
        if self.proposed_part:
            proposed.append(("part", self.get_proposed_part_display()))
        leads = self.proposed_lead_departments.all() if self.pk else []
        if leads:
            proposed.append(("lead_departments", "、".join(d.name for d in leads)))
        if self.proposed_receiving_department_id:
            proposed.append(("receiving_department", self.proposed_receiving_department.name))
        return proposed

    def concerned_fields(self) -> list[str]:
        """The item's fields the comment is about: those it proposes to change, or all of them."""
        if self.position == self.Position.MODIFY:
            fields = [f for f, _ in self.proposals()]
            if fields:
                return fields
        return list(FrozenItem.COMPARED_FIELDS)

    def proposal_label(self, field: str) -> str:
        """A proposed field's name; the proposed wording goes to the work column of the item's part."""
        part = self.proposed_part or self.item_part
        if field == "content" and part:
            field = WORK_FIELDS[part]
        return FrozenItem.COMPARED_FIELDS[field]

    def position_text(self, *, later_notes: bool = True) -> str:
        """The position in one sentence, as the docket and the report print it (without the notes of
        later rounds when `later_notes` is false: the exchange shows those as turns of their own)."""
        head = self.get_position_display()
        if self.reason:
            head += f"（{self.get_reason_display()}）"
        parts = [f"建议{self.proposal_label(f)}为“{value}”" for f, value in self.proposals()]
        if self.position == self.Position.ADD and self.proposed_category_id:
            parts.append(f"类别“{self.proposed_category.name}”")
        text = self.text if later_notes else INSIST_NOTE.split(self.text)[0]
        if text:
            parts.append(text)
        return f"{head}：{'；'.join(parts)}" if parts else head

    def answer_text(self) -> str:
        """The answer as the reports print it: 采纳 of a consultee's proposal says whether it is in the list yet."""
        if not self.answer:
            return "—" if self.position == self.Position.AGREE else "未答复"
        waiting = (
            self.answer == self.Answer.ACCEPTED
            and self.applied_at is None
            and self.window.kind == CommentWindow.Kind.CONSULTEES
            and self.has_proposal
        )
        return f"{self.get_answer_display()}（待修改清单）" if waiting else self.get_answer_display()

    @property
    def first_position_text(self) -> str:
        return self.position_text(later_notes=False)

    @property
    def has_proposal(self) -> bool:
        """Whether accepting it can be applied to the draft in one step."""
        if self.position == self.Position.ADD:
            return bool(self.proposed_name and self.proposed_category_id)
        on_item = self.item_key is not None or self.entry_id is not None
        return self.position == self.Position.MODIFY and on_item and bool(self.proposals())


class Reply(models.Model):
    """One turn of the exchange on a comment after it was made: each answer of the township, and each
    response of the department to it. A later answer replaces the comment's current one; the turn
    stays here, so the leader deciding a dispute reads every reason given on the way."""

    class Kind(models.TextChoices):
        ANSWER = "answer", "乡镇答复"
        ACKNOWLEDGE = "acknowledge", "部门认可答复"
        INSIST = "insist", "部门坚持原意见"

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="replies", verbose_name="意见"
    )
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    answer = models.CharField("采纳情况", max_length=20, choices=Comment.Answer.choices, blank=True)
    text = models.TextField("理由", blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="答复人"
    )
    at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "答复与回应"
        verbose_name_plural = "答复与回应"
        ordering = ["comment", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.comment}：{self.get_kind_display()}"

    @property
    def summary(self) -> str:
        head = (
            f"{self.get_kind_display()}（{self.get_answer_display()}）"
            if self.answer
            else self.get_kind_display()
        )
        return f"{head}：{self.text}" if self.text else head


class ReplyTemplate(models.Model):
    """A reply the county offers townships for answers that recur."""

    county = models.ForeignKey(
        County, on_delete=models.CASCADE, related_name="reply_templates", verbose_name="县（市、区）"
    )
    answer = models.CharField("采纳情况", max_length=20, choices=Comment.Answer.choices)
    text = models.TextField("答复内容")
    order = models.PositiveIntegerField("排序", default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "答复模板"
        verbose_name_plural = "答复模板"
        ordering = ["county", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.get_answer_display()}：{self.text[:30]}"
