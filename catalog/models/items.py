"""Duty items and their lists: the part columns, the reference catalogues, the stages a list goes
through, the draft list and its items, and the frozen copy every submission and edition keeps."""

import uuid
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.db.models.functions import Coalesce
from simple_history.models import HistoricalRecords

from ..columns import (
    COLUMNS,
    COMPARED_COLUMNS,
    FROZEN_COLUMN,
    PART_DEPENDENT_FIELDS,
    PART_FIELDS,
    PART_REQUIRED_FIELDS,
    TEXT,
    Part,
)
from .reference import Category, County, Department, Office, Township
from .regions import Province

# The parts and the columns each part carries are declared in `catalog.columns`; a field outside
# its part's set must stay empty, and moving an item to another part clears it.


def list_order(parent_order: str, parent: str, category_order: str, category: str) -> list:
    """The order of a list, defined once: part, category (a sub-category right after its parent's own
    items), then 序号 within the category. Named by the fields that hold the category path: the live
    draft reaches them through its category, frozen rows keep copies."""
    return [
        "part",  # the stored values sort in published order
        Coalesce(parent_order, category_order).asc(),
        Coalesce(parent, category).asc(),
        F(parent).asc(nulls_first=True),
        category_order,
        category,
        "order",
    ]


PUBLISHED_ORDER = [
    "duty_list__township__order",
    "duty_list_id",
    *list_order("category__parent__order", "category__parent_id", "category__order", "category_id"),
    "id",
]
# Submissions and editions: the same order over their frozen copy of the category path.
FROZEN_ORDER = [
    *list_order("category_parent_order", "category_parent_id", "category_order", "category_id"),
    "pk",
]


class PartFields(models.Model):
    """The columns that depend on an item's part, and the rules that go with them.

    Shared by duty items and catalogue entries, so a template entry carries
    everything a township item copied from it needs, checked the same way.
    """

    part = models.CharField("清单类型", max_length=20, choices=Part.choices)
    lead_departments = models.ManyToManyField(
        "Department", blank=True, related_name="%(class)s_as_lead", verbose_name="县级主责部门"
    )
    department_duties = models.TextField("县级部门职责", blank=True)
    township_duties = models.TextField("乡镇（街道）配合职责", blank=True)
    support = models.TextField("履职保障", blank=True)
    receiving_department = models.ForeignKey(
        "Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="%(class)s_as_receiver",
        verbose_name="收回（承接）部门",
    )
    reclaim_reason = models.TextField("收回理由及工作方式", blank=True)
    is_safeguard = models.BooleanField("兜底事项", default=False)

    class Meta:
        abstract = True

    def set_pending_lead_departments(self, departments) -> None:
        """Lead departments about to be saved, for `clean()` to check.

        A many-to-many value is written only after the row itself, so forms and
        services hand it over here before validating.
        """
        self._pending_lead_departments = list(departments)

    def lead_departments_for_validation(self) -> list["Department"]:
        pending = getattr(self, "_pending_lead_departments", None)
        if pending is not None:
            return pending
        if self.pk is None:
            return []
        return list(self.lead_departments.all())

    def clean(self) -> None:
        errors = self.part_errors(self.lead_departments_for_validation())
        if errors:
            raise ValidationError(errors)

    def part_errors(self, lead_departments: list["Department"]) -> dict[str, str]:
        """What is missing or out of place for this item's part, keyed by field."""
        if self.part not in Part.values:
            return {}
        errors: dict[str, str] = {}
        part = Part(self.part)
        for field, message in PART_REQUIRED_FIELDS[part].items():
            if not self.part_field_value(field, lead_departments):
                errors[field] = message
        for field in sorted(PART_DEPENDENT_FIELDS - PART_FIELDS[part]):
            if self.part_field_value(field, lead_departments):
                label = self._meta.get_field(field).verbose_name
                errors[field] = f"{part.label}不填写“{label}”。"
        if self.is_safeguard and part == Part.RECLAIMED:
            errors["is_safeguard"] = "兜底事项必须由乡镇（街道）履行，不能列入上级部门收回事项。"

        county = self.owning_county()
        if county is not None:
            errors.update(self.county_errors(county, lead_departments))
        return errors

    def reading(self, column) -> str:
        """A column as the printed list reads it (related rows as fetched)."""
        return column.live_value(self)

    def part_field_value(self, field: str, lead_departments: list["Department"]):
        """The value of a part-dependent field, blank text counting as empty."""
        if field == "lead_departments":
            return lead_departments
        if not any(f.name == field for f in self._meta.concrete_fields):
            return None  # a column this kind of row does not have (catalogue entries have no office)
        value = getattr(self, self._meta.get_field(field).attname)
        return value.strip() if isinstance(value, str) else value

    def owning_county(self):
        """The county whose categories and departments this row may use."""
        raise NotImplementedError

    def county_errors(self, county, lead_departments: list["Department"]) -> dict[str, str]:
        errors: dict[str, str] = {}
        if self.category_id and self.category.county_id != county.pk:
            errors["category"] = f"类别“{self.category.name}”不属于{county.name}。"
        if self.receiving_department_id and self.receiving_department.county_id != county.pk:
            errors["receiving_department"] = f"部门“{self.receiving_department.name}”不属于{county.name}。"
        foreign = [d.name for d in lead_departments if d.county_id != county.pk]
        if foreign:
            errors["lead_departments"] = f"部门“{'、'.join(foreign)}”不属于{county.name}。"
        return errors


