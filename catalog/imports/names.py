"""The names a file uses for categories, offices and departments, resolved to the county's records.

A name resolves when it is a record's name (a department's short name too), when the county
remembers it as an alias (`NameAlias`: an earlier import's choice, or a merged duplicate), or
when the person importing chose, in the preview, the existing record it means — or, for the
county editor only, to create it. Whatever is left is *unresolved*: the preview asks about it,
offering the existing records whose names are plausibly the same body first.

Plausible means the distinctive part of the names agrees. Organisational suffixes (办公室, 局,
委员会, 中心 …) and the county prefix say what kind of body it is, not which one: 应急管理办公室
and 党政办公室 share 办公室 and nothing else. So each name is reduced to its stem (党政, 应急) and
stems are compared by character bigrams; a stem whose characters appear in order in the other
(经发 in 经济发展, the way abbreviations are formed) also counts.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils import timezone

from ..models import Category, Department, NameAlias, Office, Township
from ..similarity import bigrams, dice
from .layout import ParsedRow, Problem

Kind = NameAlias.Kind
KIND_LABELS = {kind.value: kind.label for kind in Kind}
# The value of a preview's choice to create the name rather than map it.
CREATE = "new"

# Words that name the kind of body, longest first: removed from the end of a name, repeatedly.
KIND_SUFFIXES = sorted(
    ["办公室", "委员会", "工作委员会", "中心", "局", "委", "办", "室", "科", "股", "部", "处", "站", "所"]
    + ["队", "大队", "中队", "院", "会"],
    key=len,
    reverse=True,
)
# Words many bodies' names end with before the kind (应急管理, 便民服务): removed too for the stem,
# though an abbreviation may take a character from them (城管 is 城市管理).
GENERIC_WORDS = ["管理", "综合", "工作", "服务"]
# The county and the township are removed by name; "区" or "市" alone would cut 市场监督管理局.
GENERIC_PREFIXES = ["中共", "县委", "县人民政府", "县政府", "县"]
# Below this, a record is not offered as what the file's name may mean.
SUGGESTION_THRESHOLD = 0.5
MAX_SUGGESTIONS = 5


def normalised(name: str) -> str:
    return re.sub(r"[\s（）()【】\[\]·、，,]+", "", unicodedata.normalize("NFKC", name))


def strip_suffixes(text: str, suffixes: list[str]) -> str:
    shortened = True
    while shortened:
        shortened = False
        for suffix in suffixes:
            if text.endswith(suffix) and len(text) > len(suffix):
                text, shortened = text[: -len(suffix)], True
                break
    return text


def core(name: str, place_names: tuple[str, ...] = ()) -> str:
    """A body's name without the place and the words for its kind (城市管理局: 城市管理)."""
    text = normalised(name)
    for place in place_names:
        text = text.removeprefix(normalised(place))
    for prefix in GENERIC_PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix):
            text = text[len(prefix) :]
            break
    return strip_suffixes(text, KIND_SUFFIXES) or normalised(name)


def stem(name: str, place_names: tuple[str, ...] = ()) -> str:
    """The distinctive part of a body's name (应急管理办公室: 应急)."""
    return strip_suffixes(core(name, place_names), KIND_SUFFIXES + GENERIC_WORDS)


def in_order(short: str, long: str) -> bool:
    """Whether the characters of `short` appear in `long` in the same order (an abbreviation)."""
    rest = iter(long)
    return all(char in rest for char in short)


def similarity(a: str, b: str, place_names: tuple[str, ...] = ()) -> float:
    """How plausibly two names name the same body, from 0 to 1, judged on their stems."""
    x, y = stem(a, place_names), stem(b, place_names)
    if x == y:
        return 1.0
    score = dice(bigrams(x), bigrams(y))
    for short, other in ((x, core(b, place_names)), (y, core(a, place_names))):
        if 2 <= len(short) < len(other) and in_order(short, other):
            score = max(score, 0.8)
    return score


def suggestions(name: str, candidates: list, place_names: tuple[str, ...] = ()) -> list:
    """The candidates (records with a `name`) plausibly meant by `name`, closest first."""
    scored = [(similarity(name, c.name, place_names), c) for c in candidates]
    ranked = sorted(
        ((score, c) for score, c in scored if score >= SUGGESTION_THRESHOLD),
        key=lambda pair: (-pair[0], len(pair[1].name), pair[1].name),
    )
    return [c for _score, c in ranked[:MAX_SUGGESTIONS]]


@dataclass
class Unresolved:
    """A name of the file that is no record of the county, and what it may be mapped to."""

    kind: str
    name: str
    where: Problem  # where it first appears
    suggestions: list
    options: list  # every record it may be mapped to
    rows: int = 1

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def place(self) -> str:
        """Where it first appears, as the preview says it."""
        return str(self.where).removesuffix("：")

    @property
    def others(self) -> list:
        return [o for o in self.options if o not in self.suggestions]


@dataclass
class Resolved:
    """A name resolved through an alias or a choice: the preview says so."""

    kind: str
    name: str
    target: object
    alias: NameAlias | None = None  # remembered earlier; None: chosen in this preview

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass
class NameResolution:
    """What happened to the file's names: created, mapped, remembered, or left to ask about."""

    to_create: dict[str, list[str]] = field(default_factory=lambda: {kind.value: [] for kind in Kind})
    remembered: list[Resolved] = field(default_factory=list)
    chosen: list[Resolved] = field(default_factory=list)
    unresolved: dict[tuple[str, str], Unresolved] = field(default_factory=dict)


