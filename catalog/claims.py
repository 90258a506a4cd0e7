"""认领 (逐级认领): a county takes entries of its province's reference catalogue into its own
catalogues, or drops them with a reason.

A claim copies the province's entry into one of the county's catalogues as an entry that keeps a
link to it (`CatalogueEntry.claimed_from`); the province names categories and departments as text,
which the claim resolves to the county's own records — by name, a department's short name, or an
alias the county remembered (`NameAlias`). A name the county has no record for is asked about: the
answer is remembered as an alias, so the next claim and the province's comparison read it alike;
an unanswered category is left empty, an unanswered department the part needs refuses the claim. A
county entry of the same name that is claimed from nothing is linked instead of copied, keeping
the county's own wording. A county claims an entry once.

A drop (不采用) is an explicit row: who, when, why. Claiming the entry later removes it (its history
keeps it). Only the county's editors claim or drop (`permissions.can_claim_for`); the province's
editors keep the province's catalogue (`permissions.can_edit_province_catalogue`).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from . import permissions, services
from .actors import permits, recorded_user
from .columns import PART_FIELDS, Part
from .imports.matching import DEPARTMENT_SEPARATORS
from .imports.names import normalised, remember_name
from .models import (
    ENTRY_TEXT_COLUMNS,
    Catalogue,
    CatalogueEntry,
    Category,
    County,
    Department,
    DroppedEntry,
    NameAlias,
)
from .refusals import Conflict, Forbidden, Invalid, Refused
from .similarity import name_key

MAX_REASON_LENGTH = DroppedEntry.MAX_REASON_LENGTH
Kind = NameAlias.Kind


def department_names(text: str) -> list[str]:
    """The department names a province's entry writes in one cell."""
    return [name.strip() for name in DEPARTMENT_SEPARATORS.split(text or "") if name.strip()]


@dataclass
class CountyNames:
    """A county's categories and departments by every name it knows them by."""

    categories: dict[str, Category] = field(default_factory=dict)
    departments: dict[str, Department] = field(default_factory=dict)

    def category(self, text: str) -> Category | None:
        return self.categories.get(normalised(text)) if text.strip() else None

    def department(self, text: str) -> Department | None:
        return self.departments.get(normalised(text))


def names_of_counties(county_ids: Iterable[int]) -> dict[int, CountyNames]:
    """Each county's names (3 queries): a record's own name wins over a short name, which wins over
    an alias, as an import resolves them."""
    county_ids = list(county_ids)
    names = {pk: CountyNames() for pk in county_ids}
    aliases = NameAlias.objects.filter(county__in=county_ids, kind__in=[Kind.CATEGORY, Kind.DEPARTMENT])
    for alias in aliases.select_related("category", "department"):
        table = (
            names[alias.county_id].categories
            if alias.kind == Kind.CATEGORY
            else names[alias.county_id].departments
        )
        table[normalised(alias.text)] = alias.target
    departments = list(Department.objects.filter(county__in=county_ids))
    for department in departments:
        if department.short_name:
            names[department.county_id].departments[normalised(department.short_name)] = department
    for department in departments:
        names[department.county_id].departments[normalised(department.name)] = department
    for category in Category.objects.filter(county__in=county_ids):
        names[category.county_id].categories[normalised(category.name)] = category
    return names


@dataclass
class Resolution:
    """A province entry's names as one county's records, and the names the county has none for."""

    category: Category | None = None
    lead_departments: list[Department] = field(default_factory=list)
    receiving_department: Department | None = None
    unresolved: list[tuple[str, str]] = field(default_factory=list)  # (kind, text)
    chosen: list[tuple[str, str, object]] = field(default_factory=list)  # answered now: remember them
    missing: list[str] = field(default_factory=list)  # departments the part needs and the county lacks


