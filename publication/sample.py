"""A realistic sample of the country at scale: provinces, cities, counties and townships with published
lists, a share of them in a second edition with its change log, and public feedback — for benchmarks
and for trying the product with millions of published items.

Everything is derived from the demo fixtures, so a sample needs no demo county in the database: each
county gets the demo county's categories, departments and synonyms, each township the demo townships'
offices and a published list drawn from the demo lists' items (667 rows, 190 names), cycling through
the four lists and, past a list's end, taking further items of the others under a varied name
(协助做好…, …（辖区）), so that searches for 低保, 消防, 安全生产 or 城乡居民养老保险 find about as many
items per township as a real list holds. Codes follow GB/T 2260 below the given first province code.

The sample is deterministic (one seed gives the same names, keys and feedback) and written with
`bulk_create` in batches, reference rows with their history rows, published rows as
`publication.services.editions` writes them: items with their `search_grams`, second editions with
the change log `change_rows` makes. Nothing is written when a code it would use already exists.
"""

import functools
import hashlib
import io
import json
import math
import random
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from catalog.columns import COLUMNS, SEARCHED_FIELDS, TEXT
from catalog.models import (
    Category,
    City,
    County,
    Department,
    DutyList,
    Office,
    Part,
    Province,
    Synonym,
    Township,
)
from catalog.refusals import Conflict, Invalid

from .models import CurrentEdition, Edition, EditionChange, EditionItem, Feedback
from .services.editions import change_rows
from .services.feedback import RECEIPT_ALPHABET, RECEIPT_RANDOM_LENGTH
from .services.search import placed, search_grams

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
BATCH = 5000
HISTORY_REASON = "生成样本数据"
SECOND_EDITION_EVERY = 10  # one township in ten has a second edition in force
FEEDBACK_EVERY = 5  # one township in five has feedback (one to three reports)
# How the generated names vary a demo item's name when a list runs past the demo list it copies.
VARIATIONS = ["协助做好{}", "{}（辖区）", "配合开展{}", "{}（村、社区）", "组织实施{}"]
# Items real township lists hold that the demo's do not: every fourth item past a demo list's end.
OTHER_NAMES = [
    "城乡居民养老保险参保登记和待遇资格认证",
    "城乡居民基本医疗保险参保缴费动员",
    "低保、特困人员申请受理和入户调查",
    "低保边缘家庭认定",
    "消防安全网格化管理",
    "九小场所消防安全检查",
    "安全生产隐患排查治理",
    "安全生产月宣传教育",
    "森林防火巡查",
    "农村危房改造申请受理",
    "退役军人优待抚恤",
    "残疾人两项补贴申请受理",
]
# Two-character syllables for place names: a × b gives 900 names before a number is needed.
FIRST = "青白东西南北安平宁兴龙凤金银石清河山林泉桥湖云阳长永新福康和丰"
SECOND = "山水川河湖林峰源溪田阳岭港塘湾桥口坪坝庄城台州泉洲原江丘浦营"
PROVINCE_NAMES = ["华中", "江南", "岭北", "塞东", "川西", "海右", "河间", "关中", "燕南"]
EDITION_DAYS = (date(2025, 7, 1), date(2026, 3, 1))


@dataclass(frozen=True)
class Shape:
    """How big a sample is: every province alike, counties spread over its cities."""

    provinces: int = 1
    counties: int = 100  # per province
    townships: int = 13  # per county
    items: int = 340  # per township
    counties_per_city: int = 10
    first_province: int = 81  # the first province's code is 810000, the next 820000, …
    seed: int = 2026

    @property
    def total_items(self) -> int:
        return self.provinces * self.counties * self.townships * self.items

    def check(self) -> None:
        problems = []
        if min(self.provinces, self.counties, self.townships, self.items, self.counties_per_city) < 1:
            problems.append("省、县、乡镇数和每个乡镇的事项数都至少为 1。")
        if self.first_province < 11 or self.first_province + self.provinces - 1 > 99:
            problems.append("省级区划代码前两位应在 11 至 99 之间。")
        if self.counties_per_city > 99 or math.ceil(self.counties / self.counties_per_city) > 99:
            problems.append("每个市最多 99 个县、每个省最多 99 个市：请减少县数或增加每市县数。")
        if self.townships > 999:
            problems.append("每个县最多 999 个乡镇（街道）。")
        if problems:
            raise Invalid(problems, code="sample_shape")

    def province_codes(self) -> list[str]:
        return [f"{self.first_province + n}0000" for n in range(self.provinces)]


