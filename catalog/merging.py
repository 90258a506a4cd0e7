"""Merging a duplicate office, department or category into the record kept.

Every row that refers to the duplicate — found through the model's relations, so a reference
added later is not forgotten — is moved to the kept record, and the duplicate is deleted. Rows
that keep history get a record naming the merge; rows without history (decisions, invitations,
adjustments' items) are moved in place, since both records name the same body. History rows are
left as they were: they tell what was. Frozen rows (submissions, editions) hold names as text and
ids as plain numbers and are never rewritten; the duplicate's name and id stay findable through
the alias the merge writes (`NameAlias.merged_id`).

A merge stays inside one county (an office's: inside one township), is the county editor's, and
refuses a record merged into itself.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.models import HistoricalChanges
from simple_history.utils import NotHistoricalModelError, get_history_manager_for_model

from . import permissions
from .actors import permits, recorded_user
from .models import CatalogueEntry, Category, Department, DutyItem, DutyList, Membership, NameAlias, Office
from .refusals import Conflict, Forbidden, Invalid

KINDS = {
    Office: NameAlias.Kind.OFFICE,
    Department: NameAlias.Kind.DEPARTMENT,
    Category: NameAlias.Kind.CATEGORY,
}
# Rows that would duplicate one the kept record already has are dropped: the person keeps the same
# role in the kept department.
DROPPED_WHEN_DUPLICATED = {Membership}
# Rows moved to another category go after the kept category's own rows, within their list and part.
ORDER_GROUPS = {DutyItem: ("duty_list_id", "part"), CatalogueEntry: ("catalogue_id", "part")}


@dataclass
class Reference:
    """One way rows point at a record: a foreign key, or a many-to-many field of another model."""

    model: type[models.Model]
    field: models.Field

    @property
    def label(self) -> str:
        verbose = self.model._meta.verbose_name
        return f"{verbose}（{self.field.verbose_name}）"

    @property
    def many(self) -> bool:
        return self.field.many_to_many

    def rows(self, record) -> models.QuerySet:
        return self.model._base_manager.filter(**{self.field.name: record})


def references(model: type[models.Model]) -> list[Reference]:
    """Every relation pointing at `model`, apart from history tables and automatic link tables."""
    found = []
    for relation in model._meta.get_fields(include_hidden=True):
        if not (relation.is_relation and relation.auto_created and not relation.concrete):
            continue
        related = relation.related_model
        if issubclass(related, HistoricalChanges):
            continue
        if relation.many_to_many:
            if relation.through._meta.auto_created:  # else its own foreign key is the reference
                found.append(Reference(related, relation.field))
        elif not related._meta.auto_created:
            found.append(Reference(related, relation.field))
    return sorted(found, key=lambda r: (r.model._meta.label, r.field.name))


def reference_counts(record) -> list[tuple[str, int]]:
    """How many rows of each kind refer to the record: what a merge would move."""
    counts = [(reference.label, reference.rows(record).count()) for reference in references(type(record))]
    return [(label, count) for label, count in counts if count]


def county_id_of(record) -> int:
    return record.township.county_id if isinstance(record, Office) else record.county_id


def label_of(record) -> str:
    return KINDS[type(record)].label


def check_merge(duplicate, kept, by) -> None:
    """Refuse a merge that may not happen, with the reason in Chinese; writes nothing."""
    label = label_of(duplicate)
    if type(kept) is not type(duplicate):
        raise Invalid(f"只能合并到另一个{label}。", code="merge_other_kind")
    if duplicate.pk == kept.pk:
        raise Invalid(f"不能把{label}“{duplicate.name}”合并到它自己。", code="merge_into_itself")
    if county_id_of(duplicate) != county_id_of(kept):
        raise Invalid(
            f"不能跨县合并：“{duplicate.name}”和“{kept.name}”属于不同的县。", code="merge_across_counties"
        )
    if not permits(by, permissions.can_manage_county, county_id_of(duplicate)):
        raise Forbidden(f"只有本县的县委编办可以合并{label}。", code="cannot_merge")
    if isinstance(duplicate, Office) and duplicate.township_id != kept.township_id:
        raise Invalid(
            f"只能合并同一乡镇（街道）的科室：“{duplicate}”和“{kept}”属于不同的乡镇（街道）。",
            code="merge_across_townships",
        )
    if isinstance(duplicate, Category):
        check_category_merge(duplicate, kept)


def check_category_merge(duplicate: Category, kept: Category) -> None:
    if kept.parent_id == duplicate.pk:
        raise Invalid(
            f"“{kept.name}”是“{duplicate.name}”的下级类别，不能把上级类别合并到它的下级。",
            code="merge_into_child",
        )
    if kept.parent_id is not None and duplicate.children.exists():
        raise Invalid(
            f"“{duplicate.name}”有下级类别，合并到下级类别“{kept.name}”后将超过两级，请先处理其下级类别。",
            code="merge_too_deep",
        )


@transaction.atomic
def merge(duplicate, kept, *, by) -> dict[str, int]:
    """Move every reference from `duplicate` to `kept`, delete `duplicate`; returns rows moved by kind."""
    check_merge(duplicate, kept, by)
    person = recorded_user(by)  # whom the history records name
    model = type(duplicate)
    locked = {
        r.pk: r
        for r in model.objects.select_for_update().filter(pk__in=[duplicate.pk, kept.pk]).order_by("pk")
    }
    duplicate, kept = locked[duplicate.pk], locked[kept.pk]
    reason = f"合并{label_of(duplicate)}：“{duplicate.name}”并入“{kept.name}”"
    lock_lists(duplicate)
    moved = {}
    for reference in references(model):
        count = move(reference, duplicate, kept, reason=reason, recorded_by=person)
        if count:
            moved[reference.label] = count
    remember_merged_names(duplicate, kept, recorded_by=person)
    for record, note in ((kept, reason), (duplicate, reason)):
        record._change_reason, record._history_user = note, person
    kept.save()
    duplicate.delete()
    return moved


def lock_lists(duplicate) -> None:
    """Items change only under their list's lock (the same order as every writer: by id)."""
    items = DutyItem.objects.none()
    for reference in references(type(duplicate)):
        if reference.model is DutyItem:
            items = items | reference.rows(duplicate)
    list_ids = sorted(set(items.values_list("duty_list_id", flat=True)))
    list(DutyList.objects.select_for_update(of=("self",)).filter(pk__in=list_ids).order_by("pk"))


