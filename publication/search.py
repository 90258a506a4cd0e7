"""The public search: items in force that hold the words, within an area, read a bounded number
of rows whatever the number of items published (docs/decisions/0034-search-at-scale.md).

- An area is named by its division code: a province (33 0000), a city (33 01 00), a county
  (33 01 02) or a township (9 digits). Items are scoped through the editions in force of the
  area's townships (`in_force_of`), so the items need no column or index of their own for it.
- At most CANDIDATES matching items are read, in the order the gram index yields them (no sort
  over every match); of those, SEARCH_LIMIT are shown, items whose name holds the words first.
  Past CANDIDATES the page says 超过 … 个 instead of counting every match.
- Results are keyed by the editions in force of the area (`results_key`): a publication in the
  area makes the old results unreachable.
"""

import hashlib
import re
from dataclasses import dataclass
from functools import cached_property
from itertools import groupby

from django.db.models import BooleanField, Case, Count, F, Func, Max, Q, QuerySet, Value, When, Window
from django.urls import reverse

from catalog.models import FROZEN_ORDER, City, County, Province, Township
from catalog.synonyms import synonyms_of

from .models import CurrentEdition, Edition, EditionItem
from .services import SEARCHED_FIELDS, grams
from .services.search import AREA_DIGITS, area_gram

SEARCH_LIMIT = 300  # items shown
# What a hit shows (`_search_results.html`): the rest of a shown item's columns stay unread.
HIT_FIELDS = ["key", "name", "part", "office", "lead_departments", "receiving_department", "edition"]
CANDIDATES = 500  # matching items read at most, to choose the shown ones from

HAN_TERM = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]{2,}")
AREA_CODE = re.compile(r"\d{6}|\d{9}")

# How each level's rows are reached from an edition in force.
IN_AREA = {
    "province": "township__county__city__province_id",
    "city": "township__county__city_id",
    "county": "township__county_id",
    "township": "township_id",
}


@dataclass(frozen=True)
class Area:
    """Where a search looks: one province, city, county or township."""

    level: str  # a key of IN_AREA
    pk: int
    code: str
    name: str
    path: tuple[tuple[str, str], ...]  # (code, name) of the levels above, province first
    county_id: int | None = None  # the county of a county or a township

    @property
    def full_name(self) -> str:
        return " ".join([*(name for _, name in self.path), self.name])


def area_level(code: str) -> str | None:
    """The level a division code names (GB/T 2260: a county's last two digits are never 00)."""
    if not AREA_CODE.fullmatch(code):
        return None
    if len(code) == 9:
        return "township"
    if code.endswith("0000"):
        return "province"
    return "city" if code.endswith("00") else "county"


def path_of(county: County | None) -> tuple[tuple[str, str], ...]:
    """The province and city above a county, as far as the county is placed."""
    if county is None or county.city is None:
        return ()
    city = county.city
    return ((city.province.code, city.province.name), (city.code, city.name))


def find_area(code: str) -> Area | None:
    """The area with this code (one query), or None."""
    level = area_level(code)
    if level == "township":
        row = Township.objects.select_related("county__city__province").filter(code=code).first()
        if row is not None:
            path = (*path_of(row.county), (row.county.code, row.county.name))
            return Area(level, row.pk, row.code, row.name, path, row.county_id)
    elif level == "county":
        row = County.objects.select_related("city__province").filter(code=code).first()
        if row is not None:
            return Area(level, row.pk, row.code, row.name, path_of(row), row.pk)
    elif level == "city":
        row = City.objects.select_related("province").filter(code=code).first()
        if row is not None:
            return Area(level, row.pk, row.code, row.name, ((row.province.code, row.province.name),))
    elif level == "province":
        row = Province.objects.filter(code=code).first()
        if row is not None:
            return Area(level, row.pk, row.code, row.name, ())
    return None


def area_code_of(county: str | None, township: str | None) -> str | None:
    """The division code the old parameters (`county`, `township`: row ids) named, or None."""
    for model, value in ((Township, township), (County, county)):
        if value:
            if not str(value).isdigit():
                return None
            return model.objects.filter(pk=int(value)).values_list("code", flat=True).first()
    return None


def subareas(area: Area | None) -> list[tuple[str, str]]:
    """(code, name) of the levels just below the area, to narrow the search by (one query): every
    province; a province's cities; a city's counties; a county's townships in force, or those of a
    township's county. Bounded by the breadth of one level, not by the number of counties."""
    if area is None:
        return list(Province.objects.order_by("code").values_list("code", "name"))
    if area.level == "province":
        return list(City.objects.filter(province_id=area.pk).order_by("code").values_list("code", "name"))
    if area.level == "city":
        return list(County.objects.filter(city_id=area.pk).order_by("code").values_list("code", "name"))
    return list(
        Township.objects.filter(county_id=area.county_id, current_edition__isnull=False)
        .order_by("order", "code")
        .values_list("code", "name")
    )


def in_force_of(area: Area | None) -> QuerySet[CurrentEdition]:
    """The editions in force in the area (everywhere when None)."""
    rows = CurrentEdition.objects.all()
    return rows if area is None else rows.filter(**{IN_AREA[area.level]: area.pk})


