"""Writes to duty items, shared by the back office, the workbench and imports.

Each write validates the item against its part's rules, bumps its version
(the optimistic lock the edit forms carry) and leaves exactly one historical
record per change, holding the row and its lead departments together, with
the acting user and the reason.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.signals import post_save

from . import permissions
from .models import PART_DEPENDENT_FIELDS, PART_FIELDS, CatalogueEntry, Department, DutyItem, DutyList, Part


class StaleItemError(Exception):
    """Someone saved the item after the editor loaded it."""

    def __init__(self, item: DutyItem, expected_version: int, current_version: int):
        self.item = item
        self.expected_version = expected_version
        self.current_version = current_version
        super().__init__(
            f"事项“{item.name}”已被他人修改（您编辑的是第 {expected_version} 版，"
            f"当前为第 {current_version} 版），请刷新后重新修改。"
        )


def _write_with_history(item, lead_departments, *, user, reason: str) -> None:
    """Save the row and its lead departments, then record one historical version.

    simple-history would otherwise record the row before its many-to-many value
    and once more per added or removed department.
    """
    created = item.pk is None
    if isinstance(item, DutyItem):
        item.list_version = bump_list_version(item.duty_list_id)
    item.skip_history_when_saving = True
    try:
        item.save()
        if lead_departments is not None:
            item.lead_departments.set(lead_departments)
    finally:
        del item.skip_history_when_saving
    record_history(item, created=created, user=user, reason=reason)


def bump_list_version(duty_list_id: int) -> int:
    """Count one more change to the list; concurrent writers to one list queue on its row."""
    # A counter, not an edit of the list: no historical record for it.
    DutyList.objects.filter(pk=duty_list_id).update(version=F("version") + 1)
    return DutyList.objects.values_list("version", flat=True).get(pk=duty_list_id)


def record_history(row, *, created: bool, user=None, reason: str = "") -> None:
    """Write the row's historical record as it stands, lead departments included."""
    if user is not None:
        row._history_user = user
    row._change_reason = reason or None
    # Sending post_save lets simple-history write its record now that the lead
    # departments are in place; the project connects no receivers of its own.
    post_save.send(sender=type(row), instance=row, created=created, raw=False, using=row._state.db)


def check_can_edit(user, item: DutyItem) -> None:
    """Refuse a write the user may not make; `user=None` is the system itself (imports, demo)."""
    if user is not None and not permissions.can_edit_item(user, item):
        raise PermissionDenied(f"您无权修改“{item.duty_list}”中的事项“{item.name}”。")


@transaction.atomic
def save_item(
    item: DutyItem,
    *,
    lead_departments: Iterable[Department] | None = None,
    user=None,
    reason: str = "",
    expected_version: int | None = None,
) -> DutyItem:
    """Validate and save one item (new or changed) with its lead departments.

    `lead_departments=None` leaves them as they are. With `expected_version`,
    the save is refused by `StaleItemError` if the stored item has moved on.
    With a `user`, the save is refused unless they may edit the item's list.
    """
    check_can_edit(user, item)
    if lead_departments is not None:
        lead_departments = list(lead_departments)
        item.set_pending_lead_departments(lead_departments)
    if item.pk is not None:
        current = DutyItem.objects.select_for_update().values_list("version", flat=True).get(pk=item.pk)
        if expected_version is not None and current != expected_version:
            raise StaleItemError(item, expected_version, current)
        item.version = current + 1
    item.full_clean()
    _write_with_history(item, lead_departments, user=user, reason=reason)
    return item


@transaction.atomic
def save_catalogue_entry(
    entry: CatalogueEntry,
    *,
    lead_departments: Iterable[Department] | None = None,
    user=None,
    reason: str = "",
) -> CatalogueEntry:
    """Validate and save a catalogue entry with its lead departments, as one historical record."""
    if user is not None and not permissions.can_manage_county(user, entry.catalogue.county_id):
        raise PermissionDenied(f"您无权修改目录“{entry.catalogue}”。")
    if lead_departments is not None:
        lead_departments = list(lead_departments)
        entry.set_pending_lead_departments(lead_departments)
    entry.full_clean()
    _write_with_history(entry, lead_departments, user=user, reason=reason)
    return entry


@transaction.atomic
def move_items_to_part(
    items: Iterable[DutyItem],
    *,
    part: str,
    reason: str,
    user=None,
    lead_departments: Iterable[Department] = (),
    receiving_department: Department | None = None,
    reclaim_reason: str = "",
) -> int:
    """Move items to another part as one change each, all or none.

    Fields the new part does not have are cleared (their old values stay in the
    history). A coordinated item keeps its township duties, or takes its
    content as township duties when it had none. Raises `ValidationError`
    naming every item that cannot be moved; then nothing is written.
    """
    if part not in Part.values:
        raise ValidationError("请选择要移入的清单类型。")
    if not reason.strip():
        raise ValidationError("移动事项必须填写理由。")
    lead_departments = list(lead_departments)
    items = list(
        DutyItem.objects.select_for_update(of=("self",))
        .filter(pk__in=[item.pk for item in items])
        .select_related("duty_list__township__county", "category", "responsible_office")
        .order_by("pk")
    )
    for item in items:
        check_can_edit(user, item)
    problems: list[str] = []
    moved = 0
    for item in items:
        if item.part == part:
            continue
        item.part = part
        for field in PART_DEPENDENT_FIELDS - PART_FIELDS[part]:
            if field != "lead_departments":
                setattr(item, field, None if item._meta.get_field(field).null else "")
        leads: list[Department] = []
        if part == Part.COORDINATED:
            leads = lead_departments
            item.township_duties = item.township_duties or item.content
        elif part == Part.RECLAIMED:
            item.receiving_department = receiving_department
            item.reclaim_reason = reclaim_reason.strip() or item.reclaim_reason
        item.set_pending_lead_departments(leads)
        item.version += 1
        try:
            item.full_clean()
        except ValidationError as error:
            messages = "；".join(m for ms in error.message_dict.values() for m in ms)
            problems.append(f"事项“{item.name}”：{messages}")
            continue
        _write_with_history(item, leads, user=user, reason=reason.strip())
        moved += 1
    if problems:
        raise ValidationError(problems)
    return moved