def has_history(model) -> bool:
    try:
        get_history_manager_for_model(model)
    except NotHistoricalModelError:
        return False
    return True


def move(reference: Reference, duplicate, kept, *, reason: str, recorded_by) -> int:
    """Point the rows of one reference at the kept record; returns how many rows now do."""
    model, field = reference.model, reference.field
    rows = list(reference.rows(duplicate))
    if reference.many:
        move_links(reference, rows, duplicate, kept)
    else:
        rows = drop_duplicated(reference, rows, kept, reason=reason, recorded_by=recorded_by)
        for row in rows:
            setattr(row, field.name, kept)
        place_after_kept(model, field, rows, kept)
    if has_history(model):
        for row in rows:  # one history record a row, its many-to-many included
            row._change_reason, row._history_user = reason, recorded_by
            row.save()
    elif not reference.many:
        # No history to write: moved in place, rows whose save refuses any change (decisions) too.
        model._base_manager.filter(pk__in=[row.pk for row in rows]).update(**{field.name: kept})
    return len(rows)


def move_links(reference: Reference, owners: list, duplicate, kept) -> None:
    """A many-to-many's link rows: dropped where the owner already names the kept record, else moved."""
    link = getattr(reference.model, reference.field.name).through
    source, target = reference.field.m2m_field_name(), reference.field.m2m_reverse_field_name()
    ids = [owner.pk for owner in owners]
    has_both = link.objects.filter(**{f"{source}__in": ids, target: kept}).values(source)
    link.objects.filter(**{target: duplicate, f"{source}__in": has_both}).delete()
    link.objects.filter(**{target: duplicate, f"{source}__in": ids}).update(**{target: kept})


