"""What a list covers of its county's catalogues (查缺补漏): the mandatory entries it is missing.

An entry marked 必须列入 (`CatalogueEntry.is_mandatory`) in any catalogue of the county must be in
every township's list. A list has it when an active item came from the entry (`catalogue_entry`),
or, for items written by hand or imported without the link, when an active item has the entry's name.
Whether a list missing some may still be submitted (一上) is the county's choice, read by the
workflow (`review.models.ReviewPolicy.missing_mandatory`); the list editor always shows them.
"""

from django.db.models import Q

from .models import CatalogueEntry, DutyItem, DutyList


def missing_mandatory(duty_list: DutyList) -> list[CatalogueEntry]:
    """The county's mandatory entries the list has no active item for, in catalogue order (2 queries)."""
    listed = DutyItem.objects.active().filter(duty_list=duty_list)
    return list(
        CatalogueEntry.objects.filter(catalogue__county_id=duty_list.township.county_id, is_mandatory=True)
        # NOT IN over a column with NULLs would exclude every entry: only the items' links.
        .exclude(
            Q(pk__in=listed.filter(catalogue_entry__isnull=False).values("catalogue_entry_id"))
            | Q(name__in=listed.values("name"))
        )
        .select_related("catalogue", "category")
    )


def missing_mandatory_lines(entries: list[CatalogueEntry], *, limit: int = 20) -> str:
    """The missing entries as one Chinese sentence, naming at most `limit` of them."""
    names = "、".join(f"“{entry.name}”（{entry.catalogue.name}）" for entry in entries[:limit])
    more = f"等 {len(entries)} 项" if len(entries) > limit else f"共 {len(entries)} 项"
    return f"清单缺少县里规定必须列入的事项：{names}，{more}。"