def editions_in_force(area: Area | None) -> list[int] | None:
    """The ids of the editions in force in the area (one query), or None for everywhere. A list,
    not a subquery: PostgreSQL then intersects the edition index's rows with the gram index's
    before reading any item, where a semi-join would read matches of the whole country until
    enough fall in the area."""
    if area is None:
        return None
    return sorted(in_force_of(area).values_list("edition_id", flat=True))


def within_area(area: Area | None) -> str:
    """The word of the gram index that every item of a province, city or county carries
    (`services.search.placed`), or "" for a township (its one edition is read through the edition
    index) and everywhere. Asked together with the terms, it makes the index yield only the area's
    matches: intersecting the terms' matches in the whole country with the area's items read both
    in full, and the planner, misjudging how often grams occur together, sometimes read matches of
    the whole country one by one instead — 400 ms for 安全生产 in the last province of 2,000,000
    items (docs/decisions/0039-area-words-in-the-search-index.md)."""
    if area is None or area.level not in AREA_DIGITS:
        return ""
    return area_gram(area.code, area.level)


def counties_of(area: Area | None):
    """The counties whose synonyms a search in the area uses: ids, a subquery, or None for all."""
    if area is None:
        return None
    if area.county_id is not None:
        return [area.county_id]
    if area.level == "city":
        return County.objects.filter(city_id=area.pk).values("pk")
    return County.objects.filter(city__province_id=area.pk).values("pk")


@dataclass
class SearchFilters:
    q: str = ""
    area: Area | None = None
    part: str = ""
    category: str = ""
    department: str = ""

    @property
    def terms(self) -> list[str]:
        return self.q.split()


@dataclass
class TownshipHits:
    township: Township
    edition: Edition
    items: list[EditionItem]

    @cached_property
    def url(self) -> str:
        """The township's page; its items' pages are below it (`items/<key>/`)."""
        return reverse("publication:township", args=[self.township.code])


@dataclass
class SearchResult:
    groups: list[TownshipHits]
    shown: int  # items shown, at most SEARCH_LIMIT
    found: int  # matching items read, at most CANDIDATES + 1

    @property
    def more(self) -> bool:
        return self.found > self.shown

    @property
    def capped(self) -> bool:
        """More items match than were read: the page says 超过 CANDIDATES 个."""
        return self.found > CANDIDATES


def variants(term: str, synonyms: dict[str, list[str]]) -> list[str]:
    """The term and the list's words for it, from the county's synonyms (`catalog.synonyms`)."""
    return [term, *synonyms.get(term, [])]


def indexable(term: str) -> bool:
    """Whether the gram index can find the term: Chinese of two or more characters. A single
    character or a Latin word may sit inside a longer run, which the grams do not hold; those
    terms are found by the substring check alone."""
    return bool(HAN_TERM.fullmatch(term))


def tsquery(terms: list[str], synonyms: dict[str, list[str]], every: bool = True) -> str:
    """Every indexable term, each as its grams or those of one of its synonyms:
    低保 → (低保 | (最低 & 低生 & …)). With `every` false, any of the terms — and then only when
    each can be looked up in the index, else an item holding only the other term would be lost."""
    groups = []
    for term in terms:
        options = variants(term, synonyms)
        if not all(indexable(variant) for variant in options):
            if not every:
                return ""
            continue
        groups.append(
            "(" + " | ".join("(" + " & ".join(dict.fromkeys(grams(v))) + ")" for v in options) + ")"
        )
    return (" & " if every else " | ").join(groups)


def term_found(term: str, synonyms: dict[str, list[str]], columns=SEARCHED_FIELDS) -> Q:
    """Items holding the term (or a synonym of it) in one of the columns. Words without letters
    that have a case (Chinese, digits) are compared as they are: PostgreSQL's case-insensitive
    comparison upper-cases every column of every row it checks, for nothing."""
    found = Q()
    for variant in variants(term, synonyms):
        lookup = "icontains" if variant.lower() != variant.upper() else "contains"
        for column in columns:
            found |= Q(**{f"{column}__{lookup}": variant})
    return found


