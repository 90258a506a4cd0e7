"""Writes to duty items, shared by the back office, the workbench and imports.

Each write validates the item against its part's rules, bumps its version
(the optimistic lock the edit forms carry) and leaves exactly one historical
record per change, holding the row and its lead departments together, with
the acting user and the reason.
"""

import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from . import permissions
from .actors import permits, recorded_user
from .columns import FIELD_NAMES, PART_DEPENDENT_FIELDS, PART_FIELDS, WORK_FIELDS
from .models import (
    PUBLISHED_ORDER,
    Catalogue,
    CatalogueEntry,
    Department,
    DutyItem,
    DutyList,
    Part,
    Township,
)
from .refusals import Conflict, Forbidden, Invalid, PreconditionFailed, Refused

# The parts whose work column says what the township itself does.
TOWNSHIP_WORK_PARTS = {Part.BASIC, Part.COORDINATED}


class StaleItemError(Refused, Exception):
    """Someone saved the item after the editor loaded it (409)."""

    status = 409
    code = "stale_version"

    def __init__(self, item: DutyItem, expected_version: int, current_version: int):
        self.item = item
        self.expected_version = expected_version
        self.current_version = current_version
        super().__init__(
            f"事项“{item.name}”已被他人修改（您编辑的是第 {expected_version} 版，"
            f"当前为第 {current_version} 版），请刷新后重新修改。"
        )


def _write_with_history(item, lead_departments, *, by, reason: str) -> None:
    """Save the row and its lead departments, then record one historical version of both."""
    created = item.pk is None
    if isinstance(item, DutyItem):
        item.list_version = bump_list_version(item.duty_list_id)
    # simple-history would otherwise record the row before its lead departments, and once
    # more per department added or removed.
    item.skip_history_when_saving = True
    try:
        item.save()
        if lead_departments is not None:
            item.lead_departments.set(lead_departments)
    finally:
        del item.skip_history_when_saving
    record_history([item], created=created, by=by, reason=reason)


def bump_list_version(duty_list_id: int) -> int:
    """Count one more change to the list; concurrent writers to one list queue on its row."""
    # A counter, not an edit of the list: no historical record for it.
    DutyList.objects.filter(pk=duty_list_id).update(version=F("version") + 1)
    return DutyList.objects.values_list("version", flat=True).get(pk=duty_list_id)


def record_history(rows: list, *, created: bool, by, reason: str = "") -> None:
    """Write one historical record per row as it stands, its many-to-many values included.

    Through simple-history's bulk API (`bulk_history_create`), after the rows and their
    many-to-many links are written; each link is copied into the record's history of that field.
    Without `user`, the request's user is recorded (simple-history's middleware), as on save.
    """
    if not rows:
        return
    model = type(rows[0])
    records = model.history.bulk_history_create(
        rows, update=not created, default_user=recorded_user(by), default_change_reason=reason
    )
    record_of = {record.id: record for record in records}
    for field in model.history.model._history_m2m_fields:
        recorded = getattr(model.history.model, field.name).model
        through = field.remote_field.through
        source = field.m2m_field_name()
        links = through.objects.filter(**{f"{source}__in": list(record_of)})
        recorded.objects.bulk_create(
            recorded(
                history=record_of[getattr(link, f"{source}_id")],
                **{f.attname: getattr(link, f.attname) for f in through._meta.fields},
            )
            for link in links
        )


def check_active(item: DutyItem) -> None:
    """Deleted items are only restored or looked at."""
    if item.deleted_at is not None:
        raise Conflict(f"事项“{item.name}”已删除，请先在“已删除”中恢复。", code="deleted_item")


def check_can_edit(by, item: DutyItem) -> None:
    """Refuse a write the actor may not make (`by`: a user or `actors.SYSTEM`)."""
    if item.is_decided:
        raise Forbidden(f"事项“{item.name}”已经协调拍板，本轮审核中不能再修改。", code="decided_item")
    if not permits(by, permissions.can_edit_item, item):
        raise Forbidden(f"您无权修改“{item.duty_list}”中的事项“{item.name}”。", code="cannot_edit_list")


def lock_list(duty_list_id: int) -> DutyList:
    """The list as it stands now, its row locked until the transaction ends.

    Every write to a list's items starts here and checks the stage on the row it
    returns, so an edit and a stage change (which takes the same lock in
    `review.workflow.perform`) cannot interleave: the edit is either in the text a
    submission freezes or refused by the new stage.
    """
    return DutyList.objects.select_for_update(of=("self",)).select_related("township").get(pk=duty_list_id)