def resolve(
    entry: CatalogueEntry, county: County, names: CountyNames, choices: dict | None = None
) -> Resolution:
    """The county's records the entry's names mean; `choices` answers names the county does not know
    (`{(kind, text): record}`)."""
    choices = choices or {}
    found = Resolution()

    def look_up(kind: str, text: str):
        record = names.category(text) if kind == Kind.CATEGORY else names.department(text)
        if record is not None:
            return record
        chosen = choices.get((kind, text))
        if chosen is not None:
            if chosen.county_id != county.pk:
                raise Invalid(
                    f"“{chosen.name}”不是{county.name}的记录。", code="other_county", field="choices"
                )
            found.chosen.append((kind, text, chosen))
            return chosen
        found.unresolved.append((kind, text))
        return None

    if entry.category_name.strip():
        found.category = look_up(Kind.CATEGORY, entry.category_name.strip())
    part_fields = PART_FIELDS[Part(entry.part)]
    for text in department_names(entry.lead_department_names) if "lead_departments" in part_fields else []:
        department = look_up(Kind.DEPARTMENT, text)
        if department is None:
            found.missing.append(text)
        elif department not in found.lead_departments:
            found.lead_departments.append(department)
    receiving = department_names(entry.receiving_department_name)[:1]
    if receiving and "receiving_department" in part_fields:
        found.receiving_department = look_up(Kind.DEPARTMENT, receiving[0])
        if found.receiving_department is None:
            found.missing.append(receiving[0])
    return found


def check_claim(catalogue: Catalogue, county: County, *, by) -> None:
    """Whether `by` may decide on the province catalogue's entries for the county; refused with the reason."""
    if not permits(by, permissions.can_claim_for, county):
        raise Forbidden(f"您无权为{county.name}认领省级参考目录事项。", code="cannot_claim")
    if not catalogue.is_provincial:
        raise Invalid(f"“{catalogue.name}”不是省级参考目录。", code="not_provincial", field="entry")
    province_id = county.city.province_id if county.city_id else None
    if catalogue.province_id != province_id:
        raise Invalid(
            f"“{catalogue.name}”不是{county.name}所在省的参考目录。", code="other_province", field="entry"
        )


def claim_of(entry: CatalogueEntry, county: County) -> CatalogueEntry | None:
    return (
        CatalogueEntry.objects.filter(claimed_from=entry, catalogue__county=county)
        .select_related("catalogue")
        .first()
    )


def refuse_if_claimed(entry: CatalogueEntry, county: County) -> None:
    claim = claim_of(entry, county)
    if claim is not None:
        raise Conflict(
            f"{county.name}已将“{entry.name}”认领到“{claim.catalogue.name}”。", code="already_claimed"
        )


def locked(entry: CatalogueEntry) -> CatalogueEntry:
    """The province's entry under a row lock, so two claims of it for one county do not both pass."""
    return CatalogueEntry.objects.select_for_update().select_related("catalogue").get(pk=entry.pk)


@transaction.atomic
def claim_entry(entry: CatalogueEntry, *, into: Catalogue, by, choices: dict | None = None) -> CatalogueEntry:
    """Claim the province's entry into the county catalogue `into`; `choices` answers the names the
    county does not know (`{(kind, text): record}`)."""
    county = into.county
    if county is None:
        raise Invalid("只能认领到县的目录。", code="not_county_catalogue", field="into")
    check_claim(entry.catalogue, county, by=by)
    entry = locked(entry)
    refuse_if_claimed(entry, county)
    names = names_of_counties([county.pk])[county.pk]
    resolution = resolve(entry, county, names, choices)
    refuse_missing([(entry, resolution)], county)
    return write_claim(
        entry, into, resolution, by=by, order=next_order(into), unlinked=unlinked_entries(into)
    )


@transaction.atomic
def claim_all(catalogue: Catalogue, *, into: Catalogue, by) -> list[CatalogueEntry]:
    """Claim every entry of the province's catalogue the county has neither claimed nor dropped into
    `into`, all or none: refused, naming every department the county has no record for."""
    county = into.county
    if county is None:
        raise Invalid("只能认领到县的目录。", code="not_county_catalogue", field="into")
    check_claim(catalogue, county, by=by)
    Catalogue.objects.select_for_update().get(pk=catalogue.pk)
    entries = list(
        catalogue.entries.exclude(claims__catalogue__county=county)
        .exclude(drops__county=county)
        .order_by("part", "order", "id")
    )
    names = names_of_counties([county.pk])[county.pk]
    resolutions = [(entry, resolve(entry, county, names)) for entry in entries]
    refuse_missing(resolutions, county)
    order, unlinked = next_order(into), unlinked_entries(into)
    return [
        write_claim(entry, into, resolution, by=by, order=order + n, unlinked=unlinked)
        for n, (entry, resolution) in enumerate(resolutions)
    ]