def unique_sets(model, field) -> list[tuple[tuple, models.Q | None]]:
    sets = [
        (tuple(c.fields), c.condition)
        for c in model._meta.constraints
        if isinstance(c, models.UniqueConstraint) and field.name in c.fields
    ]
    sets += [(tuple(t), None) for t in model._meta.unique_together if field.name in t]
    if field.unique:
        sets.append(((field.name,), None))
    return sets


def drop_duplicated(reference: Reference, rows: list, kept, *, reason: str, recorded_by) -> list:
    """Rows that would repeat one the kept record has: dropped where that is harmless, else refused."""
    model, field = reference.model, reference.field
    keep = []
    for row in rows:
        clash = None
        for names, condition in unique_sets(model, field):
            same = {
                model._meta.get_field(n).attname: getattr(row, model._meta.get_field(n).attname)
                for n in names
            }
            same[field.attname] = kept.pk
            others = model._base_manager.filter(**same).exclude(pk=row.pk)
            if condition is not None:
                if not model._base_manager.filter(condition, pk=row.pk).exists():
                    continue
                others = others.filter(condition)
            clash = others.first() or clash
        if clash is None:
            keep.append(row)
        elif model in DROPPED_WHEN_DUPLICATED:
            row._change_reason, row._history_user = reason, recorded_by
            row.delete()
        else:
            raise Conflict(
                f"不能合并：{model._meta.verbose_name}“{row}”与“{clash}”将重复，请先处理其中一个。",
                code="merge_duplicates_row",
            )
    return keep


def place_after_kept(model, field, rows: list, kept) -> None:
    """Items and entries moved to the kept category follow its own, in their list (catalogue) and part."""
    group = ORDER_GROUPS.get(model)
    if group is None or field.name != "category":
        return
    next_order = {}
    for row in sorted(rows, key=lambda r: (r.order, r.pk)):
        key = tuple(getattr(row, name) for name in group)
        if key not in next_order:
            filters = dict(zip(group, key, strict=True))
            highest = model._base_manager.filter(category=kept, **filters).aggregate(top=Max("order"))["top"]
            next_order[key] = (highest or 0) + 1
        row.order = next_order[key]
        next_order[key] += 1


def remember_merged_names(duplicate, kept, *, recorded_by) -> None:
    """The duplicate's names (a department's short name too) now mean the kept record in imports."""
    kind = KINDS[type(duplicate)]
    township = kept.township if kind == NameAlias.Kind.OFFICE else None
    texts = [duplicate.name] + ([duplicate.short_name] if getattr(duplicate, "short_name", "") else [])
    taken = {kept.name, getattr(kept, "short_name", "")}
    for text in texts:
        if text in taken:
            continue
        NameAlias.objects.update_or_create(
            county_id=county_id_of(kept),
            kind=kind,
            township=township,
            text=text,
            defaults={
                "office": None,
                "department": None,
                "category": None,
                kind.value: kept,
                "merged_id": duplicate.pk,
                "created_by": recorded_by,
                "created_at": timezone.now(),
            },
        )


def merged_into(kept_ids: Iterable[int], kind: str = NameAlias.Kind.DEPARTMENT) -> dict[int, set[int]]:
    """For each kept record, the ids of the duplicates merged into it (one query).

    Submissions and editions are frozen and still name a duplicate by its old id: readers that
    compare frozen ids with live ones read them through this.
    """
    merged: dict[int, set[int]] = {}
    field = f"{kind}_id"
    rows = NameAlias.objects.filter(
        kind=kind, merged_id__isnull=False, **{f"{field}__in": list(kept_ids)}
    ).values_list(field, "merged_id")
    for kept, old in rows:
        merged.setdefault(kept, set()).add(old)
    return merged


def kept_in_county(county_id: int, kind: str = NameAlias.Kind.DEPARTMENT) -> dict[int, int]:
    """Every duplicate of the county merged away, as old id → the id of the record kept (one query)."""
    field = f"{kind}_id"
    return dict(
        NameAlias.objects.filter(county_id=county_id, kind=kind, merged_id__isnull=False).values_list(
            "merged_id", field
        )
    )
