"""An item's columns, declared once, in the order a printed list shows them.

Each column says where it lives (its field on the live item, its name on frozen rows), how it is
labelled, which parts carry it, the header words an import accepts, how the printed sheet sizes
and explains it, and where it takes part: frozen copies, comparisons, the public search, the
printed sheets and the open data. Model rules, forms, templates, import matching, comparisons,
exports and open data read the lists below instead of naming fields themselves; see
docs/decisions/0013-item-columns.md for what adding a column still touches.
"""

from dataclasses import dataclass

from django.db import models


class Part(models.TextChoices):
    """The three parts of a list, in published order.

    The stored values sort alphabetically in published order as well, which
    `DutyItemQuerySet.in_published_order()` relies on.
    """

    BASIC = "basic", "基本履职事项"
    COORDINATED = "coordinated", "配合履职事项"
    RECLAIMED = "reclaimed", "上级部门收回事项"

    @property
    def short_label(self) -> str:
        """One character, where a table of many lists has room for little (交叉比对: 基 / 配 / 收)."""
        return SHORT_LABELS[self]


ALL_PARTS = tuple(Part)
SHORT_LABELS = {Part.BASIC: "基", Part.COORDINATED: "配", Part.RECLAIMED: "收"}


@dataclass(frozen=True)
class Verdict:
    """What a 12345 dispatcher does with a ticket that matches an item of a part (派单依据)."""

    code: str
    label: str
    handler: str  # the column naming who handles the ticket (主办)


VERDICTS = {
    Part.BASIC: Verdict("township", "乡镇(街道)自行办理", "responsible_office"),
    Part.COORDINATED: Verdict("department_leads", "县级部门主责、乡镇配合", "lead_departments"),
    Part.RECLAIMED: Verdict("department_reclaimed", "已由县级部门收回", "receiving_department"),
}
# When no item of the list matches: 清单之外无事项.
OUTSIDE_LIST = Verdict("outside_list", "清单之外", "")

# What a column holds, which decides how it reads: text is printed with its line breaks kept; a
# reference to another row reads as that row's name; departments (many) are joined with 、.
TEXT = "text"
NUMBER = "number"
CHOICE = "choice"
FLAG = "flag"
CATEGORY = "category"
OFFICE = "office"
DEPARTMENT = "department"
DEPARTMENTS = "departments"

YES_NO = {True: "是", False: "否"}


@dataclass(frozen=True)
class Column:
    name: str  # the field on the live item
    label: str  # as a form, a comparison and the open data name it
    kind: str = TEXT
    parts: tuple = ALL_PARTS
    header: str = ""  # the printed sheet's header, when it differs from the label
    frozen_as: str = ""  # the name on frozen rows, when it differs
    import_as: str = ""  # the import's name for the column (two columns may share one)
    header_words: tuple = ()  # the headers an import accepts
    width: int = 0  # printed column width
    help: str = ""  # the instructions sheet's explanation
    rows: int = 0  # lines of the form's text box
    required: str = ""  # the message when a part carrying the column leaves it empty
    work: bool = False  # where the part says what is done (a proposal's "content" goes here)
    frozen: bool = True  # copied into submissions and editions
    compared: bool = True  # compared between two frozen versions (版本对比, change log)
    searched: bool = False  # a resident's search reads it
    exported: bool = False  # printed on the part's sheet
    public: bool = True  # an open-data column
    in_form: bool = True  # edited in the item form

    @property
    def frozen_name(self) -> str:
        return self.frozen_as or self.name

    @property
    def import_name(self) -> str:
        return self.import_as or self.name

    @property
    def printed(self) -> str:
        return self.header or self.label

    @property
    def is_text(self) -> bool:
        return self.kind == TEXT

    @property
    def by_part(self) -> bool:
        """Whether some part does not carry it: such a column stays empty outside its parts."""
        return set(self.parts) != set(ALL_PARTS)

    def frozen_value(self, row) -> str:
        """Its value on a frozen row (or the frozen values of a live one), as the printed list reads."""
        value = getattr(row, self.frozen_name)
        if self.kind == CHOICE:
            return Part(value).label
        if self.kind == FLAG:
            return YES_NO[bool(value)]
        return value

    def live_value(self, item) -> str:
        """Its value on a live item, as the printed list reads (related rows as fetched)."""
        value = getattr(item, self.name)
        if self.kind == DEPARTMENTS:
            return "、".join(d.name for d in value.all())
        if self.kind in (CATEGORY, OFFICE, DEPARTMENT):
            return value.name if value is not None else ""
        if self.kind == CHOICE:
            return Part(value).label
        if self.kind == FLAG:
            return YES_NO[bool(value)]
        return value

    @property
    def frozen_ids(self) -> str:
        """The frozen field keeping the ids of the departments a column names (their names may change)."""
        if self.kind == DEPARTMENTS:
            return f"{self.name.removesuffix('s')}_ids"
        if self.kind == DEPARTMENT:
            return f"{self.name}_id"
        return ""

    def frozen_from(self, item) -> dict:
        """The frozen fields this column writes from a live item (the category's path: `FrozenItem.values_of`)."""
        value = getattr(item, self.name)
        if self.kind == DEPARTMENTS:
            departments = list(value.all())
            return {
                self.frozen_ids: [d.pk for d in departments],
                self.frozen_name: "、".join(d.name for d in departments),
            }
        if self.kind in (CATEGORY, OFFICE, DEPARTMENT):
            ids = {self.frozen_ids: getattr(item, f"{self.name}_id")} if self.frozen_ids else {}
            return {**ids, self.frozen_name: value.name if value is not None else ""}
        return {self.frozen_name: value}