def lock_for_edit(by, item: DutyItem) -> None:
    """Take the item's list lock and check, on the rows as stored, that the user may still write it."""
    item.duty_list = lock_list(item.duty_list_id)
    if item.pk is not None:
        item.is_decided = DutyItem.objects.values_list("is_decided", flat=True).get(pk=item.pk)
    check_can_edit(by, item)


@transaction.atomic
def save_item(
    item: DutyItem,
    *,
    lead_departments: Iterable[Department] | None = None,
    by,
    reason: str = "",
    expected_version: int | None = None,
    decided: bool = False,
) -> DutyItem:
    """Validate and save one item (new or changed) with its lead departments.

    `lead_departments=None` leaves them as they are. With `expected_version`,
    the save is refused by `StaleItemError` if the stored item has moved on.
    With a `user`, the save is refused unless they may edit the item's list.
    `decided=True` writes a decision on a dispute (the caller checked that the
    user may decide it), after which the item is locked for the cycle.
    """
    if decided:
        item.duty_list = lock_list(item.duty_list_id)
        item.is_decided = True
    else:
        # Whatever the caller's copy says, the stage and the decision lock are read under the lock.
        lock_for_edit(by, item)
    if lead_departments is not None:
        lead_departments = list(lead_departments)
        item.set_pending_lead_departments(lead_departments)
    if item.pk is not None:
        current, part, category_id, order, deleted_at, duty_list_id = (
            DutyItem.objects.select_for_update()
            .values_list("version", "part", "category_id", "order", "deleted_at", "duty_list_id")
            .get(pk=item.pk)
        )
        if duty_list_id != item.duty_list_id:
            raise Invalid(f"事项“{item.name}”不能移到另一份清单。", code="other_list")
        if expected_version is not None and current != expected_version:
            raise StaleItemError(item, expected_version, current)
        if deleted_at is not None and item.deleted_at is not None:
            raise Conflict(f"事项“{item.name}”已删除，请先在“已删除”中恢复。", code="deleted_item")
        item.version = current + 1
        if (item.part, item.category_id) != (part, category_id) and item.order == order:
            # Into another category or part: at its end, so 序号 do not collide.
            item.order = next_order(item.duty_list, item.part, item.category_id)
    item.full_clean()
    _write_with_history(item, lead_departments, by=by, reason=reason)
    return item


@transaction.atomic
def save_catalogue_entry(
    entry: CatalogueEntry,
    *,
    lead_departments: Iterable[Department] | None = None,
    by,
    reason: str = "",
) -> CatalogueEntry:
    """Validate and save a catalogue entry with its lead departments, as one historical record."""
    if not permits(by, permissions.can_edit_catalogue, entry.catalogue):
        raise Forbidden(f"您无权修改目录“{entry.catalogue}”。", code="cannot_manage_catalogue")
    if lead_departments is not None:
        lead_departments = list(lead_departments)
        entry.set_pending_lead_departments(lead_departments)
    entry.full_clean()
    _write_with_history(entry, lead_departments, by=by, reason=reason)
    return entry


@transaction.atomic
def move_items_to_part(
    items: Iterable[DutyItem],
    *,
    part: str,
    reason: str,
    by,
    lead_departments: Iterable[Department] = (),
    receiving_department: Department | None = None,
    work: str = "",
    expected_versions: dict[int, int] | None = None,
) -> int:
    """Move items to another part as one change each, all or none.

    Fields the new part does not have are cleared (their old values stay in the
    history). `work` is what the item does in its new part (that part's work
    column, `WORK_FIELDS`); see `set_part`. Refuses (`breaks_item_rules`, on the
    column of the first problem) naming every item that cannot be moved; then
    nothing is written.
    """
    if part not in Part.values:
        raise Invalid("请选择要移入的清单类型。", code="required", field="part")
    if not reason.strip():
        raise Invalid("移动事项必须填写理由。", code="required", field="reason")
    lead_departments = list(lead_departments)
    ids = [item.pk for item in items]
    lists = {
        pk: lock_list(pk)
        for pk in sorted(set(DutyItem.objects.filter(pk__in=ids).values_list("duty_list_id", flat=True)))
    }
    items = list(
        DutyItem.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("category", "responsible_office")
        .order_by("pk")
    )
    for item in items:
        item.duty_list = lists[item.duty_list_id]
        check_can_edit(by, item)
        check_active(item)
        expected = (expected_versions or {}).get(item.pk)
        if expected is not None and expected != item.version:
            raise StaleItemError(item, expected, item.version)
    problems: list[str] = []
    concerned = ""  # the column of the first problem
    moved = 0
    for item in items:
        if item.part == part:
            continue
        leads = set_part(
            item,
            part,
            lead_departments=lead_departments,
            receiving_department=receiving_department,
            work=work,
        )
        item.version += 1
        try:
            item.full_clean()
        except ValidationError as error:
            messages = "；".join(m for ms in error.message_dict.values() for m in ms)
            problems.append(f"事项“{item.name}”：{messages}")
            concerned = concerned or next(iter(error.message_dict), "")
            continue
        _write_with_history(item, leads, by=by, reason=reason.strip())
        moved += 1
    if problems:
        raise Invalid(problems, code="breaks_item_rules", field=concerned)
    return moved


