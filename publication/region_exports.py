"""The cross-county comparison as a printable workbook: the page's table, a differing county's cell
filled as on the page (the county matrix's look, `catalog.exports`)."""

import io
from copy import copy

from openpyxl import Workbook

from catalog.exports import DIFFERS_FILL, NUMBER_WIDTH, body_cell, start_table, text_cell

from .region_matrix import RegionMatrix

COUNTY_WIDTH = 9


def region_matrix_workbook(title: str, matrix: RegionMatrix) -> bytes:
    workbook = Workbook(write_only=True)
    columns = [("序号", NUMBER_WIDTH), ("事项名称", 26), ("列入的县", 8), ("多数做法", 16)]
    columns += [(county.name, COUNTY_WIDTH) for county in matrix.counties]
    sheet = start_table(workbook, "各县交叉比对", title, columns)
    # Two looks, styled once and copied (setting a style per cell is most of a workbook's time).
    plain, differs = body_cell(sheet, "", center=True), body_cell(sheet, "", center=True)
    differs.fill = DIFFERS_FILL
    in_force = [body_cell(sheet, n, center=True) for _, n in matrix.columns]
    sheet.append([body_cell(sheet, ""), body_cell(sheet, "现行清单的乡镇（街道）数"), None, None, *in_force])
    for number, row in enumerate(matrix.rows, start=1):
        cells = [body_cell(sheet, number, center=True), body_cell(sheet, row.name)]
        cells += [body_cell(sheet, row.counties, center=True), body_cell(sheet, row.majority_label)]
        for cell in row.cells:
            written = text_cell(sheet, cell.label)
            written._style = copy((differs if cell.differs else plain)._style)
            cells.append(written)
        sheet.append(cells)
    sheet.append([])
    sheet.append(
        [
            text_cell(
                sheet,
                "单元格：列入该事项的乡镇（街道）数及多数列为的类型（基 / 配 / 收）；黄色：与多数县不同。",
            )
        ]
    )
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()