BASIC, COORDINATED, RECLAIMED = (Part.BASIC,), (Part.COORDINATED,), (Part.RECLAIMED,)

COLUMNS = [
    Column("part", "清单类型", CHOICE, in_form=False),
    Column(
        "category",
        "类别",
        CATEGORY,
        header_words=("类别", "职责类别", "事项类别", "分类", "类型", "职责分类", "履职类别"),
        width=12,
        help="职责类别，如“党的建设”；须是本县已有的类别。",
        searched=True,
        exported=True,
    ),
    Column("order", "序号", NUMBER, header_words=("序号", "编号", "序"), compared=False, in_form=False),
    Column(
        "name",
        "事项名称",
        header_words=(
            "事项名称",
            "履职事项",
            "事项",
            "职责事项",
            "履职事项名称",
            "职责事项名称",
            "事项名",
        ),
        width=26,
        help="必填，不超过 200 字；同一清单内不重复。",
        searched=True,
        exported=True,
    ),
    Column(
        "content",
        "具体内容",
        parts=BASIC,
        header_words=(
            "具体内容",
            "工作内容",
            "事项内容",
            "具体工作事项",
            "主要内容",
            "具体事项",
            "职责内容",
            "履职内容",
        ),
        width=46,
        help="乡镇（街道）具体做什么；可分条写。",
        rows=3,
        work=True,
        searched=True,
        exported=True,
    ),
    Column(
        "responsible_office",
        "责任科室",
        OFFICE,
        parts=BASIC,
        frozen_as="office",
        import_as="office",
        header_words=(
            "责任科室",
            "责任机构",
            "承办科室",
            "责任站所",
            "责任部门科室",
            "承办机构",
            "乡镇责任科室",
        ),
        width=14,
        help="本乡镇（街道）的内设机构名称，须与系统中一致。",
        searched=True,
        exported=True,
    ),
    Column(
        "lead_departments",
        "县级主责部门",
        DEPARTMENTS,
        parts=COORDINATED,
        import_as="department",
        header_words=(
            "县级主责部门",
            "县级部门",
            "上级部门",
            "主管部门",
            "对应上级部门",
            "责任部门",
            "主责部门",
            "县级责任部门",
            "部门名称",
            "县直部门",
        ),
        width=16,
        help="必填；多个部门用“、”隔开。",
        required="配合履职事项至少需要一个县级主责部门。",
        searched=True,
        exported=True,
    ),
    Column(
        "department_duties",
        "县级部门职责",
        parts=COORDINATED,
        header_words=("县级部门职责", "上级部门职责", "部门职责", "主责部门职责", "县直部门职责"),
        width=34,
        help="县级部门做什么。",
        rows=3,
        searched=True,
        exported=True,
    ),
    Column(
        "township_duties",
        "乡镇（街道）配合职责",
        parts=COORDINATED,
        header_words=(
            "乡镇街道配合职责",
            "乡镇职责",
            "镇街配合职责",
            "街道职责",
            "配合职责",
            "乡镇配合职责",
            "街道配合职责",
            "镇街职责",
            "乡镇街道职责",
        ),
        width=34,
        help="必填；乡镇（街道）配合做什么。",
        rows=3,
        required="配合履职事项必须填写乡镇（街道）配合职责。",
        work=True,
        searched=True,
        exported=True,
    ),
    Column(
        "support",
        "履职保障",
        parts=COORDINATED,
        header_words=("履职保障", "保障措施", "履职保障措施"),
        width=20,
        help="县级部门提供的经费、人员、装备等。",
        rows=2,
        exported=True,
    ),
    Column(
        "receiving_department",
        "收回（承接）部门",
        DEPARTMENT,
        parts=RECLAIMED,
        header="收回部门",
        import_as="department",
        header_words=("收回部门", "承接部门", "上级主管部门", "收回承接部门", "承接单位"),
        width=16,
        help="必填；收回（承接）该事项的县级部门，只填一个。",
        required="上级部门收回事项必须填写收回（承接）部门。",
        searched=True,
        exported=True,
    ),
    Column(
        "reclaim_reason",
        "收回理由及工作方式",
        parts=RECLAIMED,
        header_words=(
            "收回理由",
            "工作方式",
            "收回后工作方式",
            "收回理由及工作方式",
            "收回理由和工作方式",
            "收回原因",
            "收回理由工作方式",
        ),
        width=40,
        help="为何收回，收回后由谁、如何实施。",
        rows=2,
        work=True,
        searched=True,
        exported=True,
    ),
    Column(
        "basis",
        "依据",
        header_words=("依据", "法律依据", "设定依据", "政策依据", "履职依据", "法律法规依据", "法规依据"),
        width=34,
        help="法律法规或政策依据，可写多条。",
        rows=2,
        exported=True,
    ),
    Column(
        "remarks",
        "备注",
        header_words=("备注", "说明"),
        width=14,
        rows=1,
        searched=True,
        exported=True,
    ),
    Column(
        "is_safeguard",
        "兜底事项",
        FLAG,
        import_as="safeguard",
        header_words=("兜底事项", "是否兜底事项", "是否兜底"),
    ),
    Column("origin", "来源", CHOICE, compared=False, public=False, in_form=False),
]
COLUMN = {column.name: column for column in COLUMNS}
FROZEN_COLUMN = {column.frozen_name: column for column in COLUMNS if column.frozen}
FIELD_NAMES = [column.name for column in COLUMNS]