class GramsMatch(Func):
    """`to_tsvector('simple', search_grams) @@ to_tsquery('simple', query)`: the expression the GIN
    index is built on (migration 0002). An expression rather than raw SQL, so that the column is
    named by the alias of whichever query it sits in (a subquery's too)."""

    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra):
        (grams, grams_params), (query, query_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        return f"to_tsvector('simple', {grams}) @@ to_tsquery('simple', {query})", [
            *grams_params,
            *query_params,
        ]


def matching(
    items: QuerySet[EditionItem],
    q: str,
    vendor: str,
    synonyms: dict[str, list[str]],
    *,
    every: bool = True,
    indexed: bool = True,
    within: str = "",
) -> QuerySet[EditionItem]:
    """Items whose words contain every term of `q` (or a synonym of it); any term with `every` false.

    On PostgreSQL the terms' two-character grams are first looked up in the
    full-text index over `search_grams` (docs/decisions/0005-publication.md);
    then, on every database, each term must be a substring of a searched column.
    A caller that has already narrowed `items` to one edition passes `indexed=False`:
    its few hundred rows are read faster by the edition's index than by the grams'.
    A caller that has narrowed `items` to an area's editions passes the area's word
    (`within_area`), which the index then matches with the terms.
    """
    terms = q.split()
    if indexed and vendor == "postgresql" and (query := tsquery(terms, synonyms, every)):
        if within:
            query = f"({query}) & {within}"
        items = items.filter(GramsMatch(F("search_grams"), Value(query)))
    if every:
        for term in terms:
            items = items.filter(term_found(term, synonyms))
        return items
    anywhere = Q()
    for term in terms:
        anywhere |= term_found(term, synonyms)
    return items.filter(anywhere)


def naming_department(items: QuerySet[EditionItem], name: str) -> QuerySet[EditionItem]:
    """Items that name the department as a lead department or as the receiving one."""
    return items.filter(  # lead departments are stored as one text, names joined by 、
        Q(lead_departments=name)
        | Q(lead_departments__startswith=f"{name}、")
        | Q(lead_departments__endswith=f"、{name}")
        | Q(lead_departments__contains=f"、{name}、")
        | Q(receiving_department=name)
    )


def search_synonyms(filters: SearchFilters) -> dict[str, list[str]]:
    """The synonyms of the search's words kept by the counties of its area (one query, none without words)."""
    if not filters.terms:
        return {}
    return synonyms_of(counties_of(filters.area), words=filters.terms)


def name_hit(terms: list[str], synonyms: dict[str, list[str]]):
    """1 for an item whose name holds every term (or a synonym), else 0: shown first."""
    if not terms:
        return Value(0)
    condition = Q()
    for term in terms:
        condition &= term_found(term, synonyms, columns=["name"])
    return Case(When(condition, then=Value(1)), default=Value(0))


def search(
    filters: SearchFilters,
    vendor: str,
    synonyms: dict[str, list[str]] | None = None,
    editions: list[int] | None = None,
) -> SearchResult:
    """Published items in force matching the words and filters, grouped by township (one query,
    plus one for the synonyms and one for an area's editions in force unless given).

    The matching items are read in the order the index yields them, at most CANDIDATES + 1 of them
    (a LIMIT PostgreSQL stops at, so the cost follows the items shown, not the items matching);
    only those are sorted: items whose name holds the words first, then by place and list order.
    """
    if synonyms is None:
        synonyms = search_synonyms(filters)
    if editions is None and filters.area is not None:
        editions = editions_in_force(filters.area)
    if editions is None:
        items = EditionItem.objects.filter(edition_id__in=in_force_of(None).values("edition_id"))
    else:
        items = EditionItem.objects.filter(edition_id__in=editions)
    if filters.part:
        items = items.filter(part=filters.part)
    if filters.category:
        items = items.filter(category=filters.category)
    if filters.department:
        items = naming_department(items, filters.department)
    if filters.terms:
        items = matching(items, filters.q, vendor, synonyms, within=within_area(filters.area))
    candidates = items.order_by().values("pk")[: CANDIDATES + 1]
    rows = list(
        EditionItem.objects.filter(pk__in=candidates)
        .annotate(found=Window(Count("pk")), name_hit=name_hit(filters.terms, synonyms))
        .select_related("edition__township__county")
        .only(
            *HIT_FIELDS,
            "edition__township__code",
            "edition__township__name",
            "edition__township__order",
            "edition__township__county__code",
            "edition__township__county__name",
        )
        .order_by(
            "-name_hit",
            "edition__township__county__code",
            "edition__township__order",
            "edition__township__code",
            *FROZEN_ORDER,
        )[:SEARCH_LIMIT]
    )

    def place(row):
        township = row.edition.township
        return township.county.code, township.order, township.code

    rows.sort(key=place)  # stable: within a township, name hits stay first
    groups = [
        TownshipHits(items[0].edition.township, items[0].edition, items)
        for items in (list(g) for _, g in groupby(rows, key=lambda r: r.edition_id))
    ]
    return SearchResult(groups, len(rows), rows[0].found if rows else 0)


def results_key(filters: SearchFilters, synonyms: dict[str, list[str]], editions: list[int] | None) -> str:
    """The cache key of a search's results: its words, filters and synonyms, and the editions in
    force in its area (the newest one's id and their number; one query when `editions` is None,
    everywhere). Publishing always makes a new edition, whose id is the largest yet, so a
    publication in the area changes the key."""
    if editions is None:
        in_force = in_force_of(None).aggregate(newest=Max("edition_id"), count=Count("pk"))
    else:
        in_force = {"newest": max(editions, default=None), "count": len(editions)}
    words = repr(
        (
            filters.q,
            filters.area.code if filters.area else "",
            filters.part,
            filters.category,
            filters.department,
            sorted(synonyms.items()),
        )
    )
    digest = hashlib.sha256(words.encode()).hexdigest()[:32]
    return f"search:{in_force['newest']}:{in_force['count']}:{digest}"