class Catalogue(models.Model):
    """A named reference list of a county (its template, the safeguard catalogue, …) or of a
    province (省级参考目录, which the province's counties claim entries from)."""

    class Kind(models.TextChoices):
        TEMPLATE = "template", "县级标准模板"
        SAFEGUARD = "safeguard", "兜底事项目录"
        DEPARTMENT = "department", "部门事项目录"
        RECLAIMED = "reclaimed", "上级部门收回事项参考目录"
        OTHER = "other", "其他参考目录"

    county = models.ForeignKey(
        County,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="catalogues",
        verbose_name="所属县",
    )
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="catalogues",
        verbose_name="所属省",
        help_text="省级参考目录填所属省，不填县。",
    )
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    description = models.TextField("说明", blank=True)
    is_illustrative = models.BooleanField(
        "示例数据", default=False, help_text="演示数据附带的示例目录，不是本县正式的目录，请按本县实际替换。"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "参考目录"
        verbose_name_plural = "参考目录"
        ordering = ["province__code", "county__code", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="catalogue_name_unique_in_county"),
            models.UniqueConstraint(fields=["province", "name"], name="catalogue_name_unique_in_province"),
            models.CheckConstraint(
                condition=(
                    models.Q(county__isnull=False, province__isnull=True)
                    | models.Q(county__isnull=True, province__isnull=False)
                ),
                name="catalogue_of_a_county_or_a_province",
                violation_error_message="参考目录属于一个县或一个省，只填一项。",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_provincial(self) -> bool:
        return self.province_id is not None

    @property
    def owner(self):
        """The county or province the catalogue belongs to."""
        return self.province if self.is_provincial else self.county


# A province has no county's categories and departments: its entries name them as text, in these
# fields, which a county's claim resolves to the county's own records (`catalog.claims`).
NAMED_BY_TEXT = {
    "category": "category_name",
    "lead_departments": "lead_department_names",
    "receiving_department": "receiving_department_name",
}


class CatalogueEntry(PartFields):
    """One entry of a reference catalogue: what a township item copied from it starts with."""

    part = models.CharField("建议清单类型", max_length=20, choices=Part.choices)
    catalogue = models.ForeignKey(
        Catalogue, on_delete=models.CASCADE, related_name="entries", verbose_name="所属目录"
    )
    name = models.CharField("事项名称", max_length=200)
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="catalogue_entries",
        verbose_name="类别",
    )
    content = models.TextField("具体内容", blank=True)
    basis = models.TextField("依据", blank=True)
    is_mandatory = models.BooleanField(
        "必须列入", default=False, help_text="勾选后，每个乡镇（街道）的清单都必须包含此事项。"
    )
    order = models.PositiveIntegerField("排序", default=0)
    # Only on a province's entries (NAMED_BY_TEXT).
    category_name = models.CharField("类别名称", max_length=50, blank=True)
    lead_department_names = models.CharField("县级主责部门名称", max_length=500, blank=True)
    receiving_department_name = models.CharField("收回（承接）部门名称", max_length=100, blank=True)
    # A county's entry claimed from its province's catalogue (认领): the province reads through it
    # which entries each county adopted or changed. A claimed province entry stays while claimed.
    claimed_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
        verbose_name="认领自省级目录事项",
    )

    history = HistoricalRecords(m2m_fields=["lead_departments"])

    class Meta:
        verbose_name = "目录事项"
        verbose_name_plural = "目录事项"
        ordering = ["catalogue", "part", "category__order", "order", "id"]

    def __str__(self) -> str:
        return self.name

    def owning_county(self):
        return self.catalogue.county if self.catalogue_id else None

    @property
    def is_provincial(self) -> bool:
        return self.catalogue.is_provincial

    def reading(self, column) -> str:
        """A province's entry reads its category and departments as written."""
        if column.name in NAMED_BY_TEXT and self.is_provincial:
            return getattr(self, NAMED_BY_TEXT[column.name])
        return super().reading(column)

    def part_field_value(self, field: str, lead_departments: list["Department"]):
        if field in NAMED_BY_TEXT and self.catalogue_id and self.is_provincial:
            return getattr(self, NAMED_BY_TEXT[field]).strip()
        return super().part_field_value(field, lead_departments)

    def part_errors(self, lead_departments: list["Department"]) -> dict[str, str]:
        errors = super().part_errors(lead_departments)
        if not self.catalogue_id:
            return errors
        if self.is_provincial:
            records = {
                "category": self.category_id,
                "lead_departments": lead_departments,
                "receiving_department": self.receiving_department_id,
            }
            for field, value in records.items():
                if value:
                    errors[field] = "省级参考目录的事项以文字填写类别和部门，不选县的记录。"
            if self.claimed_from_id:
                errors["claimed_from"] = "省级参考目录的事项不能认领自其他目录。"
        else:
            for text_field in NAMED_BY_TEXT.values():
                if getattr(self, text_field).strip():
                    errors[text_field] = "县的目录事项选择本县的类别和部门，不以文字填写。"
            source, county = self.claimed_from, self.catalogue.county
            province_id = county.city.province_id if county.city_id else None
            if source is not None and source.catalogue.province_id != province_id:
                errors["claimed_from"] = f"“{source.name}”不是{county.name}所在省的参考目录事项。"
        return errors


