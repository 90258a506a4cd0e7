"""The editions in force of a county, read for the cross-township comparison and the departments'
ledgers (`catalog.matrix`, `catalog.ledger`): frozen rows only, two queries whatever the size."""

from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.urls import reverse

from catalog.columns import PART_DEPARTMENT, WORK_FIELDS
from catalog.matrix import Placed, frozen_placement
from catalog.models import County, Department, Part, Township

from .models import Edition, EditionItem

# What the comparison reads of a frozen row: its identity, part, category path and the department
# columns of the parts (names and the ids kept beside them).
READ = ["edition_id", "key", "name", "part", "catalogue_entry_id"]
READ += ["category", "category_id", "category_order", "category_parent", "category_parent_id"]
READ += ["category_parent_order"]
READ += [column.frozen_name for column in filter(None, PART_DEPARTMENT.values())]
# The ids kept beside the names: read only to choose rows by department (reading the lead
# departments' ids decodes a JSON list per row, a third of the page's time).
IDS = [column.frozen_ids for column in filter(None, PART_DEPARTMENT.values())]


def dashed(key: str) -> str:
    """A key as its address writes it: SQLite keeps a UUID as 32 hexadecimal digits, PostgreSQL
    answers the dashed form."""
    if len(key) == 32:
        return f"{key[:8]}-{key[8:12]}-{key[12:16]}-{key[16:20]}-{key[20:]}"
    return key


def editions_in_force(county: County) -> list[Edition]:
    """The county's editions in force, in the county's order of townships (one query)."""
    return list(
        Edition.objects.filter(township__county=county, current_of__isnull=False)
        .select_related("township")
        .order_by("township__order", "township__code")
    )


def edition_placements(
    editions: list[Edition], *, department: Department | None = None, with_ids: bool = False
) -> tuple[list[Township], list[Placed]]:
    """The townships of the editions and their rows as the comparison reads them (one query), with
    the departments' ids when `with_ids`; only the rows that may name `department` when given, with
    what each asks (its part's work column)."""
    rows = EditionItem.objects.filter(edition__in=editions).order_by()
    fields = READ + IDS if with_ids or department is not None else READ
    if department is not None:
        # Lead departments are kept as one text of names: the ledger keeps the rows naming its id.
        rows = rows.filter(Q(receiving_department_id=department.pk) | Q(part=Part.COORDINATED))
        fields = fields + sorted(set(WORK_FIELDS.values()) - set(READ))
    by_edition = {edition.pk: edition for edition in editions}
    addresses = {
        edition.pk: reverse("publication:township", args=[edition.township.code]) + "items/"
        for edition in editions
    }
    # The key as text, as the item's address writes it: converting 12,000 keys to UUIDs and back
    # was a fifth of the page's time.
    rows = rows.annotate(key_text=Cast("key", CharField()))
    fields = ["key_text" if name == "key" else name for name in fields]
    placed = [
        frozen_placement(
            row,
            by_edition[row.edition_id].township_id,
            f"{addresses[row.edition_id]}{dashed(row.key_text)}/",
            with_work=department is not None,
        )
        for row in rows.values_list(*fields, named=True).iterator(chunk_size=2000)
    ]
    return [edition.township for edition in editions], placed
