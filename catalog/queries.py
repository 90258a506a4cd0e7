"""Reads for the workbench pages: each joins what its page shows in a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby

from django.db.models import Count, Max, Q, QuerySet

from . import permissions
from .columns import FIELD_NAMES, PART_FIELDS
from .comparison import FieldChange, compare_readings
from .models import (
    PUBLISHED_ORDER,
    Category,
    County,
    Department,
    DutyItem,
    DutyList,
    Office,
    Part,
    Province,
)


def part_counts() -> dict:
    """Annotations counting a list's active items per part, and its deleted ones."""
    active = Q(items__deleted_at__isnull=True)
    counts = {f"{part}_count": Count("items", filter=active & Q(items__part=part)) for part in Part.values}
    counts["deleted_count"] = Count("items", filter=Q(items__deleted_at__isnull=False))
    return counts


def lists_for_home(user) -> list[DutyList]:
    """The lists on the user's 我的工作 page, each marked with whether the user may edit it."""
    lists = list(
        permissions.visible_lists(user)
        .select_related("township__county")
        .annotate(**part_counts())
        .order_by("township__county__code", "township__order", "-year", "-pk")
    )
    for duty_list in lists:
        duty_list.is_editable = permissions.can_edit_list(user, duty_list)
    return lists


def current_draft(township) -> DutyList | None:
    """The list being worked on: the township's list not yet approved (at most one)."""
    return township.duty_lists.exclude(stage__in=DutyList.LOCKED_STAGES).order_by("-year", "-pk").first()


def current_drafts(county) -> list[DutyList]:
    """Every township's list being worked on, in the county's order (one query)."""
    return list(
        DutyList.objects.filter(township__county=county)
        .exclude(stage__in=DutyList.LOCKED_STAGES)
        .select_related("township")
        .order_by("township__order", "township__code")
    )


def list_for_editor(list_id: int) -> DutyList:
    return DutyList.objects.select_related("township__county").annotate(**part_counts()).get(pk=list_id)


@dataclass
class CategoryGroup:
    category: Category
    items: list[DutyItem]


@dataclass
class PartSection:
    part: Part
    count: int
    groups: list[CategoryGroup] = field(default_factory=list)

    @property
    def columns(self) -> frozenset:
        return PART_FIELDS[self.part]

    @property
    def shown(self) -> int:
        return sum(len(group.items) for group in self.groups)


def editor_items(duty_list: DutyList) -> QuerySet[DutyItem]:
    return (
        DutyItem.objects.filter(duty_list=duty_list)
        .select_related("category__parent", "responsible_office", "receiving_department")
        .prefetch_related("lead_departments")
        .order_by(*PUBLISHED_ORDER)
    )


def filter_items(items: QuerySet[DutyItem], filters: dict) -> QuerySet[DutyItem]:
    if filters.get("category"):
        items = items.filter(Q(category_id=filters["category"]) | Q(category__parent_id=filters["category"]))
    if filters.get("office"):
        items = items.filter(responsible_office_id=filters["office"])
    if filters.get("department"):
        department = filters["department"]
        items = items.filter(
            Q(
                pk__in=DutyItem.lead_departments.through.objects.filter(department_id=department).values(
                    "dutyitem_id"
                )
            )
            | Q(receiving_department_id=department)
        )
    if filters.get("safeguard"):
        items = items.filter(is_safeguard=True)
    if filters.get("q"):
        words = filters["q"].split()
        for word in words:
            items = items.filter(
                Q(name__icontains=word) | Q(content__icontains=word) | Q(basis__icontains=word)
            )
    return items


def editor_sections(duty_list: DutyList, filters: dict) -> tuple[list[PartSection], list[DutyItem]]:
    """The list's active items per part, grouped by category in published order, and its deleted items."""
    items = filter_items(editor_items(duty_list), filters)
    active, deleted = [], []
    for item in items:
        (deleted if item.deleted_at else active).append(item)
    sections = []
    for part in Part:
        section = PartSection(part=part, count=getattr(duty_list, f"{part}_count"))
        in_part = [item for item in active if item.part == part]
        for _category_id, group in groupby(in_part, key=lambda item: item.category_id):
            group_items = list(group)
            section.groups.append(CategoryGroup(category=group_items[0].category, items=group_items))
        sections.append(section)
    return sections, deleted


def filter_choices(duty_list: DutyList) -> dict:
    township = duty_list.township
    return {
        "categories": list(township.county.categories.all()),
        "offices": list(township.offices.all()),
        "departments": list(Department.objects.filter(county_id=township.county_id)),
    }


# History


# The lead departments stored with each historical record of an item, as a
# relation that prefetch_related understands.
HISTORY_LEADS = "historicaldutyitem_lead_departments_set"

# Fields compared between versions: the columns, and whether the item was deleted.
COMPARED_FIELDS = [*FIELD_NAMES, "deleted_at"]