# An entry's columns, from the column declaration: those it has a field for (an entry names no
# township office and keeps no remarks); its text columns besides the name; the ones compared.
_ENTRY_FIELDS = {f.name for f in [*CatalogueEntry._meta.fields, *CatalogueEntry._meta.many_to_many]}
ENTRY_COLUMNS = [column for column in COLUMNS if column.name in _ENTRY_FIELDS]
ENTRY_TEXT_COLUMNS = [column for column in ENTRY_COLUMNS if column.kind == TEXT and column.name != "name"]
ENTRY_COMPARED_NAMES = [column.name for column in ENTRY_COLUMNS if column in COMPARED_COLUMNS]


class Stage(models.TextChoices):
    """Where a list is in its life. Only review/workflow.py moves a list from one stage to the next."""

    DRAFTING = "drafting", "起草"
    FIRST_SUBMITTED = "first_submitted", "一上"
    FIRST_FEEDBACK = "first_feedback", "一下"
    SECOND_SUBMITTED = "second_submitted", "二上"
    SECOND_FEEDBACK = "second_feedback", "二下"
    THIRD_SUBMITTED = "third_submitted", "三上"
    COORDINATION = "coordination", "协调（三下）"
    CONSULTATION = "consultation", "征求意见"
    DELIBERATION = "deliberation", "研究论证"
    CONGRESS_REVIEW = "congress_review", "人大常委会审议"
    APPROVED = "approved", "审定"
    PUBLISHED = "published", "已公布"