def set_part(
    item: DutyItem,
    part: str,
    *,
    lead_departments: Iterable[Department] = (),
    receiving_department: Department | None = None,
    work: str = "",
) -> list[Department]:
    """Put an unsaved item into another part; returns its lead departments there.

    Fields the new part does not have are cleared. The new part's work column
    (`WORK_FIELDS`) takes `work`, else keeps its value; what the township does
    carries over between 具体内容 and 乡镇（街道）配合职责, the two parts in which
    the township does the work.
    """
    township_work = item.content or item.township_duties
    item.part = part
    for field in PART_DEPENDENT_FIELDS - PART_FIELDS[part]:
        if field != "lead_departments":
            setattr(item, field, None if item._meta.get_field(field).null else "")
    field = WORK_FIELDS[part]
    carried = township_work if part in TOWNSHIP_WORK_PARTS else ""
    setattr(item, field, work.strip() or getattr(item, field) or carried)
    leads = list(lead_departments) if part == Part.COORDINATED else []
    if part == Part.RECLAIMED:
        item.receiving_department = receiving_department or item.receiving_department
    item.set_pending_lead_departments(leads)
    return leads


# The workbench's edits. Each takes the acting user and checks it may edit.


def current_year() -> int:
    return timezone.localdate().year


@transaction.atomic
def add_items(
    duty_list: DutyList, entries: list[tuple[DutyItem, list[Department]]], *, by, reason: str = ""
) -> list[DutyItem]:
    """Add many new items at once (imports, new lists): one list version, one history record each.

    Each item is validated as `save_item` would; the rows, their lead departments
    and their history are then written in a few bulk statements.
    """
    duty_list = lock_list(duty_list.pk)
    if not permits(by, permissions.can_edit_list, duty_list):
        raise Forbidden(f"您无权修改“{duty_list}”。", code="cannot_edit_list")
    items = []
    for item, leads in entries:
        item.duty_list = duty_list
        item.set_pending_lead_departments(leads)
        # New keys are fresh UUIDs: the per-row uniqueness queries would find nothing.
        item.full_clean(validate_unique=False, validate_constraints=False)
        items.append(item)
    if not items:
        return []
    list_version = bump_list_version(duty_list.pk)
    for item in items:
        item.version, item.list_version = 1, list_version
    DutyItem.objects.bulk_create(items)
    through = DutyItem.lead_departments.through
    through.objects.bulk_create(
        [through(dutyitem_id=item.pk, department_id=d.pk) for item, leads in entries for d in leads]
    )
    record_history(items, created=True, by=by, reason=reason)
    return items


def next_order(duty_list: DutyList, part: str, category_id: int | None) -> int:
    last = (
        DutyItem.objects.active()
        .filter(duty_list=duty_list, part=part, category_id=category_id)
        .aggregate(last=Max("order"))["last"]
    )
    return (last or 0) + 1


@transaction.atomic
def create_item(
    item: DutyItem, *, lead_departments: Iterable[Department] = (), by, reason: str = "新增事项"
) -> DutyItem:
    """Add a new item at the end of its category (unless it has an order).

    The add form draws the new item's key: the same form sent twice (a double
    click, a resent request) finds the item the first one made and returns it
    unchanged. Writers to one list queue on its row, so the second sees the first.
    """
    lock_for_edit(by, item)
    existing = DutyItem.objects.filter(duty_list_id=item.duty_list_id, key=item.key).first()
    if existing is not None:
        return existing
    if not item.order:
        item.order = next_order(item.duty_list, item.part, item.category_id)
    return save_item(item, lead_departments=lead_departments, by=by, reason=reason)


@transaction.atomic
def delete_item(item: DutyItem, *, by, reason: str = "", expected_version: int | None = None) -> DutyItem:
    """Soft delete: the item leaves the list but stays restorable with its history."""
    check_active(item)
    item.deleted_at = timezone.now()
    return save_item(item, by=by, reason=reason or "删除事项", expected_version=expected_version)