def refuse_missing(resolutions: list[tuple[CatalogueEntry, Resolution]], county: County) -> None:
    problems = [
        f"“{entry.name}”：{county.name}没有与“{'、'.join(resolution.missing)}”对应的县直部门，请选择它对应的部门，或先在后台添加。"
        for entry, resolution in resolutions
        if resolution.missing
    ]
    if problems:
        raise Invalid(problems, code="unresolved_names", field="choices")


def next_order(catalogue: Catalogue) -> int:
    return (catalogue.entries.aggregate(last=Max("order"))["last"] or 0) + 1


def unlinked_entries(catalogue: Catalogue) -> dict[str, CatalogueEntry]:
    """The county catalogue's entries claimed from nothing, by name (spaces and bracket widths aside)."""
    return {name_key(e.name): e for e in catalogue.entries.filter(claimed_from__isnull=True)}


def write_claim(
    entry: CatalogueEntry,
    into: Catalogue,
    resolution: Resolution,
    *,
    by,
    order: int,
    unlinked: dict[str, CatalogueEntry],
) -> CatalogueEntry:
    county = into.county
    reason = f"认领省级参考目录事项（{entry.catalogue.name}）"
    same_name = unlinked.pop(name_key(entry.name), None)
    try:
        if same_name is not None:
            # The county's own entry of that name: linked, its wording kept (the province sees the differences).
            same_name.claimed_from = entry
            claim = services.save_catalogue_entry(same_name, by=by, reason=reason)
        else:
            claim = CatalogueEntry(
                catalogue=into,
                claimed_from=entry,
                name=entry.name,
                part=entry.part,
                category=resolution.category,
                receiving_department=resolution.receiving_department,
                is_safeguard=entry.is_safeguard,
                is_mandatory=entry.is_mandatory,
                order=order,
                **{column.name: getattr(entry, column.name) for column in ENTRY_TEXT_COLUMNS},
            )
            services.save_catalogue_entry(
                claim, lead_departments=resolution.lead_departments, by=by, reason=reason
            )
    except ValidationError as error:
        if isinstance(error, Refused):
            raise
        raise Invalid(
            [f"“{entry.name}”：{message}" for message in error.messages],
            code="breaks_item_rules",
            field="entry",
        ) from None
    for kind, text, record in resolution.chosen:
        remember_name(county, kind, text, record, recorded_by=recorded_user(by))
    for drop in DroppedEntry.objects.filter(entry=entry, county=county):
        drop.delete()  # one at a time: its history records who dropped it, and when
    return claim


@transaction.atomic
def drop_entry(entry: CatalogueEntry, *, county: County, by, reason: str) -> DroppedEntry:
    """Record that the county does not adopt the province's entry, and why."""
    check_claim(entry.catalogue, county, by=by)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("不采用须填写理由。", code="reason_required", field="reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise Invalid(f"理由不超过 {MAX_REASON_LENGTH} 字。", code="too_long", field="reason")
    entry = locked(entry)
    refuse_if_claimed(entry, county)
    if DroppedEntry.objects.filter(entry=entry, county=county).exists():
        raise Conflict(f"{county.name}已将“{entry.name}”标为不采用。", code="already_dropped")
    return DroppedEntry.objects.create(
        entry=entry, county=county, reason=reason, dropped_by=recorded_user(by)
    )


@transaction.atomic
def start_province_catalogue(province, *, name: str, kind: str, description: str = "", by) -> Catalogue:
    """A new reference catalogue of the province, which its counties claim entries from."""
    if not permits(by, permissions.can_edit_province_catalogue, province):
        raise Forbidden(f"您无权为{province.name}新建参考目录。", code="cannot_manage_catalogue")
    name = (name or "").strip()
    if not name:
        raise Invalid("请填写目录名称。", code="required", field="name")
    if kind not in Catalogue.Kind.values:
        raise Invalid("请选择目录类型。", code="required", field="kind")
    if Catalogue.objects.filter(province=province, name=name).exists():
        raise Conflict(f"{province.name}已有名为“{name}”的参考目录。", code="duplicate_name")
    return Catalogue.objects.create(province=province, name=name, kind=kind, description=description.strip())