class StageRule(NamedTuple):
    """What a stage allows."""

    township_edits: bool  # the township's officials edit the draft (the county editor edits unless locked)
    locked: bool  # approved or published: the text changes only through a new edition
    answers: str  # whose comments the township answers now: "departments", "consultees" or ""
    decides: bool  # the county leader may decide disputes
    asks_departments: bool  # the county editor is to ask departments for their comments


# Every stage's rule, stated once: permissions, services, queries and the database constraint read it.
STAGE_RULES = {
    Stage.DRAFTING: StageRule(True, False, "", False, False),
    Stage.FIRST_SUBMITTED: StageRule(False, False, "", True, True),
    Stage.FIRST_FEEDBACK: StageRule(True, False, "departments", True, False),
    Stage.SECOND_SUBMITTED: StageRule(False, False, "", True, True),
    Stage.SECOND_FEEDBACK: StageRule(True, False, "departments", True, False),
    # After 三上 the departments may confirm their positions once more; the township answers them.
    Stage.THIRD_SUBMITTED: StageRule(False, False, "departments", True, False),
    Stage.COORDINATION: StageRule(False, False, "", True, False),
    Stage.CONSULTATION: StageRule(False, False, "consultees", False, False),
    Stage.DELIBERATION: StageRule(False, False, "consultees", False, False),
    Stage.CONGRESS_REVIEW: StageRule(False, False, "consultees", False, False),
    Stage.APPROVED: StageRule(False, True, "", False, False),
    Stage.PUBLISHED: StageRule(False, True, "", False, False),
}


def stages_where(**rule) -> frozenset:
    """The stages whose rule has these values, e.g. `stages_where(locked=True)`."""
    return frozenset(
        stage
        for stage, values in STAGE_RULES.items()
        if all(getattr(values, k) == v for k, v in rule.items())
    )


LOCKED_STAGES = stages_where(locked=True)


def next_state(moves: dict, state: str, event: str, what: str) -> str:
    """Where `event` takes a row of a small state table `{event: (label, from states, to state)}`;
    refused, naming `what` and the state it is in, when the event cannot happen there."""
    label, sources, target = moves[event]
    if state not in sources:
        raise ValidationError(f"{what}处于“{state.label}”状态，不能{label}。")
    return target