class ValueNames:
    """Turns stored values of historical records into what a person reads, from one lookup each."""

    def __init__(self, county_id: int):
        self.categories = {c.pk: c.name for c in Category.objects.filter(county_id=county_id)}
        self.departments = {d.pk: d.name for d in Department.objects.filter(county_id=county_id)}
        self.offices = {o.pk: o.name for o in Office.objects.filter(township__county_id=county_id)}

    def show(self, name: str, raw) -> str:
        """A stored value as a person reads it: ids become names, flags 是/否."""
        if name == "lead_departments":
            return "、".join(self.departments.get(pk, f"#{pk}") for pk in sorted(raw or []))
        if raw in (None, ""):
            return ""
        if name == "part":
            return Part(raw).label
        if name == "origin":
            return DutyItem.Origin(raw).label
        if name == "category":
            return self.categories.get(raw, f"#{raw}")
        if name == "responsible_office":
            return self.offices.get(raw, f"#{raw}")
        if name == "receiving_department":
            return self.departments.get(raw, f"#{raw}")
        if name == "is_safeguard":
            return "是" if raw else "否"
        if name == "deleted_at":
            return "已删除" if raw else ""
        return str(raw).strip()

    def values(self, record) -> dict[str, str]:
        """Every compared field of a historical record."""
        raw = {
            name: getattr(record, DutyItem._meta.get_field(name).attname, None) for name in COMPARED_FIELDS
        }
        raw["lead_departments"] = [row.department_id for row in getattr(record, HISTORY_LEADS).all()]
        return {name: self.show(name, value) for name, value in raw.items()}

    def form_values(self, form) -> dict[str, str]:
        """The fields of a bound item form, as the user filled them in."""
        shown = {}
        for name in form.fields:
            if name not in COMPARED_FIELDS:
                continue
            value = form.cleaned_data.get(name, form.data.get(name, ""))
            if name == "lead_departments":
                value = [department.pk for department in value or []]
            elif hasattr(value, "pk"):
                value = value.pk
            shown[name] = self.show(name, value)
        return shown


def conflict_rows(names: ValueNames, record, form) -> list[tuple[str, str, str]]:
    """(field, their saved value, the user's value) wherever the two differ."""
    theirs, mine = names.values(record), names.form_values(form)
    return [(c.label, c.before, c.after) for c in compare_readings(theirs, mine, mine) if c.changed]


def compare(names: ValueNames, before, after) -> list[FieldChange]:
    """Every compared field of two historical records (`before` None: the item was new)."""
    old = names.values(before) if before is not None else dict.fromkeys(COMPARED_FIELDS, "")
    deleted = {"deleted_at": str(DutyItem._meta.get_field("deleted_at").verbose_name)}
    return compare_readings(old, names.values(after), COMPARED_FIELDS, labels=deleted)


def person(user) -> str:
    """How a historical record names who made the change."""
    if user is None:
        return "系统"
    return user.get_full_name() or user.first_name or user.username


def item_versions(item: DutyItem) -> list:
    """Every version of an item, newest first, each with what changed from the one before."""
    records = list(item.history.select_related("history_user").prefetch_related(HISTORY_LEADS))
    names = ValueNames(item.duty_list.township.county_id)
    for record, previous in zip(records, [*records[1:], None], strict=True):
        record.changes = [change for change in compare(names, previous, record) if change.changed]
        record.by = person(record.history_user)
    return records


@dataclass
class FeedEntry:
    record: object
    changes: list[FieldChange]

    @property
    def kind(self) -> str:
        if self.record.history_type == "+":
            return "新增"
        if any(c.name == "deleted_at" for c in self.changes):
            return "删除" if self.record.deleted_at else "恢复"
        if any(c.name == "part" for c in self.changes):
            return "移动"
        return "修改"


def list_changes(
    duty_list: DutyList, *, since_version: int | None = None, since: datetime | None = None
) -> list[FeedEntry]:
    """What changed in the list after a version number or a moment, newest first."""
    history = DutyItem.history.filter(duty_list_id=duty_list.pk)
    recent = history
    if since_version is not None:
        recent = recent.filter(list_version__gt=since_version)
    if since is not None:
        recent = recent.filter(history_date__gte=since)
    records = list(
        recent.select_related("history_user").prefetch_related(HISTORY_LEADS).order_by("-history_id")
    )
    if not records:
        return []
    # The version just before the oldest listed change of each item, to diff against.
    item_ids = {record.id for record in records}
    before = (
        history.filter(id__in=item_ids, history_id__lt=records[-1].history_id)
        .order_by()
        .values("id")
        .annotate(last=Max("history_id"))
        .values_list("last", flat=True)
    )
    previous_of = {
        record.id: record
        for record in history.filter(history_id__in=list(before)).prefetch_related(HISTORY_LEADS)
    }
    names = ValueNames(duty_list.township.county_id)
    entries = []
    for record in reversed(records):
        previous = previous_of.get(record.id)
        record.by = person(record.history_user)
        entries.append(FeedEntry(record, [c for c in compare(names, previous, record) if c.changed]))
        previous_of[record.id] = record
    entries.reverse()
    return entries


def province_catalogue_links(user) -> tuple[list[Province], list[County]]:
    """The provinces whose reference catalogues a province or city editor reads, and the counties the
    user claims for whose province has a catalogue (我的工作's links; two queries at most)."""
    regions = permissions.region_memberships_of(user)
    province_ids = {m.province_id or m.city.province_id for m in regions}
    provinces = list(Province.objects.filter(pk__in=province_ids)) if province_ids else []
    edited = permissions.edited_county_ids(user)
    counties = []
    if edited:
        counties = list(
            County.objects.filter(pk__in=edited, city__province__catalogues__isnull=False)
            .distinct()
            .order_by("code")
        )
    return provinces, counties
