"""12345 派单依据: the items of a township's lists in force (or of every township of a county) that
a ticket's words match, best first, each with what a dispatcher does with the ticket — the verdict
of its part (`catalog.columns.VERDICTS`) and who handles it.

The matching is the public search's (`queries.matching`), with the county's synonyms, except that
any one of the words is enough: a ticket is written in everyday words, and some of them are not on
any list. The ranking counts the words found, a word in the item's name counting more. Reads only
editions in force; a fixed number of queries whatever the number of items.
"""

from dataclasses import dataclass, field

from django.db.models import Case, IntegerField, Value, When

from catalog.columns import OUTSIDE_LIST, VERDICTS, WORK_FIELDS, Part, Verdict
from catalog.models import FROZEN_ORDER, County, Township
from catalog.refusals import Invalid, NotFound
from catalog.synonyms import synonyms_of

from .models import Edition, EditionItem
from .queries import matching, term_found
from .services.search import area_gram

MAX_TERMS = 10
DEFAULT_LIMIT = 10
MAX_LIMIT = 50
# A word found in an item's name counts this much, found only in its other columns this much.
IN_NAME, ELSEWHERE = 3, 2


@dataclass
class Match:
    item: EditionItem  # with .edition and .edition.township
    score: int
    verdict: Verdict
    handler: str  # who handles the ticket (主办): an office of the township, or county departments
    assisting: str  # who assists (协办): the township, for a coordinated item
    duty: str  # the part's work column: what the handler (or the assisting township) does
    text: str  # the verdict in one sentence, for the ticket


@dataclass
class Route:
    q: str
    terms: list[tuple[str, list[str]]]  # each word with the list's words it also stands for
    county: County
    township: Township | None  # None for a county-wide lookup
    editions: list[Edition]  # the editions in force looked in
    matches: list[Match] = field(default_factory=list)
    more: bool = False  # more items matched than listed

    @property
    def verdict(self) -> Verdict | None:
        """清单之外 when nothing matched; else each match carries its own."""
        return None if self.matches else OUTSIDE_LIST

    @property
    def scope_name(self) -> str:
        return self.township.name if self.township else f"{self.county.name}各乡镇（街道）"

    @property
    def answer(self) -> str:
        if self.matches:
            best = self.matches[0]
            return f"最相符的事项是{best.item.edition.township.name}的“{best.item.name}”：{best.text}"
        if not self.editions:
            return f"清单之外：{self.scope_name}还没有现行清单。"
        return (
            f"清单之外：{self.scope_name}现行清单中没有与“{self.q}”相符的事项。依“清单之外无事项”，"
            "不应派给乡镇（街道），请按县级部门“三定”规定或权责清单派单。"
        )


def scope(*, township: str = "", county: str = "") -> tuple[County, Township | None, list[Edition]]:
    """The county, the township (if one was named) and the editions in force to look in (one query)."""
    if township:
        found = (
            Township.objects.select_related("county", "current_edition__edition")
            .filter(code=township)
            .first()
        )
        if found is None or (county and found.county.code != county):
            where = "该县" if county else "系统"
            raise NotFound(f"{where}中没有代码为 {township} 的乡镇（街道）。", field="township")
        pointer = getattr(found, "current_edition", None)  # None when it has published nothing
        if pointer is None:
            return found.county, found, []
        pointer.edition.township = found
        return found.county, found, [pointer.edition]
    if not county:
        raise Invalid("请给出乡镇（街道）代码 township 或县代码 county。", code="required", field="township")
    editions = list(
        Edition.objects.filter(township__county__code=county, current_of__isnull=False)
        .select_related("township__county")
        .order_by("township__order", "township__code")
    )
    if editions:
        return editions[0].township.county, None, editions
    found = County.objects.filter(code=county).first()
    if found is None:
        raise NotFound(f"系统中没有代码为 {county} 的县（市、区）。", field="county")
    return found, None, []


def words_of(q: str) -> list[str]:
    terms = list(dict.fromkeys(q.split()))
    if not terms:
        raise Invalid("请填写工单中的关键词，多个词用空格分开。", code="required", field="q")
    if len(terms) > MAX_TERMS:
        raise Invalid(f"关键词最多 {MAX_TERMS} 个，现有 {len(terms)} 个。", code="too_many_terms", field="q")
    return terms


def route(q: str, vendor: str, *, township: str = "", county: str = "", limit: int = DEFAULT_LIMIT) -> Route:
    """The items in force matching any of the words of `q`, best first, at most `limit`."""
    terms = words_of(q)
    the_county, the_township, editions = scope(township=township, county=county)
    synonyms = synonyms_of([the_county.pk])
    result = Route(
        " ".join(terms), [(t, synonyms.get(t, [])) for t in terms], the_county, the_township, editions
    )
    if not editions:
        return result
    score = sum(
        (
            Case(
                When(term_found(term, synonyms, ["name"]), then=Value(IN_NAME)),
                When(term_found(term, synonyms), then=Value(ELSEWHERE)),
                default=Value(0),
                output_field=IntegerField(),
            )
            for term in terms
        ),
        Value(0),
    )
    items = matching(
        EditionItem.objects.filter(edition__in=[e.pk for e in editions]),
        " ".join(terms),
        vendor,
        synonyms,
        every=False,
        indexed=len(editions) > 1,  # one township's edition is read through its own index
        within=area_gram(the_county.code, "county"),  # a county's: its matches alone (ADR 0039)
    )
    rows = list(
        items.annotate(score=score).order_by(
            "-score", "edition__township__order", "edition__township__code", *FROZEN_ORDER
        )[: min(limit, MAX_LIMIT) + 1]
    )
    by_id = {edition.pk: edition for edition in editions}
    result.more = len(rows) > limit
    for row in rows[:limit]:
        row.edition = by_id[row.edition_id]
        result.matches.append(match_of(row))
    return result


def match_of(row: EditionItem) -> Match:
    """What a dispatcher reads of one item: its part's verdict, who handles it and who assists."""
    township = row.edition.township.name
    verdict = VERDICTS[Part(row.part)]
    duty = getattr(row, WORK_FIELDS[row.part])
    if row.part == Part.BASIC:
        handler = f"{township}{row.office}" if row.office else township
        text = (
            f"{verdict.label}：由{township}办理" + (f"，责任科室为{row.office}" if row.office else "") + "。"
        )
        return Match(row, row.score, verdict, handler, "", duty, text)
    if row.part == Part.COORDINATED:
        text = f"{verdict.label}：由{row.lead_departments}主责办理，{township}配合（{duty}）。"
        return Match(row, row.score, verdict, row.lead_departments, township, duty, text)
    text = f"{verdict.label}：由{row.receiving_department}办理，不派{township}（{duty}）。"
    return Match(row, row.score, verdict, row.receiving_department, "", duty, text)