class DutyList(models.Model):
    """One township's list, one edition of it (title, year)."""

    Stage = Stage
    # While the draft is with the township: before the first submission and
    # after each round of comments has come down.
    TOWNSHIP_EDIT_STAGES = stages_where(township_edits=True)
    # Approved and published lists change only through a new edition.
    LOCKED_STAGES = LOCKED_STAGES

    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="duty_lists", verbose_name="乡镇（街道）"
    )
    title = models.CharField("标题", max_length=200)
    year = models.PositiveIntegerField("年度")
    stage = models.CharField(
        "阶段", max_length=30, choices=Stage.choices, default=Stage.DRAFTING, editable=False
    )
    # Goes up by one with every change to one of the list's items.
    version = models.PositiveIntegerField("版本号", default=1, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "履职事项清单"
        verbose_name_plural = "履职事项清单"
        ordering = ["township__county__code", "township__order", "-year"]
        constraints = [
            # One list at a time is being worked on; approved and published ones stay beside it.
            models.UniqueConstraint(
                fields=["township"],
                condition=~models.Q(stage__in=sorted(LOCKED_STAGES)),
                name="one_open_list_per_township",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class DutyItemQuerySet(models.QuerySet):
    def naming_department(self, department):
        """Items in which the department leads or to which it took the item back."""
        return self.filter(
            models.Q(lead_departments=department) | models.Q(receiving_department=department)
        ).distinct()

    def active(self):
        return self.filter(deleted_at__isnull=True)

    def deleted(self):
        return self.filter(deleted_at__isnull=False)

    def in_published_order(self):
        return self.order_by(*PUBLISHED_ORDER)


class DutyItem(PartFields):
    class Origin(models.TextChoices):
        COMMON = "common", "共性事项"
        INDIVIDUAL = "individual", "个性事项"

    duty_list = models.ForeignKey(
        DutyList, on_delete=models.CASCADE, related_name="items", verbose_name="所属清单"
    )
    # The item's identity for life: kept through edits, moves between parts,
    # frozen submissions, published editions and copies into the next draft.
    key = models.UUIDField("事项标识", default=uuid.uuid4, editable=False)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="items", verbose_name="类别"
    )
    order = models.PositiveIntegerField("序号", default=0, help_text="在同一类别内的排列顺序。")
    name = models.CharField("事项名称", max_length=200)
    content = models.TextField("具体内容", blank=True)
    basis = models.TextField("依据", blank=True)
    remarks = models.TextField("备注", blank=True)
    responsible_office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
        verbose_name="责任科室",
    )
    origin = models.CharField("来源", max_length=20, choices=Origin.choices, default=Origin.INDIVIDUAL)
    catalogue_entry = models.ForeignKey(
        CatalogueEntry,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="items",
        verbose_name="来源目录事项",
    )
    version = models.PositiveIntegerField("版本号", default=1, editable=False)
    # The list's version number written by this item's latest change, so the
    # history answers "what changed since version N" of the whole list.
    list_version = models.PositiveIntegerField("清单版本号", default=0, editable=False)
    # Deleted items stay, listed apart and restorable, until the list is published.
    deleted_at = models.DateTimeField("删除时间", null=True, blank=True, editable=False)
    # Set when the county leader's decision on a dispute was applied: the item
    # then stays as decided for the rest of this review cycle.
    is_decided = models.BooleanField("已协调拍板", default=False, editable=False)

    objects = DutyItemQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=["lead_departments"])

    class Meta:
        verbose_name = "履职事项"
        verbose_name_plural = "履职事项"
        constraints = [
            models.UniqueConstraint(fields=["duty_list", "key"], name="duty_item_key_unique_in_list"),
        ]
        indexes = [
            models.Index(fields=["duty_list", "part", "order"], name="duty_item_list_part_order"),
        ]

    def __str__(self) -> str:
        return self.name

    def owning_county(self):
        return self.duty_list.township.county if self.duty_list_id else None

    def part_errors(self, lead_departments: list[Department]) -> dict[str, str]:
        errors = super().part_errors(lead_departments)
        if not self.duty_list_id:
            return errors
        township = self.duty_list.township
        office = self.responsible_office
        if office is not None and office.township_id != township.pk and "responsible_office" not in errors:
            errors["responsible_office"] = f"责任科室“{office.name}”不属于{township.name}。"
        entry = self.catalogue_entry
        if entry is not None and entry.catalogue.county_id != township.county_id:
            errors["catalogue_entry"] = f"来源目录事项“{entry.name}”不属于{township.county.name}的目录。"
        return errors


class HoldsAnyId(models.Expression):
    """True when a JSON list of ids (a frozen row's `lead_department_ids`) holds one of `ids`.

    Django's JSON `contains` is PostgreSQL's only; SQLite reads the list with `json_each`.
    """

    output_field = models.BooleanField()

    def __init__(self, column: str, ids):
        super().__init__()
        self.column = F(column)
        self.ids = sorted(set(ids))

    def get_source_expressions(self):
        return [self.column]

    def set_source_expressions(self, expressions):
        [self.column] = expressions

    def as_sql(self, compiler, connection):  # SQLite
        if not self.ids:
            return "1 = 0", []
        column, params = compiler.compile(self.column)
        holes = ", ".join(["%s"] * len(self.ids))
        return f"EXISTS (SELECT 1 FROM json_each({column}) WHERE json_each.value IN ({holes}))", [
            *params,
            *self.ids,
        ]

    def as_postgresql(self, compiler, connection):
        if not self.ids:
            return "1 = 0", []
        column, params = compiler.compile(self.column)
        # jsonb containment of a one-element list, against any of the ids.
        return f"{column} @> ANY(%s::jsonb[])", [*params, [f"[{pk}]" for pk in self.ids]]


