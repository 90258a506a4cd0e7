"""The review's paper: the 意见采纳情况表 and the dispute docket, as printable workbooks.

They use the printed layout of the list exports (title row, header repeated on
every page, A4 landscape, page numbers, rows as tall as their text).
"""

import io
from collections.abc import Iterable

from openpyxl import Workbook

from catalog.exports import body_cell, row_height, start_table
from catalog.models import County

from .models import Comment, Dispute

DISPOSITION_COLUMNS = [
    ("序号", 6),
    ("轮次", 10),
    ("提出单位", 16),
    ("事项", 22),
    ("意见", 10),
    ("意见内容", 40),
    ("采纳情况", 10),
    ("理由", 30),
]
DOCKET_COLUMNS = [
    ("序号", 6),
    ("乡镇（街道）", 12),
    ("部门", 16),
    ("事项", 22),
    ("部门意见", 34),
    ("乡镇（街道）意见", 34),
    ("协调决定", 30),
]


def disposition_values(comment: Comment) -> list[str]:
    return [
        comment.window.submission.label,
        comment.signature,
        comment.item_name or comment.proposed_name or "整体意见",
        comment.get_position_display(),
        comment.position_text(),
        comment.answer_text(),
        comment.answer_reason,
    ]


def decision_text(dispute: Dispute) -> str:
    decision = getattr(dispute, "decision", None)
    if decision is None:
        return "待协调"
    reference = "，".join(
        x for x in [decision.meeting, f"{decision.decided_on:%Y-%m-%d}", decision.document_number] if x
    )
    return f"{decision.outcome}（{reference}）"


def docket_values(dispute: Dispute) -> list[str]:
    return [
        dispute.duty_list.township.name,
        dispute.signature,
        dispute.item_name,
        dispute.department_position,
        dispute.township_position,
        decision_text(dispute),
    ]


def table_workbook(
    sheet_name: str, title: str, columns: list[tuple[str, int]], rows: Iterable[list[str]]
) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = start_table(workbook, sheet_name, title, columns)
    widths = [width for _, width in columns]
    for number, values in enumerate(rows, start=1):
        line = [number, *values]
        sheet.row_dimensions[number + 2].height = row_height(widths, [str(v) for v in line])
        sheet.append([body_cell(sheet, number, center=True), *(body_cell(sheet, v) for v in values)])
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def disposition_workbook(title: str, comments: Iterable[Comment]) -> bytes:
    rows = (disposition_values(c) for c in comments)
    return table_workbook("意见采纳情况表", title, DISPOSITION_COLUMNS, rows)


def docket_workbook(county: County, disputes: Iterable[Dispute]) -> bytes:
    rows = (docket_values(d) for d in disputes)
    return table_workbook("争议事项", f"{county.name}乡镇（街道）履职事项争议协调清单", DOCKET_COLUMNS, rows)