def part_columns(part: str) -> list[Column]:
    """The columns only some parts carry, of one part, in printed order: what tells its table apart."""
    return [column for column in COLUMNS if column.by_part and part in column.parts]


def exported_columns(part: str) -> list[Column]:
    """The columns of a part's printed sheet, after its 序号."""
    return [column for column in COLUMNS if column.exported and part in column.parts]


PART_FIELDS = {part: frozenset(column.name for column in part_columns(part)) for part in Part}
PART_DEPENDENT_FIELDS = frozenset().union(*PART_FIELDS.values())
PART_REQUIRED_FIELDS = {
    part: {column.name: column.required for column in part_columns(part) if column.required} for part in Part
}
WORK_FIELDS = {part: next(c.name for c in COLUMNS if c.work and part in c.parts) for part in Part}
# The column naming the county department a part answers to: the lead departments of a coordinated
# item, the receiving department of a reclaimed one; a basic item names none.
PART_DEPARTMENT = {
    part: next((c for c in part_columns(part) if c.kind in (DEPARTMENT, DEPARTMENTS)), None) for part in Part
}
# The columns two frozen versions of an item are compared on, by their frozen names.
COMPARED_COLUMNS = [column for column in COLUMNS if column.frozen and column.compared]
PUBLIC_COLUMNS = [column for column in COLUMNS if column.public]
SEARCHED_FIELDS = [column.frozen_name for column in COLUMNS if column.searched]
# The import's names for columns, with the header words each accepts (two columns may share a name:
# "department" is the lead department on a coordinated table and the receiving one on a reclaimed).
HEADER_WORDS: dict[str, list[str]] = {}
for _column in COLUMNS:
    HEADER_WORDS.setdefault(_column.import_name, []).extend(_column.header_words)
HEADER_WORDS = {name: words for name, words in HEADER_WORDS.items() if words}
# Header names that tell a part from the others when nothing else names it: a column of one part
# other than the basic one (a sheet is basic unless something says otherwise), under its own name.
_SHARED = {name for name in HEADER_WORDS if sum(c.import_name == name for c in COLUMNS) > 1}
IMPLIED_PART = {
    column.import_name: column.parts[0]
    for column in COLUMNS
    if len(column.parts) == 1 and column.parts != BASIC and column.import_name not in _SHARED
}