class Names:
    """The county's reference names, with its aliases and the preview's choices, for lookups.

    `choices` maps (kind, name) to the id of the record chosen, or to `CREATE`.
    """

    def __init__(self, township: Township, *, create_missing: bool, may_create: bool, choices: dict):
        county = township.county
        self.county, self.township = county, township
        self.create_missing, self.may_create, self.choices = create_missing, may_create, choices
        self.result = NameResolution()
        self.place_names = (county.name, township.name)
        self.categories = {c.name: c for c in Category.objects.filter(county=county)}
        self.offices = {o.name: o for o in Office.objects.filter(township=township)}
        self.departments: dict[str, Department] = {}
        for department in Department.objects.filter(county=county).order_by("-pk"):
            if department.short_name:
                self.departments[department.short_name] = department
        for department in Department.objects.filter(county=county):
            self.departments[department.name] = department
        self.records = {
            Kind.CATEGORY: list(self.categories.values()),
            Kind.OFFICE: list(self.offices.values()),
            Kind.DEPARTMENT: list({d.pk: d for d in self.departments.values()}.values()),
        }
        self.aliases = self.remembered_aliases()

    def remembered_aliases(self) -> dict[tuple[str, str], NameAlias]:
        """The county's aliases; an office's only where it names an office of this township."""
        aliases = {}
        rows = NameAlias.objects.filter(county=self.county).select_related(
            "office", "department", "category", "created_by"
        )
        # This township's own office aliases first: they win over a neighbour's for the same text.
        for alias in sorted(rows, key=lambda a: a.township_id != self.township.pk):
            if alias.kind == Kind.OFFICE:
                own = self.offices.get(alias.office.name)
                if alias.township_id != self.township.pk and own is None:
                    continue
                alias.office = own
            aliases.setdefault((alias.kind, normalised(alias.text)), alias)
        return aliases

    def next_category_order(self) -> int:
        return max((c.order for c in self.categories.values()), default=0) + 1

    def table(self, kind: str) -> dict:
        return {Kind.CATEGORY: self.categories, Kind.OFFICE: self.offices, Kind.DEPARTMENT: self.departments}[
            kind
        ]

    def lookup(self, kind: str, name: str, row: ParsedRow, column: str):
        table = self.table(kind)
        if name in table:
            return table[name]
        alias = self.aliases.get((kind, normalised(name)))
        if alias is not None:
            table[name] = alias.target
            self.result.remembered.append(Resolved(kind, name, alias.target, alias))
            return alias.target
        choice = self.choices.get((kind, name))
        if self.create_missing or (choice == CREATE and self.may_create):
            return self.create(kind, name)
        chosen = next((r for r in self.records[kind] if str(r.pk) == str(choice)), None)
        if chosen is not None:
            table[name] = chosen
            self.result.chosen.append(Resolved(kind, name, chosen))
            return chosen
        key = (kind, name)
        if key in self.result.unresolved:
            self.result.unresolved[key].rows += 1
        else:
            where = Problem("", sheet=row.sheet, row=row.row, column=column)
            options = sorted(self.records[kind], key=lambda r: (getattr(r, "order", 0), r.name))
            close = suggestions(name, options, self.place_names)
            self.result.unresolved[key] = Unresolved(kind, name, where, close, options)
        return None

    def create(self, kind: str, name: str):
        if name not in self.result.to_create[kind]:
            self.result.to_create[kind].append(name)
        new = {
            Kind.CATEGORY: lambda: Category(county=self.county, name=name, order=self.next_category_order()),
            Kind.OFFICE: lambda: Office(township=self.township, name=name),
            Kind.DEPARTMENT: lambda: Department(county=self.county, name=name),
        }[kind]()
        self.table(kind)[name] = new
        return new


def unresolved_problem(unresolved: Unresolved, *, for_command: bool, may_create: bool) -> Problem:
    """One problem per unresolved name, where it first appears, saying what the person can do."""
    label = unresolved.label
    if unresolved.suggestions:
        hint = f"最接近的是“{unresolved.suggestions[0].name}”。"
    elif for_command:
        hint = "请先在后台添加，或加 --create-missing 新建。"
    elif may_create:
        hint = "请在下方选择它对应的已有名称，或新建。"
    else:
        hint = "请在下方选择它对应的已有名称；系统中确实没有的，请联系县委编办添加。"
    more = f"（文件中共 {unresolved.rows} 行）" if unresolved.rows > 1 else ""
    where = unresolved.where
    return Problem(
        f"找不到{label}“{unresolved.name}”{more}，{hint}",
        sheet=where.sheet,
        row=where.row,
        column=where.column,
    )


def remember(resolution: NameResolution, township: Township, *, recorded_by) -> list[NameAlias]:
    """Write the preview's choices as the county's aliases, for the next import (an office's: its township's)."""
    written = []
    for resolved in resolution.chosen:
        township_of_office = township if resolved.kind == Kind.OFFICE else None
        alias = remember_name(
            township.county,
            resolved.kind,
            resolved.name,
            resolved.target,
            township=township_of_office,
            recorded_by=recorded_by,
        )
        if alias is not None:
            written.append(alias)
    return written


def remember_name(county, kind: str, text: str, target, *, township=None, recorded_by) -> NameAlias | None:
    """Keep what a name of the county's files means, for its next import and claim; none for a text
    too long to be a name worth remembering (it served once)."""
    if len(text) > NameAlias._meta.get_field("text").max_length:
        return None
    alias, _created = NameAlias.objects.update_or_create(
        county=county,
        kind=kind,
        township=township,
        text=text,
        defaults={
            "office": target if kind == Kind.OFFICE else None,
            "department": target if kind == Kind.DEPARTMENT else None,
            "category": target if kind == Kind.CATEGORY else None,
            "merged_id": None,
            "created_by": recorded_by,
            "created_at": timezone.now(),
        },
    )
    return alias