@transaction.atomic
def restore_item(item: DutyItem, *, by, expected_version: int | None = None) -> DutyItem:
    """Bring a deleted item back, at the end of its category."""
    if item.deleted_at is None:
        raise Conflict(f"事项“{item.name}”没有被删除。", code="not_deleted")
    item.deleted_at = None
    item.order = next_order(item.duty_list, item.part, item.category_id)
    return save_item(item, by=by, reason="恢复已删除事项", expected_version=expected_version)


@transaction.atomic
def move_item_in_category(item: DutyItem, *, step: int, by, expected_version: int | None = None) -> DutyItem:
    """Move an item up (step -1) or down (+1) among the active items of its category.

    The category is renumbered 1..n as it goes; only items whose 序号 changes
    get a new version.
    """
    lock_for_edit(by, item)
    check_active(item)
    if expected_version is not None and expected_version != item.version:
        raise StaleItemError(item, expected_version, item.version)
    siblings = list(
        DutyItem.objects.select_for_update(of=("self",))
        .active()
        .filter(duty_list_id=item.duty_list_id, part=item.part, category_id=item.category_id)
        .order_by("order", "id")
    )
    position = next(i for i, sibling in enumerate(siblings) if sibling.pk == item.pk)
    target = position + step
    if not 0 <= target < len(siblings):
        return item
    siblings[position], siblings[target] = siblings[target], siblings[position]
    for number, sibling in enumerate(siblings, start=1):
        if sibling.order != number:
            sibling.order = number
            save_item(sibling, by=by, reason="调整序号")
    return next(sibling for sibling in siblings if sibling.pk == item.pk)


@transaction.atomic
def duplicate_item(item: DutyItem, *, by) -> DutyItem:
    """A new individual item with the same content, at the end of the original's category."""
    check_active(item)
    leads = list(item.lead_departments.all())
    copy = DutyItem.objects.get(pk=item.pk)
    copy.pk = copy.id = None
    copy._state.adding = True
    copy.key = uuid.uuid4()
    copy.name = f"{item.name}（副本）"[: DutyItem._meta.get_field("name").max_length]
    copy.origin = DutyItem.Origin.INDIVIDUAL
    copy.catalogue_entry = None
    copy.version = 1
    copy.order = 0
    copy.is_decided = False
    return create_item(copy, lead_departments=leads, by=by, reason=f"复制自“{item.name}”")


# Fields a revert takes from an old version; identity, counters and the list stay.
REVERT_SKIPS = {"id", "duty_list", "key", "version", "list_version", "is_decided"}


@transaction.atomic
def revert_item(item: DutyItem, record, *, by, reason: str, expected_version: int | None = None) -> DutyItem:
    """Restore the values of an earlier version, recorded as a new change with a reason."""
    if not reason.strip():
        raise Invalid("恢复到历史版本必须填写理由。", code="required", field="reason")
    if record.id != item.pk:
        raise Invalid("所选历史版本不属于该事项。", code="other_item", field="version")
    for field in DutyItem._meta.concrete_fields:
        if field.name not in REVERT_SKIPS:
            setattr(item, field.attname, getattr(record, field.attname))
    leads = Department.objects.filter(pk__in=[row.department_id for row in record.lead_departments.all()])
    return save_item(
        item,
        lead_departments=leads,
        by=by,
        reason=f"恢复到第 {record.version} 版：{reason.strip()}",
        expected_version=expected_version,
    )


@transaction.atomic
def update_list_details(duty_list: DutyList, *, title: str, year: int, by) -> DutyList:
    """Change a list's title and year, nothing else: its stage and version belong to the workflow."""
    locked = lock_list(duty_list.pk)
    if not permits(by, permissions.can_edit_list, locked):
        raise Forbidden(
            f"清单“{locked}”处于“{locked.get_stage_display()}”阶段，不能修改。", code="cannot_edit_list"
        )
    locked.title, locked.year = title, year
    locked.full_clean(exclude=["township"], validate_constraints=False)
    locked._history_user = recorded_user(by)
    locked.save(update_fields=["title", "year", "updated_at"])
    return locked


# Starting a township's draft.


