"""Every layout counties publish their lists in, built in memory and imported into a township.

Each test writes one layout with openpyxl (or as a CSV), plans the import and checks
what the engine understood: how many items per part, and for a few rows the
category, name and key columns. The same seven items appear in every layout, so a
layout that is misread shows up as a wrong count or a wrong value, not as a crash.
"""

import csv
import io
from collections import Counter
from itertools import groupby

import pytest
from openpyxl import Workbook

from catalog.actors import SYSTEM
from catalog.imports import apply_import, plan_import
from catalog.models import DutyItem, Part
from tests.conftest import make_category, make_department, make_office

CATEGORIES = ["党的建设", "经济发展", "民生服务", "平安法治"]
OFFICES = ["党政办公室", "经济发展办公室", "社会事务办公室", "平安法治办公室"]
DEPARTMENTS = [
    "县农业农村局",
    "县自然资源局",
    "县应急管理局",
    "县市场监督管理局",
    "县综合行政执法局",
    "县人力资源和社会保障局",
]

BASIC = [
    {
        "category": "党的建设",
        "name": "落实全面从严治党主体责任",
        "content": "研究部署党的建设工作，定期分析研判党建工作形势。",
        "office": "党政办公室",
        "basis": "《中国共产党章程》",
    },
    {
        "category": "党的建设",
        "name": "党员发展教育管理",
        "content": "1.做好发展党员工作；\n2.组织党员集中学习教育。",
        "office": "党政办公室",
        "basis": "《中国共产党发展党员工作细则》",
    },
    {
        "category": "民生服务",
        "name": "最低生活保障申请受理",
        "content": "受理低保申请，开展入户调查。",
        "office": "社会事务办公室",
        "basis": "《社会救助暂行办法》",
    },
]
COORDINATED = [
    {
        "category": "经济发展",
        "name": "食品安全隐患排查",
        "department": "县市场监督管理局",
        "department_duties": "负责食品生产经营监督检查。",
        "township_duties": "协助开展食品安全宣传和隐患排查。",
        "basis": "《中华人民共和国食品安全法》第六条",
    },
    {
        "category": "平安法治",
        "name": "森林防灭火",
        "department": "县应急管理局、县自然资源局",
        "department_duties": "统筹森林防灭火工作，组织扑救。",
        "township_duties": "1.开展巡山护林；\n2.发现火情及时报告。",
        "basis": "《森林防火条例》",
    },
]
RECLAIMED = [
    {
        "category": "平安法治",
        "name": "违法建设查处",
        "department": "县综合行政执法局",
        "reclaim_reason": "执法事项，由县综合行政执法局直接实施。",
        "basis": "",
    },
    {
        "category": "民生服务",
        "name": "工伤认定",
        "department": "县人力资源和社会保障局",
        "reclaim_reason": "专业性强，由县人力资源和社会保障局实施。",
        "basis": "《工伤保险条例》",
    },
]
ITEMS = {Part.BASIC: BASIC, Part.COORDINATED: COORDINATED, Part.RECLAIMED: RECLAIMED}
STANDARD_COUNTS = {Part.BASIC: 3, Part.COORDINATED: 2, Part.RECLAIMED: 2}

COLUMNS = {
    Part.BASIC: ["order", "category", "name", "content", "office", "basis"],
    Part.COORDINATED: [
        "order",
        "category",
        "name",
        "department",
        "department_duties",
        "township_duties",
        "basis",
    ],
    Part.RECLAIMED: ["order", "category", "name", "department", "reclaim_reason", "basis"],
}
WORDS = {
    "order": "序号",
    "category": "类别",
    "name": "事项名称",
    "content": "具体内容",
    "office": "责任科室",
    "department": "县级主责部门",
    "department_duties": "县级部门职责",
    "township_duties": "乡镇（街道）配合职责",
    "reclaim_reason": "收回理由",
    "basis": "依据",
}
SHEET_NAMES = {
    Part.BASIC: "基本履职事项清单",
    Part.COORDINATED: "配合履职事项清单",
    Part.RECLAIMED: "上级部门收回事项清单",
}
PART_HEADINGS = {
    Part.BASIC: "一、基本履职事项清单（共{n}项）",
    Part.COORDINATED: "二、配合履职事项清单（共{n}项）",
    Part.RECLAIMED: "三、上级部门收回事项清单（共{n}项）",
}
CHINESE_NUMBERS = "零一二三四五六七八九十"
TITLE = "××镇履行职责事项清单"
UNIT = "单位：××镇人民政府  填报时间：2025年3月"


