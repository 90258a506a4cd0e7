"""交叉比对 of a county's drafts and each department's ledger (部门事项台账), as pages and workbooks.

The county's staff (whoever sees all of its drafts) compare the drafts; a department's reviewers
see their own department's ledger, the county's editors any department's. Anyone else gets 404:
drafts of a county are none of their business. The editions in force have the same pages in
`publication.matrix_views`.
"""

from functools import lru_cache
from html import escape

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from . import exports, permissions
from .downloads import xlsx_response
from .forms import MatrixFilterForm
from .ledger import ledger_of
from .matrix import Matrix, collector_paused, draft_placements, matrix_of
from .models import Category, County, Department

DRAFTS = "在编清单"
IN_FORCE = "现行清单"


def filter_form(request, county: County) -> MatrixFilterForm:
    return MatrixFilterForm(
        request.GET or None,
        categories=Category.objects.filter(county=county).order_by("order", "name"),
        departments=Department.objects.filter(county=county).order_by("order", "name"),
    )


def matrix_title(county: County, source: str) -> str:
    return f"{county.name}乡镇（街道）履职事项交叉比对表（{source}）"


@lru_cache(maxsize=4096)
def escaped(label: str) -> str:
    return escape(label)  # a county has few placements and thousands of cells


def cells_html(row) -> SafeString:
    """A row's township cells as HTML, written here rather than by the template: the template
    language's lookups on a county's 12,000 cells took most of the page's time (docs/performance.md)."""
    cells = []
    for cell in row.cells:
        if cell.url:
            highlight = ' class="matrix-differs"' if cell.differs else ""
            # The township's own name of the item, where it is not the row's.
            title = f' title="{escape(cell.title)}"' if cell.title != row.name else ""
            link = f'<a href="{escape(cell.url)}"{title}>{escaped(cell.label)}</a>'
            cells.append(f"<td{highlight}>{link}</td>")
        else:
            cells.append('<td class="matrix-lacks">未列入</td>' if cell.lacks else "<td></td>")
    return mark_safe("".join(cells))  # every value in it is escaped above


def matrix_context(request, county: County, matrix: Matrix, form, source: str, download: str) -> dict:
    for row in matrix.rows:
        row.cells_html = cells_html(row)
    query = request.GET.urlencode()
    return {
        "county": county,
        "matrix": matrix,
        "form": form,
        "source": source,
        "title": matrix_title(county, source),
        "download_url": f"{download}?{query}" if query else download,
    }


def county_for_drafts(request, code: str) -> County:
    county = get_object_or_404(County, code=code)
    if not permissions.can_see_county_drafts(request.user, county):
        raise Http404("没有可查看的县。")
    return county


def drafts_matrix(request, county: County) -> tuple[Matrix, MatrixFilterForm]:
    form = filter_form(request, county)
    townships, items = draft_placements(county)
    return matrix_of(county.pk, townships, items, form.filters()), form


@login_required
@collector_paused()
def county_matrix(request, code: str):
    county = county_for_drafts(request, code)
    matrix, form = drafts_matrix(request, county)
    context = matrix_context(
        request, county, matrix, form, DRAFTS, reverse("catalog:county_matrix_export", args=[code])
    )
    context["other_url"] = reverse("publication:county_matrix", args=[code])
    context["ledgers"] = permissions.ledgers_of(request.user, county)
    return render(request, "catalog/matrix.html", context)


@login_required
@collector_paused()
def county_matrix_export(request, code: str):
    county = county_for_drafts(request, code)
    matrix, _form = drafts_matrix(request, county)
    title = matrix_title(county, DRAFTS)
    return xlsx_response(exports.matrix_workbook(title, matrix), f"{title}.xlsx")


def visible_department(request, department_id: int) -> Department:
    department = get_object_or_404(Department.objects.select_related("county"), pk=department_id)
    if not permissions.can_see_ledger(request.user, department):
        raise Http404("没有可查看的部门台账。")
    return department


def ledger_title(department: Department, source: str) -> str:
    return f"{department.name}事项台账（{source}）"


def ledger_views(read_ledger, source: str, export_name: str, other_name: str):
    """The ledger's page and workbook over one source (drafts here, editions in force in
    `publication`): `read_ledger(department)` reads it, the names address its workbook and the other
    source's page."""

    @login_required
    def page(request, department_id: int):
        department = visible_department(request, department_id)
        context = {
            "department": department,
            "ledger": read_ledger(department),
            "source": source,
            "title": ledger_title(department, source),
            "download_url": reverse(export_name, args=[department.pk]),
            "other_url": reverse(other_name, args=[department.pk]),
            "other_source": IN_FORCE if source == DRAFTS else DRAFTS,
        }
        return render(request, "catalog/ledger.html", context)

    @login_required
    def export(request, department_id: int):
        department = visible_department(request, department_id)
        title = ledger_title(department, source)
        return xlsx_response(exports.ledger_workbook(title, read_ledger(department)), f"{title}.xlsx")

    return page, export


def drafts_ledger(department: Department):
    townships, items = draft_placements(department.county, department=department)
    return ledger_of(department, townships, items)


department_ledger, department_ledger_export = ledger_views(
    drafts_ledger, DRAFTS, "catalog:department_ledger_export", "publication:department_ledger"
)