@transaction.atomic
def start_list(
    township: Township,
    *,
    title: str,
    year: int,
    by,
    catalogue: Catalogue | None = None,
    source: DutyList | None = None,
    copy_without_offices: bool = False,
) -> DutyList:
    """Create a township's draft from a county catalogue or by copying another list.

    Items from a catalogue are common items linked to their entry; copied items
    keep their origin and entry link, and take the township's office of the same
    name where the source named one.
    """
    if not permits(by, permissions.can_start_list, township):
        raise Forbidden(f"您无权为{township.name}创建清单。", code="cannot_start_list")
    open_list = township.duty_lists.exclude(stage__in=DutyList.LOCKED_STAGES).first()
    if open_list is not None:
        raise Conflict(
            f"{township.name}已有尚未审定的清单“{open_list.title}”，请在该清单中修改，不必新建。",
            code="open_list_exists",
        )
    if (catalogue is None) == (source is None):
        raise Invalid("请选择一个来源：县级目录或其他乡镇（街道）的清单。", code="one_source", field="source")
    origin_county = catalogue.county_id if catalogue else source.township.county_id
    if origin_county != township.county_id:
        raise Invalid(
            "只能使用本县的目录或清单。", code="other_county", field="catalogue" if catalogue else "source"
        )
    duty_list = create_list(township, title=title, year=year)
    entries: list[tuple[DutyItem, list[Department]]] = []
    if catalogue is not None:
        rows = catalogue.entries.select_related("category").prefetch_related("lead_departments")
        positions: dict[tuple[str, int], int] = {}
        for entry in rows.order_by("part", "category__order", "order", "id"):
            if entry.category_id is None:
                raise PreconditionFailed(
                    [f"目录事项“{entry.name}”没有类别，请先在目录中补充。"], code="entry_without_category"
                )
            position = positions[(entry.part, entry.category_id)] = (
                positions.get((entry.part, entry.category_id), 0) + 1
            )
            item = DutyItem(
                origin=DutyItem.Origin.COMMON,
                catalogue_entry=entry,
                name=entry.name,
                category=entry.category,
                order=position,
                content=entry.content,
                basis=entry.basis,
                **{field: getattr(entry, field) for field in COPIED_PART_FIELDS},
            )
            entries.append((item, list(entry.lead_departments.all())))
        reason = f"由“{catalogue.name}”生成"
    else:
        offices = {office.name: office for office in township.offices.all()}
        rows = (
            source.items.active()
            .select_related("category", "responsible_office")
            .prefetch_related("lead_departments")
        )
        unmatched = []
        for original in rows.order_by(*PUBLISHED_ORDER):
            office = None
            if original.responsible_office is not None:
                office = offices.get(original.responsible_office.name)
                if office is None:
                    unmatched.append(f"“{original.name}”的责任科室“{original.responsible_office.name}”")
            item = DutyItem(
                origin=original.origin,
                catalogue_entry_id=original.catalogue_entry_id,
                name=original.name,
                category=original.category,
                order=original.order,
                content=original.content,
                basis=original.basis,
                remarks=original.remarks,
                responsible_office=office,
                **{field: getattr(original, field) for field in COPIED_PART_FIELDS},
            )
            if source.township_id == township.pk:
                # The township's next draft: its items stay the same items (permalinks, change logs).
                item.key = original.key
            entries.append((item, list(original.lead_departments.all())))
        if unmatched and not copy_without_offices:
            raise PreconditionFailed(
                [
                    f"{township.name}没有以下事项的责任科室，复制后将为空：{'；'.join(unmatched[:10])}"
                    f"{'等' if len(unmatched) > 10 else ''}（共 {len(unmatched)} 项）。"
                    "请先在后台为该乡镇（街道）添加同名科室，或确认不带责任科室复制。"
                ],
                code="offices_missing",
                field="copy_without_offices",
            )
        reason = f"复制自“{source.title}”"
    add_items(duty_list, entries, by=by, reason=reason)
    return duty_list


def create_list(township: Township, *, title: str, year: int) -> DutyList:
    """A new open list; the database keeps it to one per township even when two arrive at once."""
    try:
        with transaction.atomic():
            return DutyList.objects.create(township=township, title=title, year=year)
    except IntegrityError:
        raise Conflict(
            f"{township.name}刚刚已有人新建了清单（或这次操作提交了两次），未重复新建。请到“我的工作”中打开该清单。",
            code="open_list_exists",
        ) from None


# The columns a new item takes as they are from a catalogue entry or the item it copies: those a
# catalogue entry has too, besides the ones the copy sets itself.
COPIED_PART_FIELDS = [
    name
    for name in FIELD_NAMES
    if name not in {"category", "order", "name", "content", "basis"}
    and any(field.name == name for field in CatalogueEntry._meta.concrete_fields)
]