class Grid:
    """One worksheet being written: its rows of values and its merged ranges (1-based)."""

    def __init__(self, title: str = "Sheet1"):
        self.title = title
        self.rows: list[list] = []
        self.merges: list[tuple[int, int, int, int]] = []

    def add(self, *values) -> int:
        self.rows.append(list(values))
        return len(self.rows)

    def merge(self, first_row: int, first_column: int, last_row: int, last_column: int) -> None:
        for r in range(first_row, last_row + 1):
            for c in range(first_column, last_column + 1):
                if (r, c) != (first_row, first_column) and c <= len(self.rows[r - 1]):
                    self.rows[r - 1][c - 1] = None  # Excel keeps only the first cell's value
        self.merges.append((first_row, first_column, last_row, last_column))

    def banner(self, text: str, width: int = 6) -> int:
        """A title, heading or note row: one cell merged across the table."""
        row = self.add(text)
        self.merge(row, 1, row, width)
        return row


def xlsx(*grids: Grid) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for grid in grids:
        sheet = workbook.create_sheet(grid.title)
        for row in grid.rows:
            sheet.append(row)
        for first_row, first_column, last_row, last_column in grid.merges:
            sheet.merge_cells(
                start_row=first_row, start_column=first_column, end_row=last_row, end_column=last_column
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def number_as(style: str, n: int):
    return {"int": n, "text": str(n), "dot": f"{n}.", "bracket": f"（{n}）", "comma": f"{n}、"}[style]


def table(
    grid: Grid,
    part: str,
    *,
    category: str = "column",
    numbering: str = "int",
    restart: bool = False,
    words: dict | None = None,
    items: list[dict] | None = None,
    header_again_before: str = "",
    page_rows: tuple = (),
    blank_rows: bool = False,
    with_order: bool = True,
) -> None:
    """Write one part's table: header row, then its items grouped by category.

    `category` is "column" (a 类别 cell on every row), "merged" (one 类别 cell merged
    down over its items), "numbered" (section rows 一、党的建设（2项）) or "bracket"
    (section rows （一）党的建设), "split" (一 in the 序号 column, the category in the
    name column) or "in-name" (（一）党的建设 alone in the name column).
    `header_again_before` repeats the header row before the item of that name, as on a
    second printed page, after `page_rows` (a page number, the title repeated …).
    """
    items = items if items is not None else ITEMS[part]
    words = {**WORDS, **({"department": "收回部门"} if part == Part.RECLAIMED else {}), **(words or {})}
    columns = [c for c in COLUMNS[part] if c != "category" or category in ("column", "merged")]
    if not with_order:
        columns.remove("order")
    header = [words[c] for c in columns]
    grid.add(*header)
    running = 0
    groups = groupby(items, key=lambda item: item["category"])
    for section, (name, group) in enumerate(groups, start=1):
        group = list(group)
        if blank_rows:
            grid.add()
        if category == "numbered":
            grid.banner(f"{CHINESE_NUMBERS[section]}、{name}（{len(group)}项）", len(columns))
        elif category == "bracket":
            grid.banner(f"（{CHINESE_NUMBERS[section]}）{name}", len(columns))
        elif category == "split":
            row = grid.add(CHINESE_NUMBERS[section], f"{name}（{len(group)}项）")
            grid.merge(row, 2, row, len(columns))
        elif category == "in-name":
            grid.add(None, f"（{CHINESE_NUMBERS[section]}）{name}")
        first = None
        for position, item in enumerate(group, start=1):
            running += 1
            if item["name"] == header_again_before:
                for text in page_rows:
                    if isinstance(text, tuple):
                        grid.add(*text)
                    else:
                        grid.banner(text, len(columns))
                grid.add(*header)
            values = {**item, "order": number_as(numbering, position if restart else running)}
            row = grid.add(*(values.get(column, "") or None for column in columns))
            first = first or row
            if blank_rows:
                grid.add(None, None, " ", "\u3000")
        if category == "merged" and len(group) > 1:
            column = columns.index("category") + 1
            grid.merge(first, column, first + len(group) - 1, column)


def sheet_per_part(words: dict | None = None, titles: dict | None = None, **options) -> bytes:
    """Layout 1: one sheet per part, each named after its part (or as `titles` says)."""
    grids = []
    for part in Part:
        grid = Grid((titles or SHEET_NAMES)[part])
        table(grid, part, words=(words or {}).get(part), **options)
        grids.append(grid)
    return xlsx(*grids)


def one_sheet(grid: Grid | None = None, **options) -> Grid:
    """Layout 2: the three parts on one sheet, each under its heading and with its own header."""
    grid = grid or Grid("履职事项清单")
    for part in Part:
        grid.banner(PART_HEADINGS[part].format(n=len(ITEMS[part])), 7)
        table(grid, part, **options)
        grid.add()
    return grid


def by_name(plan) -> dict:
    return {incoming.name: incoming for incoming in plan.added}


def counts(plan) -> dict:
    return dict(Counter(incoming.part for incoming in plan.added))


def assert_standard(plan) -> None:
    """The seven items of ITEMS, read with every key column intact."""
    assert plan.problems == []
    assert plan.ok
    assert counts(plan) == STANDARD_COUNTS
    assert plan.to_create == {"category": [], "office": [], "department": []}
    items = by_name(plan)
    assert set(items) == {item["name"] for part in Part for item in ITEMS[part]}

    first, second = items["落实全面从严治党主体责任"], items["党员发展教育管理"]
    assert (first.part, first.category.name, first.office.name) == (Part.BASIC, "党的建设", "党政办公室")
    assert first.texts["content"] == "研究部署党的建设工作，定期分析研判党建工作形势。"
    assert first.texts["basis"] == "《中国共产党章程》"
    assert (second.category.name, second.order) == ("党的建设", 2)
    assert second.texts["content"] == "1.做好发展党员工作；\n2.组织党员集中学习教育。"
    assert items["最低生活保障申请受理"].category.name == "民生服务"
    assert items["最低生活保障申请受理"].office.name == "社会事务办公室"

    fire = items["森林防灭火"]
    assert (fire.part, fire.category.name) == (Part.COORDINATED, "平安法治")
    assert sorted(d.name for d in fire.leads) == ["县应急管理局", "县自然资源局"]
    assert fire.texts["department_duties"] == "统筹森林防灭火工作，组织扑救。"
    assert fire.texts["township_duties"] == "1.开展巡山护林；\n2.发现火情及时报告。"
    assert [d.name for d in items["食品安全隐患排查"].leads] == ["县市场监督管理局"]

    injury = items["工伤认定"]
    assert (injury.part, injury.category.name) == (Part.RECLAIMED, "民生服务")
    assert injury.receiving.name == "县人力资源和社会保障局"
    assert injury.texts["reclaim_reason"] == "专业性强，由县人力资源和社会保障局实施。"
    assert items["违法建设查处"].receiving.name == "县综合行政执法局"
    assert items["违法建设查处"].office is None


@pytest.fixture
def town(township):
    """A township whose county has the categories, offices and departments of ITEMS."""
    county = township.county
    for order, name in enumerate(CATEGORIES, start=1):
        make_category(county, name, order)
    for name in OFFICES:
        make_office(township, name)
    for name in DEPARTMENTS:
        make_department(county, name)
    return township


# 1. One sheet per part.
def test_one_sheet_per_part(town):
    assert_standard(plan_import(sheet_per_part(), "清单.xlsx", town, by=SYSTEM))


# 2. All three parts on one sheet under part headings.
def test_three_parts_on_one_sheet_under_headings(town):
    assert_standard(plan_import(xlsx(one_sheet()), "清单.xlsx", town, by=SYSTEM))


# 3. Title rows above the header.
@pytest.mark.parametrize("unit_in_two_cells", [False, True], ids=["unit-one-cell", "unit-two-cells"])
def test_title_rows_above_the_header_on_one_sheet(town, unit_in_two_cells):
    grid = Grid("Sheet1")
    grid.banner(TITLE, 7)
    grid.add()
    if unit_in_two_cells:
        grid.add("单位：××镇人民政府", None, None, None, None, "填报时间：2025年3月")
    else:
        grid.banner(UNIT, 7)
    assert_standard(plan_import(xlsx(one_sheet(grid)), "清单.xlsx", town, by=SYSTEM))


def test_title_rows_above_the_header_of_unnamed_sheets(town):
    """Sheets named Sheet1..3: the part comes from the title row or, failing that, the columns."""
    grids = []
    for number, part in enumerate(Part, start=1):
        grid = Grid(f"Sheet{number}")
        grid.banner(TITLE if part != Part.RECLAIMED else "××镇上级部门收回事项清单", 7)
        grid.add()
        grid.banner(UNIT, 7)
        table(grid, part)
        grids.append(grid)
    assert_standard(plan_import(xlsx(*grids), "清单.xlsx", town, by=SYSTEM))


# 4. Two header rows with merged cells.
@pytest.mark.parametrize("repeated", [False, True], ids=["once", "repeated-on-page-2"])
@pytest.mark.parametrize("named_sheets", [True, False], ids=["named-sheets", "unnamed-sheets"])
def test_two_header_rows_with_merged_cells(town, named_sheets, repeated):
    def two_row_table(grid: Grid, part: str, top: list, bottom: list, columns: list, spans: list) -> None:
        """`spans`: (first, last) column numbers merged across the top row; others merge down."""

        def header() -> None:
            first = grid.add(*top)
            grid.add(*bottom)
            across = {column for first_column, last in spans for column in range(first_column, last + 1)}
            for first_column, last in spans:
                grid.merge(first, first_column, first, last)
            for column in range(1, len(top) + 1):
                if column not in across:
                    grid.merge(first, column, first + 1, column)

        header()
        for position, item in enumerate(ITEMS[part], start=1):
            if repeated and position == 2:
                header()
            grid.add(*({**item, "order": position}.get(c, "") or None for c in columns))

    sheets = {
        part: Grid(SHEET_NAMES[part] if named_sheets else f"Sheet{n}") for n, part in enumerate(Part, 1)
    }
    table(sheets[Part.BASIC], Part.BASIC)
    two_row_table(
        sheets[Part.COORDINATED],
        Part.COORDINATED,
        ["序号", "类别", "事项名称", "县级部门", None, "乡镇（街道）配合职责", "依据"],
        [None, None, None, "部门名称", "部门职责", None, None],
        COLUMNS[Part.COORDINATED],
        [(4, 5)],
    )
    two_row_table(
        sheets[Part.RECLAIMED],
        Part.RECLAIMED,
        ["序号", "类别", "事项名称", "收回情况", None, "依据"],
        [None, None, None, "收回部门", "收回理由", None],
        COLUMNS[Part.RECLAIMED],
        [(4, 5)],
    )
    assert_standard(plan_import(xlsx(*sheets.values()), "清单.xlsx", town, by=SYSTEM))


# 5. Header wording variants.
HEADER_VARIANTS = [
    *[(part, "name", word) for word in ["事项名称", "履职事项", "事项", "事项\n名称"] for part in Part],
    (Part.BASIC, "order", "序　号"),
    *[(Part.BASIC, "content", word) for word in ["具体内容", "工作内容", "事项内容", "具体工作事项"]],
    *[(Part.BASIC, "office", word) for word in ["责任科室", "责任机构", "承办科室"]],
    *[
        (Part.COORDINATED, "department", word)
        for word in ["县级主责部门", "县级部门", "上级部门", "主管部门", "对应上级部门", "责任部门"]
    ],
    *[(Part.COORDINATED, "department_duties", word) for word in ["县级部门职责", "上级部门职责", "部门职责"]],
    *[
        (Part.COORDINATED, "township_duties", word)
        for word in [
            "乡镇（街道）配合职责",
            "乡镇(街道)配合职责",
            "乡镇职责",
            "镇街配合职责",
            "街道职责",
            "乡镇（街道）职责",
        ]
    ],
    *[(Part.RECLAIMED, "department", word) for word in ["收回部门", "承接部门", "上级主管部门"]],
    *[(Part.RECLAIMED, "reclaim_reason", word) for word in ["收回理由", "工作方式", "收回后工作方式"]],
]


@pytest.mark.parametrize(
    "part,column,word",
    HEADER_VARIANTS,
    ids=[f"{part}-{column}-{word.replace(chr(10), '-')}" for part, column, word in HEADER_VARIANTS],
)
def test_header_wording_variants(town, part, column, word):
    assert_standard(plan_import(sheet_per_part(words={part: {column: word}}), "清单.xlsx", town, by=SYSTEM))


@pytest.mark.parametrize("part", list(Part))
def test_header_variants_tell_the_part_without_a_sheet_name(town, part):
    """Unnamed sheets with the less common wordings still land in the right part."""
    words = {
        Part.BASIC: {"name": "履职事项", "content": "工作内容", "office": "承办科室"},
        Part.COORDINATED: {"department": "对应上级部门", "township_duties": "镇街配合职责"},
        Part.RECLAIMED: {"department": "承接部门", "reclaim_reason": "收回后工作方式"},
    }[part]
    grid = Grid("Sheet1")
    table(grid, part, words=words)
    plan = plan_import(xlsx(grid), "清单.xlsx", town, by=SYSTEM)
    assert plan.ok, [str(p) for p in plan.problems]
    assert counts(plan) == {part: STANDARD_COUNTS[part]}


# 6. Categories as a column, as merged cells, as section rows.
@pytest.mark.parametrize("category", ["column", "merged", "numbered", "bracket", "split", "in-name"])
@pytest.mark.parametrize("layout", ["sheet-per-part", "one-sheet"])
def test_category_placement(town, category, layout):
    data = (
        sheet_per_part(category=category)
        if layout == "sheet-per-part"
        else xlsx(one_sheet(category=category))
    )
    plan = plan_import(data, "清单.xlsx", town, by=SYSTEM)
    assert_standard(plan)
    assert {incoming.name: incoming.category.name for incoming in plan.added} == {
        item["name"]: item["category"] for part in Part for item in ITEMS[part]
    }


def test_section_rows_with_count_suffixes(town):
    grid = Grid("基本履职事项清单")
    grid.add("序号", "事项名称", "具体内容", "责任科室")
    grid.banner("一、党的建设（共25项）", 4)
    grid.add(1, "落实全面从严治党主体责任", "研究部署党的建设工作。", "党政办公室")
    grid.banner("二、民生服务(12项)", 4)
    grid.add(1, "最低生活保障申请受理", "受理低保申请。", "社会事务办公室")
    grid.banner("（三）平安法治（3 项）", 4)
    grid.add(1, "矛盾纠纷排查化解", "开展矛盾纠纷排查。", "平安法治办公室")
    plan = plan_import(xlsx(grid), "清单.xlsx", town, by=SYSTEM)
    assert plan.ok, [str(p) for p in plan.problems]
    assert [(i.name, i.category.name) for i in plan.added] == [
        ("落实全面从严治党主体责任", "党的建设"),
        ("最低生活保障申请受理", "民生服务"),
        ("矛盾纠纷排查化解", "平安法治"),
    ]


def test_table_without_an_order_column(town):
    """事项名称 is the first column: part headings and section rows land in the name column."""
    grid = Grid("Sheet1")
    grid.banner(TITLE, 6)
    assert_standard(
        plan_import(xlsx(one_sheet(grid, category="in-name", with_order=False)), "清单.xlsx", town, by=SYSTEM)
    )
    grid = one_sheet(category="bracket", with_order=False)
    assert_standard(plan_import(xlsx(grid), "清单.xlsx", town, by=SYSTEM))


def test_three_tables_on_one_sheet_without_part_headings(town):
    """Nothing names the parts: each table's columns tell which part it is."""
    grid = Grid("Sheet1")
    grid.banner(TITLE, 7)
    for part in Part:
        table(grid, part)
        grid.add()
    assert_standard(plan_import(xlsx(grid), "清单.xlsx", town, by=SYSTEM))


# 7. 序号 restarting per category or running through, in any writing.
@pytest.mark.parametrize("restart", [True, False], ids=["restarting", "running"])
@pytest.mark.parametrize("numbering", ["int", "text", "dot", "bracket", "comma"])
def test_numbering_styles(town, numbering, restart):
    plan = plan_import(
        sheet_per_part(category="numbered", numbering=numbering, restart=restart),
        "清单.xlsx",
        town,
        by=SYSTEM,
    )
    assert_standard(plan)
    # The position within the category counts, however the file numbers its rows.
    assert [i.order for i in plan.added if i.part == Part.BASIC] == [1, 2, 1]


# 8. Blank rows inside the table, notes under it.
NOTES = [
    ["注：1.本清单所列事项实行动态调整；\n2.清单未列明的事项，乡镇（街道）原则上不承担。"],
    ["备注：本清单自印发之日起施行。"],
    ["注：", "1.本清单所列事项实行动态调整。", "2.清单之外无事项。"],
    ["说明：本表由县委编办汇总。"],
]


@pytest.mark.parametrize("note", NOTES, ids=["note", "remark", "note-in-cells", "explanation"])
@pytest.mark.parametrize("category", ["column", "bracket"])
def test_blank_rows_and_notes_are_not_items(town, note, category):
    grids = []
    for part in Part:
        grid = Grid(SHEET_NAMES[part])
        grid.banner(TITLE)
        table(grid, part, category=category, blank_rows=True)
        grid.add("合计", None, f"{len(ITEMS[part])}项")
        grid.add()
        if len(note) == 1:
            grid.banner(note[0], len(COLUMNS[part]))
        else:
            grid.add(*note)
        grid.add(None, "2.各部门不得擅自向乡镇（街道）转嫁工作任务。")
        grids.append(grid)
    plan = plan_import(xlsx(*grids), "清单.xlsx", town, by=SYSTEM)
    assert_standard(plan)


def test_note_spanning_several_rows_ends_the_table(town):
    grid = Grid("基本履职事项清单")
    table(grid, Part.BASIC)
    first = grid.add("注：1.本清单所列事项实行动态调整。")
    grid.add()
    grid.add()
    grid.merge(first, 1, first + 2, 6)
    grid.add("2", "清单之外无事项", "各部门不得擅自转嫁任务。")
    plan = plan_import(xlsx(grid), "清单.xlsx", town, by=SYSTEM)
    assert plan.ok, [str(p) for p in plan.problems]
    assert counts(plan) == {Part.BASIC: 3}


# 9. Line breaks, numbered sub-points, full-width spaces, stray whitespace.
def test_cells_are_cleaned_but_keep_their_line_breaks(town):
    messy = {
        Part.BASIC: [
            {
                **BASIC[0],
                "name": "\u3000落实全面从严治党\n主体责任 ",
                "category": " 党的建设\u3000",
                "office": "党政办公室\u3000",
                "content": "  研究部署党的建设工作，定期分析研判党建工作形势。\u3000",
                "basis": "\u3000《中国共产党章程》\n",
            },
            {
                **BASIC[1],
                "content": "\u3000\u30001.做好发展党员工作；\r\n  2.组织党员集中学习教育。 \n\n",
            },
            BASIC[2],
        ],
        Part.COORDINATED: [
            COORDINATED[0],
            {
                **COORDINATED[1],
                "department": " 县应急管理局、\n\u3000县自然资源局 ",
                "township_duties": "1.开展巡山护林；\u3000\n2.发现火情及时报告。",
                "department_duties": "\t统筹森林防灭火工作，组织扑救。 ",
            },
        ],
        Part.RECLAIMED: [
            RECLAIMED[0],
            {**RECLAIMED[1], "department": "县人力资源和社会保障局\u3000", "name": " 工伤认定\u3000"},
        ],
    }
    grids = []
    for part in Part:
        grid = Grid(SHEET_NAMES[part])
        table(grid, part, items=messy[part])
        grids.append(grid)
    plan = plan_import(xlsx(*grids), "清单.xlsx", town, by=SYSTEM)
    assert_standard(plan)


def test_sub_points_inside_a_cell_stay_one_item(town):
    grid = Grid("基本履职事项清单")
    grid.add("序号", "类别", "事项名称", "具体内容", "责任科室")
    grid.add(
        1,
        "党的建设",
        "党员发展教育管理",
        "1.做好发展党员工作；\n2.组织学习教育；\n3.管理党费。",
        "党政办公室",
    )
    grid.add(2, "党的建设", "意识形态工作", "（1）落实责任制；\n（2）做好舆情引导。", "党政办公室")
    plan = plan_import(xlsx(grid), "清单.xlsx", town, by=SYSTEM)
    assert plan.ok, [str(p) for p in plan.problems]
    assert [i.texts["content"] for i in plan.added] == [
        "1.做好发展党员工作；\n2.组织学习教育；\n3.管理党费。",
        "（1）落实责任制；\n（2）做好舆情引导。",
    ]


# 10. Several departments in one cell.
@pytest.mark.parametrize("separator", ["、", "，", ",", "；", ";", "\n", "、\n", " ；"])
def test_several_lead_departments_in_one_cell(town, separator):
    items = [
        {**COORDINATED[1], "department": separator.join(["县应急管理局", "县自然资源局", "县农业农村局"])}
    ]
    grid = Grid("配合履职事项清单")
    table(grid, Part.COORDINATED, items=items)
    plan = plan_import(xlsx(grid), "清单.xlsx", town, by=SYSTEM)
    assert plan.ok, [str(p) for p in plan.problems]
    (fire,) = plan.added
    assert sorted(d.name for d in fire.leads) == ["县农业农村局", "县应急管理局", "县自然资源局"]


def test_a_department_named_twice_leads_once(town):
    items = [{**COORDINATED[1], "department": "县应急管理局、县自然资源局、县应急管理局"}]
    grid = Grid("配合履职事项清单")
    table(grid, Part.COORDINATED, items=items)
    (fire,) = plan_import(xlsx(grid), "清单.xlsx", town, by=SYSTEM).added
    assert sorted(d.name for d in fire.leads) == ["县应急管理局", "县自然资源局"]


# 11. The layouts of the two sample workbooks counties sent, rebuilt here with this file's items.
# One sheet: a merged title, a blank row, "一、…清单（共N项）" before each part, the county's own
# header words (事项内容, 承办科室, 主管部门, 部门职责, 乡镇职责, 承接部门, 工作方式) and a 备注
# column, "（一）党的建设" section rows, and a note under the last table.
ONE_SHEET_WORDS = {
    Part.BASIC: {"content": "事项内容", "office": "承办科室"},
    Part.COORDINATED: {
        "department": "主管部门",
        "department_duties": "部门职责",
        "township_duties": "乡镇职责",
    },
    Part.RECLAIMED: {"department": "承接部门", "reclaim_reason": "工作方式"},
}


def sample_one_sheet() -> bytes:
    grid = Grid("履职事项清单")
    grid.banner("样例街道履行职责事项清单")
    grid.add()
    for part in Part:
        grid.banner(PART_HEADINGS[part].format(n=len(ITEMS[part])))
        header = len(grid.rows)
        table(grid, part, category="bracket", words=ONE_SHEET_WORDS[part])
        grid.rows[header].append("备注")
    grid.add()
    grid.banner("注：1.本清单实行动态调整。")
    return xlsx(grid)


# Three sheets: each titled "样例镇…清单" in a merged row, sections "一、党的建设（2项）", and the
# reclaimed part's 收回部门 / 收回理由.
def sample_three_sheets() -> bytes:
    grids = []
    for part in Part:
        grid = Grid(SHEET_NAMES[part])
        grid.banner(f"样例镇{SHEET_NAMES[part]}", len(COLUMNS[part]))
        table(grid, part, category="numbered")
        grids.append(grid)
    return xlsx(*grids)


@pytest.mark.parametrize("build", [sample_one_sheet, sample_three_sheets], ids=["one-sheet", "three-sheets"])
def test_the_layouts_of_the_county_samples(town, build):
    data = build()
    assert_standard(plan_import(data, "样例.xlsx", town, by=SYSTEM))

    duty_list = apply_import(plan_import(data, "样例.xlsx", town, by=SYSTEM), by=SYSTEM)
    assert duty_list.items.count() == 7
    again = plan_import(data, "样例.xlsx", town, by=SYSTEM)
    assert again.ok, [str(p) for p in again.problems]
    assert (again.added, again.changed, again.missing, again.unchanged) == ([], [], [], 7)


# 12. A header repeated on a second printed page.
PAGE_ROWS = {
    "header-only": (),
    "page-number": ("- 1 -",),
    "page-number-in-name-column": ((None, None, "第 1 页，共 2 页"),),
    "title-and-unit": ("1/2", TITLE, UNIT),
}


@pytest.mark.parametrize("page_rows", list(PAGE_ROWS.values()), ids=list(PAGE_ROWS))
@pytest.mark.parametrize("category", ["column", "numbered", "bracket", "split"])
def test_header_repeated_on_a_second_page(town, category, page_rows):
    """The category in force before the page break goes on after it."""
    data = sheet_per_part(category=category, header_again_before="党员发展教育管理", page_rows=page_rows)
    assert_standard(plan_import(data, "清单.xlsx", town, by=SYSTEM))


def test_header_repeated_on_each_page_of_one_sheet(town):
    grid = one_sheet(category="bracket", header_again_before="党员发展教育管理")
    plan = plan_import(xlsx(grid), "清单.xlsx", town, by=SYSTEM)
    assert_standard(plan)
    assert not {"事项名称", "序号"} & set(by_name(plan))


# 13. CSV files.
@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv_one_sheet_layout(town, encoding):
    grid = Grid("ignored")
    grid.add(TITLE)
    grid.add()
    one_sheet(grid, category="bracket")
    grid.add("注：本清单实行动态调整。")
    text = io.StringIO()
    writer = csv.writer(text)
    for row in grid.rows:
        writer.writerow(["" if value is None else value for value in row])
    data = text.getvalue().encode(encoding)
    if encoding == "utf-8-sig":
        assert data.startswith(b"\xef\xbb\xbf")
    assert_standard(plan_import(data, "城关镇清单.csv", town, by=SYSTEM))


# Applying a plan, and importing the same file again.
def test_apply_writes_the_items_and_a_second_import_changes_nothing(town):
    data = xlsx(one_sheet(category="merged"))
    plan = plan_import(data, "清单.xlsx", town, by=SYSTEM)
    assert_standard(plan)
    duty_list = apply_import(plan, by=SYSTEM)

    items = {item.name: item for item in DutyItem.objects.filter(duty_list=duty_list)}
    assert Counter(item.part for item in items.values()) == STANDARD_COUNTS
    member = items["党员发展教育管理"]
    assert (member.category.name, member.order, member.responsible_office.name) == (
        "党的建设",
        2,
        "党政办公室",
    )
    assert member.content == "1.做好发展党员工作；\n2.组织党员集中学习教育。"
    fire = items["森林防灭火"]
    assert sorted(fire.lead_departments.values_list("name", flat=True)) == ["县应急管理局", "县自然资源局"]
    assert fire.township_duties == "1.开展巡山护林；\n2.发现火情及时报告。"
    injury = items["工伤认定"]
    assert (injury.receiving_department.name, injury.responsible_office) == ("县人力资源和社会保障局", None)

    again = plan_import(data, "清单.xlsx", town, by=SYSTEM)
    assert again.ok, [str(p) for p in again.problems]
    assert again.duty_list == duty_list
    assert (again.added, again.changed, again.missing) == ([], [], [])
    assert again.unchanged == 7
    assert not again.has_changes
