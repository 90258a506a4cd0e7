"""A province's or city's pages on the public site: the statistics of its counties beside the national
figures and the cross-county comparison (page and workbook), over the editions in force (published
data is public, as the county's statistics and comparison are). A code naming no province or city
answers 404.

The comparison is kept in the cache under the editions in force and the cleaned filters, as the
county's is (`matrix_views.cached`): a publication anywhere below changes the key.
"""

import hashlib
from html import escape
from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from catalog.columns import Part
from catalog.downloads import xlsx_response
from catalog.matrix import collector_paused
from catalog.regions import counties_below, region_of

from .region_exports import region_matrix_workbook
from .region_matrix import editions_in_force_below, region_matrix
from .region_stats import region_stats
from .views import REVALIDATE, edition_response


def public_region(code: str):
    region = region_of(code)
    if region is None:
        raise Http404("没有这个省市。")
    return region


def cells_html(row) -> SafeString:
    """A row's county cells as HTML, written here for the reason the county's are
    (`catalog.matrix_views.cells_html`): a province's comparison has tens of thousands of cells."""
    cells = []
    for cell in row.cells:
        if not cell.held:
            cells.append("<td></td>")
            continue
        highlight = ' class="matrix-differs"' if cell.differs else ""
        cells.append(f'<td{highlight} title="{escape(cell.title)}">{escape(cell.label)}</td>')
    return mark_safe("".join(cells))  # every value in it is escaped above


def region_statistics(request, code: str):
    region = public_region(code)
    return render(request, "publication/region_statistics.html", {"stats": region_stats(region)})


def comparison_response(request, code: str, what: str, produce):
    """The comparison of the region's editions in force, drawn by `produce(region, matrix, part,
    differing)`, from the cache while the same editions are in force."""
    region = public_region(code)
    counties = list(counties_below(region))
    editions = editions_in_force_below(counties)
    if not editions:
        raise Http404("该地区还没有现行的清单。")
    part = request.GET.get("part") if request.GET.get("part") in Part.values else None
    differing = request.GET.get("differing") == "1"
    in_force = ",".join(str(pk) for pk, *_ in editions)
    chosen = f"{in_force}|{part}:{differing}"
    key = f"region-matrix:{what}:{region.code}:" + hashlib.sha256(chosen.encode()).hexdigest()
    last_modified = max(published_at for *_, published_at in editions).timestamp()

    def draw():
        matrix = region_matrix(counties, editions, part=part, differing=differing)
        return produce(region, matrix, part, differing)

    return edition_response(request, key, last_modified, draw, caching=REVALIDATE)


def filter_query(part: str | None, differing: bool) -> str:
    """The cleaned filters as a query string (not the request's: the page is kept for everyone)."""
    chosen = {"part": part} if part else {}
    if differing:
        chosen["differing"] = "1"
    return "?" + urlencode(chosen) if chosen else ""


def matrix_title(region) -> str:
    return f"{region.name}各县（市、区）履职事项交叉比对表（现行清单）"


@collector_paused()
def region_comparison(request, code: str):
    def page(region, matrix, part, differing):
        context = {
            "region": region,
            "title": matrix_title(region),
            "matrix": matrix,
            "rows": [(row, cells_html(row)) for row in matrix.rows],
            "part": part,
            "differing": differing,
            "parts": Part.choices,
            "download": reverse("publication:region_matrix_export", args=[region.code])
            + filter_query(part, differing),
        }
        return render(request, "publication/region_matrix.html", context)

    return comparison_response(request, code, "page", page)


@collector_paused()
def region_comparison_export(request, code: str):
    def workbook(region, matrix, part, differing):
        title = matrix_title(region)
        return xlsx_response(region_matrix_workbook(title, matrix), f"{title}.xlsx")

    return comparison_response(request, code, "xlsx", workbook)