# Presets of `manage.py generate_sample`.
PROVINCE = Shape()
NATIONAL = Shape(provinces=6, counties=76, townships=13, items=340)  # 2,015,520 items


def place_name(number: int) -> str:
    """A distinct two-character name for each number below 900, with a number after that."""
    name = FIRST[number % len(FIRST)] + SECOND[(number // len(FIRST)) % len(SECOND)]
    return name if number < len(FIRST) * len(SECOND) else f"{name}{number // (len(FIRST) * len(SECOND))}"


class Demo:
    """The demo fixtures read as plain data: the county's reference rows and the lists' items."""

    def __init__(self) -> None:
        rows = json.loads((FIXTURES / "demo_county.json").read_text()) + json.loads(
            (FIXTURES / "demo_lists.json").read_text()
        )
        by_model: dict[str, dict[int, dict]] = {}
        for row in rows:
            by_model.setdefault(row["model"], {})[row["pk"]] = row["fields"]
        self.categories = by_model["catalog.category"]
        self.departments = by_model["catalog.department"]
        self.offices = by_model["catalog.office"]
        self.synonyms = list(by_model["catalog.synonym"].values())
        self.office_names = list(dict.fromkeys(o["name"] for o in self.offices.values()))
        self.lists: list[list[dict]] = []
        for list_id in sorted(by_model["catalog.dutylist"]):
            items = [f for f in by_model["catalog.dutyitem"].values() if f["duty_list"] == list_id]
            self.lists.append(sorted(items, key=lambda f: (Part.values.index(f["part"]), f["order"])))
        self.pool = [item for items in self.lists for item in items]


@dataclass
class CountyRows:
    """A generated county's categories and departments, by the demo's ids."""

    county: County
    categories: dict[int, Category]
    departments: dict[int, Department]


def frozen_values(demo: Demo, item: dict, rows: CountyRows, name: str, order: int) -> dict:
    """A demo item's frozen fields in a generated county (as `FrozenItem.values_of` reads a live item)."""
    category = rows.categories[item["category"]]
    parent = rows.categories.get(demo.categories[item["category"]]["parent"])
    leads = [rows.departments[pk] for pk in item["lead_departments"]]
    receiving = rows.departments.get(item["receiving_department"])
    office = demo.offices.get(item["responsible_office"])
    return {
        "part": item["part"],
        "category": category.name,
        "category_order": category.order,
        "category_id": category.pk,
        "category_parent": parent.name if parent else "",
        "category_parent_order": parent.order if parent else None,
        "category_parent_id": parent.pk if parent else None,
        "origin": item["origin"],
        "catalogue_entry_id": None,  # generated counties keep no catalogue
        "order": order,
        "name": name[:200],
        # The item's own texts, whichever the column declaration has (the name is varied above).
        **{c.frozen_name: item[c.name] for c in COLUMNS if c.kind == TEXT and c.frozen and c.name != "name"},
        "office": office["name"] if office else "",
        "lead_department_ids": [d.pk for d in leads],
        "lead_departments": "、".join(d.name for d in leads),
        "receiving_department_id": receiving.pk if receiving else None,
        "receiving_department": receiving.name if receiving else "",
        "is_safeguard": item["is_safeguard"],
    }


class Progress:
    """A one-line progress bar on a stream (stderr by default): done/total, rate and time left."""

    def __init__(self, total: int, label: str, stream=None, width: int = 30) -> None:
        self.total, self.label, self.width = total, label, width
        self.stream = stream if stream is not None else sys.stderr
        self.done, self.start, self.shown = 0, time.perf_counter(), 0.0

    def advance(self, count: int) -> None:
        self.done += count
        now = time.perf_counter()
        if now - self.shown >= 0.5 or self.done >= self.total:
            self.shown = now
            elapsed = now - self.start
            rate = self.done / elapsed if elapsed else 0.0
            left = (self.total - self.done) / rate if rate else 0.0
            filled = round(self.width * self.done / self.total) if self.total else self.width
            self.stream.write(
                f"\r{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {self.done:,}/{self.total:,}"
                f"  {rate:,.0f}/s  剩余 {left:,.0f} 秒 "
            )
            if self.done >= self.total:
                self.stream.write("\n")
            self.stream.flush()


class Generator:
    """Writes one sample; `run()` refuses before writing anything if a code it would use exists."""

    def __init__(self, shape: Shape, *, by, progress: Callable[[int, str], Progress] | None = None):
        shape.check()
        self.shape, self.by = shape, by
        # Seeded by the codes too, so two samples side by side differ in keys and receipt numbers.
        self.random = random.Random(f"{shape.seed}-{shape.first_province}")
        self.demo = Demo()
        self.progress = progress or (lambda total, label: Progress(total, label))
        self.counts = {"provinces": 0, "cities": 0, "counties": 0, "townships": 0, "items": 0}
        self.counts |= {"second_editions": 0, "changes": 0, "feedback": 0}
        self.grams: dict[tuple, str] = {}

    def grams_of(self, item: EditionItem) -> str:
        """`search_grams`, worked out once per text: most items repeat a demo item's words."""
        text = tuple(getattr(item, field) for field in SEARCHED_FIELDS)
        if text not in self.grams:
            self.grams[text] = search_grams(item)
        return self.grams[text]

    def key(self) -> uuid.UUID:
        return uuid.UUID(int=self.random.getrandbits(128), version=4)

    def check_free(self) -> None:
        codes = self.shape.province_codes()
        prefixes = [code[:2] for code in codes]
        taken = sorted(Province.objects.filter(code__in=codes).values_list("code", flat=True))
        for model in (City, County):
            taken += [
                code
                for code in model.objects.values_list("code", flat=True).order_by("code")
                if code[:2] in prefixes
            ]
        if taken:
            raise Conflict(
                f"行政区划代码 {', '.join(sorted(set(taken))[:5])} 等已存在：样本数据不能重复生成。"
                f"请用 --first-province 选用未使用的省级代码。",
                code="sample_exists",
            )

    def run(self) -> dict:
        with transaction.atomic():
            self.check_free()
            provinces = self.create_provinces()
            counties = self.create_counties(provinces)
        townships = self.shape.provinces * self.shape.counties * self.shape.townships
        bar = self.progress(self.shape.total_items, "已公布事项")
        for rows in counties:
            with transaction.atomic():
                self.fill_county(rows, bar)
        if connection.vendor == "postgresql":  # the planner's statistics for the tables that grew
            with connection.cursor() as cursor:
                for model in (
                    Township,
                    DutyList,
                    Edition,
                    EditionItem,
                    CurrentEdition,
                    EditionChange,
                    Feedback,
                ):
                    cursor.execute(f"ANALYZE {model._meta.db_table}")
        assert self.counts["townships"] == townships
        return self.counts

    def create_provinces(self) -> list[Province]:
        provinces = bulk_create_with_history(
            [
                Province(code=code, name=f"{PROVINCE_NAMES[n % len(PROVINCE_NAMES)]}样本省")
                for n, code in enumerate(self.shape.province_codes())
            ],
            Province,
            default_change_reason=HISTORY_REASON,
        )
        self.counts["provinces"] = len(provinces)
        return provinces

    def create_counties(self, provinces: list[Province]) -> list[CountyRows]:
        shape = self.shape
        cities_per_province = math.ceil(shape.counties / shape.counties_per_city)
        cities = bulk_create_with_history(
            [
                City(province=p, code=f"{p.code[:2]}{n + 1:02d}00", name=f"{place_name(n)}市")
                for p in provinces
                for n in range(cities_per_province)
            ],
            City,
            default_change_reason=HISTORY_REASON,
        )
        self.counts["cities"] = len(cities)
        counties = []
        for p_number in range(len(provinces)):
            for n in range(shape.counties):
                city = cities[p_number * cities_per_province + n // shape.counties_per_city]
                name = place_name(p_number * shape.counties + n)
                counties.append(
                    County(
                        city=city,
                        code=f"{city.code[:4]}{n % shape.counties_per_city + 1:02d}",
                        name=f"{name}县",
                    )
                )
        counties = bulk_create_with_history(counties, County, default_change_reason=HISTORY_REASON)
        self.counts["counties"] = len(counties)
        Synonym.objects.bulk_create(
            Synonym(county=county, word=s["word"], terms=s["terms"])
            for county in counties
            for s in self.demo.synonyms
        )
        return self.county_rows(counties)

    def county_rows(self, counties: list[County]) -> list[CountyRows]:
        """Each county's copy of the demo county's departments and (two-level) categories."""
        demo = self.demo
        departments = bulk_create_with_history(
            [
                Department(county=county, name=d["name"], short_name=d["short_name"], order=d["order"])
                for county in counties
                for d in demo.departments.values()
            ],
            Department,
            default_change_reason=HISTORY_REASON,
        )
        top = [pk for pk, c in demo.categories.items() if c["parent"] is None]
        below = [pk for pk, c in demo.categories.items() if c["parent"] in top]
        rows = []
        for n, county in enumerate(counties):
            chunk = departments[n * len(demo.departments) : (n + 1) * len(demo.departments)]
            rows.append(CountyRows(county, {}, dict(zip(demo.departments, chunk, strict=True))))
        for level in (top, below):
            created = bulk_create_with_history(
                [
                    Category(
                        county=r.county,
                        parent=r.categories.get(demo.categories[pk]["parent"]),
                        name=demo.categories[pk]["name"],
                        order=demo.categories[pk]["order"],
                    )
                    for r in rows
                    for pk in level
                ],
                Category,
                default_change_reason=HISTORY_REASON,
            )
            for n, r in enumerate(rows):
                r.categories |= dict(zip(level, created[n * len(level) : (n + 1) * len(level)], strict=True))
        return rows

    def fill_county(self, rows: CountyRows, bar: Progress) -> None:
        """The county's townships, each with its offices, a published list and its editions."""
        shape, county = self.shape, rows.county
        kinds = [Township.Kind.ZHEN, Township.Kind.XIANG, Township.Kind.ZHEN, Township.Kind.JIEDAO]
        townships = bulk_create_with_history(
            [
                Township(
                    county=county,
                    name=f"{place_name(n)}{kinds[n % len(kinds)].label}",
                    code=f"{county.code}{n + 1:03d}",
                    kind=kinds[n % len(kinds)],
                    order=n + 1,
                )
                for n in range(shape.townships)
            ],
            Township,
            default_change_reason=HISTORY_REASON,
        )
        self.counts["townships"] += len(townships)
        bulk_create_with_history(
            [
                Office(township=t, name=name, order=n + 1)
                for t in townships
                for n, name in enumerate(self.demo.office_names)
            ],
            Office,
            default_change_reason=HISTORY_REASON,
        )
        lists = bulk_create_with_history(
            [
                DutyList(
                    township=t, title=f"{t.name}履行职责事项清单", year=2025, stage=DutyList.Stage.PUBLISHED
                )
                for t in townships
            ],
            DutyList,
            default_change_reason=HISTORY_REASON,
        )
        firsts, items, first_number = [], [], self.counts["townships"] - len(townships)
        for n, (t, duty_list) in enumerate(zip(townships, lists, strict=True)):
            values = self.list_values(rows, first_number + n)
            edition = self.edition(t, duty_list, 1, values)
            firsts.append(edition)
            items.append([EditionItem(edition=edition, **v) for v in values])
        firsts = Edition.objects.bulk_create(firsts)
        for edition, edition_items in zip(firsts, items, strict=True):
            for item in edition_items:
                item.edition = edition
        self.write_items([item for edition_items in items for item in edition_items], bar)
        in_force = list(firsts)
        seconds = [n for n in range(len(townships)) if n % SECOND_EDITION_EVERY == SECOND_EDITION_EVERY // 2]
        for n in seconds:
            in_force[n] = self.second_edition(townships[n], lists[n], firsts[n], items[n], rows)
        CurrentEdition.objects.bulk_create(
            CurrentEdition(township=t, edition=e) for t, e in zip(townships, in_force, strict=True)
        )
        self.write_feedback(townships, in_force, items)

    def list_values(self, rows: CountyRows, number: int) -> list[dict]:
        """One township's items: a demo list in order, then other demo items under varied names."""
        demo, size = self.demo, self.shape.items
        source = demo.lists[number % len(demo.lists)]
        values = []
        for n in range(size):
            if n < len(source):
                item, name, order = source[n], source[n]["name"], source[n]["order"]
            else:
                item = demo.pool[(number * 37 + n) % len(demo.pool)]
                name = VARIATIONS[(number + n) % len(VARIATIONS)].format(item["name"])
                if n % 4 == 0:
                    name = OTHER_NAMES[(number + n // 4) % len(OTHER_NAMES)]
                    item = item | {"content": f"负责{name}相关工作。", "basis": ""}
                order = item["order"] + 1000 + n
            values.append({"key": self.key()} | frozen_values(demo, item, rows, name, order))
        return values

    def edition(self, township, duty_list, number: int, values: list[dict], note: str = "") -> Edition:
        counts = {f"{part}_count": sum(1 for v in values if v["part"] == part) for part in Part.values}
        effective_on = EDITION_DAYS[number - 1]
        return Edition(
            township=township,
            duty_list=duty_list,
            number=number,
            effective_on=effective_on,
            document_number=f"{township.county.name[:2]}办发〔{effective_on.year}〕{township.order}号",
            published_by=self.by,
            published_at=timezone.make_aware(
                datetime.combine(effective_on - timedelta(days=10), datetime.min.time())
            ),
            note=note,
            **counts,
        )

    def write_items(self, items: list[EditionItem], bar: Progress | None = None) -> None:
        for start in range(0, len(items), BATCH):
            batch = items[start : start + BATCH]
            for item in batch:
                item.search_grams = placed(self.grams_of(item), item.edition.township.code)
            insert_items(batch)
            if bar is not None:
                bar.advance(len(batch))
        self.counts["items"] += len(items)

    def second_edition(self, township, duty_list, first: Edition, old: list[EditionItem], rows) -> Edition:
        """第 2 版 as an adjustment makes it: one item reworded, one moved to 配合, one removed, one added."""
        note = "根据职责调整公布新版"
        values = [item.frozen_values() for item in old]
        basic = [n for n, v in enumerate(values) if v["part"] == Part.BASIC]
        reworded, moved, removed = basic[:3] if len(basic) >= 3 else (None, None, None)
        if reworded is not None:
            values[reworded]["content"] += "（根据新修订的法规调整表述）"
            lead = next(iter(rows.departments.values()))
            values[moved] |= {
                "part": Part.COORDINATED,
                "lead_department_ids": [lead.pk],
                "lead_departments": lead.name,
                "township_duties": "配合县级部门做好相关工作。",
            }
            del values[removed]
        added = self.demo.pool[(township.order * 53) % len(self.demo.pool)]
        values.append(
            {"key": self.key()}
            | frozen_values(self.demo, added, rows, f"{added['name']}（新增）", added["order"] + 5000)
        )
        edition = Edition.objects.bulk_create([self.edition(township, duty_list, 2, values, note)])[0]
        items = [EditionItem(edition=edition, **v) for v in values]
        self.write_items(items)
        self.counts["items"] -= len(old)  # the first edition is no longer in force
        changes = EditionChange.objects.bulk_create(change_rows(edition, old, items, note=note))
        self.counts["second_editions"] += 1
        self.counts["changes"] += len(changes)
        old[:] = items  # feedback cites the edition in force
        return edition

    def write_feedback(self, townships, editions, items) -> None:
        reports = []
        for township, edition, edition_items in zip(townships, editions, items, strict=True):
            if township.order % FEEDBACK_EVERY:
                continue
            for _ in range(1 + self.random.randrange(3)):
                item = edition_items[self.random.randrange(len(edition_items))]
                kind = self.random.choice(Feedback.Kind.values)
                reports.append(
                    Feedback(
                        township=township,
                        edition=edition,
                        receipt_number=self.receipt_number(),
                        key=item.key,
                        item_name=item.name,
                        kind=kind,
                        text=f"关于“{item.name}”：{Feedback.Kind(kind).label}，请核实。",
                        address_hash=hashlib.sha256(f"sample-{self.random.random()}".encode()).hexdigest(),
                        created_at=timezone.make_aware(datetime(2026, 3, 1 + self.random.randrange(28), 9)),
                    )
                )
        Feedback.objects.bulk_create(reports)
        self.counts["feedback"] += len(reports)

    def receipt_number(self) -> str:
        random_part = "".join(self.random.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_RANDOM_LENGTH))
        return f"20260301-{random_part}"


# The columns COPY writes, in order: every concrete column but the id.
ITEM_COLUMNS = [f for f in EditionItem._meta.concrete_fields if not f.primary_key]
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value) -> str:
    """A value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str):
        return escaped(value)
    return str(value)


@functools.lru_cache(maxsize=100_000)
def escaped(text: str) -> str:
    """Most texts repeat from item to item: each is escaped once."""
    return text.translate(COPY_ESCAPES)


def insert_items(items: list[EditionItem]) -> None:
    """Write edition items: on PostgreSQL with COPY (ten times bulk_create's rate at millions of rows;
    nothing later needs their ids), elsewhere with bulk_create."""
    if connection.vendor != "postgresql":
        EditionItem.objects.bulk_create(items)
        return
    buffer = io.StringIO()
    for item in items:
        buffer.write("\t".join(copy_text(getattr(item, f.attname)) for f in ITEM_COLUMNS) + "\n")
    buffer.seek(0)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in ITEM_COLUMNS)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {EditionItem._meta.db_table} ({columns}) FROM STDIN", buffer)