def naming_departments(department_ids) -> models.Q:
    """Frozen rows in which one of the departments (by id, as frozen) leads or took the item back."""
    ids = sorted(set(department_ids))
    return models.Q(HoldsAnyId("lead_department_ids", ids)) | models.Q(receiving_department_id__in=ids)


class FrozenItemQuerySet(models.QuerySet):
    def naming(self, department_ids) -> "FrozenItemQuerySet":
        return self.filter(naming_departments(department_ids))


class FrozenItem(models.Model):
    """An item as it stood at one moment, with the names it had then (departments may be renamed
    later): the rows of a submission and of a published edition. Never changed once written."""

    # The fields two versions of an item are compared on, with their column names.
    COMPARED_FIELDS = {column.frozen_name: column.label for column in COMPARED_COLUMNS}

    key = models.UUIDField("事项标识")
    part = models.CharField("清单类型", max_length=20, choices=Part.choices)
    # The category path as it stood (names may change later): its ids and orders give the list's order.
    category = models.CharField("类别", max_length=50)
    category_order = models.PositiveIntegerField("类别排序")
    category_id = models.PositiveBigIntegerField("类别（编号）", null=True)
    category_parent = models.CharField("上级类别", max_length=50, blank=True)
    category_parent_order = models.PositiveIntegerField("上级类别排序", null=True)
    category_parent_id = models.PositiveBigIntegerField("上级类别（编号）", null=True)
    # Where the item came from: a catalogue entry (common item) or the township itself (individual).
    origin = models.CharField("来源", max_length=20, choices=DutyItem.Origin.choices, blank=True)
    catalogue_entry_id = models.PositiveBigIntegerField("目录事项（编号）", null=True)
    order = models.PositiveIntegerField("序号")
    name = models.CharField("事项名称", max_length=200)
    content = models.TextField("具体内容", blank=True)
    basis = models.TextField("依据", blank=True)
    remarks = models.TextField("备注", blank=True)
    office = models.CharField("责任科室", max_length=50, blank=True)
    lead_department_ids = models.JSONField("县级主责部门（编号）", default=list)
    lead_departments = models.CharField("县级主责部门", max_length=500, blank=True)
    department_duties = models.TextField("县级部门职责", blank=True)
    township_duties = models.TextField("乡镇（街道）配合职责", blank=True)
    support = models.TextField("履职保障", blank=True)
    receiving_department_id = models.PositiveBigIntegerField("收回（承接）部门（编号）", null=True)
    receiving_department = models.CharField("收回（承接）部门", max_length=50, blank=True)
    reclaim_reason = models.TextField("收回理由及工作方式", blank=True)
    is_safeguard = models.BooleanField("兜底事项", default=False)

    objects = FrozenItemQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("已冻结的事项（提交版本、公布版本）不能修改。")
        super().save(*args, **kwargs)

    def value(self, field: str):
        """A compared field's value, as it reads on the printed list."""
        return FROZEN_COLUMN[field].frozen_value(self)

    @staticmethod
    def values_of(item: "DutyItem") -> dict:
        """The frozen fields of a live item (its lead departments, category, office read once)."""
        parent = item.category.parent
        values = {
            "key": item.key,
            "category_order": item.category.order,
            "category_id": item.category_id,
            "category_parent": parent.name if parent else "",
            "category_parent_order": parent.order if parent else None,
            "category_parent_id": parent.pk if parent else None,
            "catalogue_entry_id": item.catalogue_entry_id,
        }
        for column in COLUMNS:
            if column.frozen:
                values.update(column.frozen_from(item))
        return values

    def frozen_values(self) -> dict:
        """This row's frozen fields, to copy into another frozen row."""
        return {f.attname: getattr(self, f.attname) for f in FrozenItem._meta.fields}
