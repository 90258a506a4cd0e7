"""A province's or city's pages on the public site: the statistics of its counties beside the national
figures and the cross-county comparison, both over the editions in force (published data is public,
as the county's statistics and comparison are). A code naming no province or city answers 404.

The comparison is kept in the cache under the editions in force and the cleaned filters, as the
county's is (`matrix_views.cached`): a publication anywhere below changes the key.
"""

import hashlib
from html import escape

from django.http import Http404
from django.shortcuts import render
from django.utils.safestring import SafeString, mark_safe

from catalog.columns import Part
from catalog.matrix import collector_paused
from catalog.regions import counties_below, region_of

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


@collector_paused()
def region_comparison(request, code: str):
    region = public_region(code)
    counties = list(counties_below(region))
    editions = editions_in_force_below(counties)
    if not editions:
        raise Http404("该地区还没有现行的清单。")
    part = request.GET.get("part") if request.GET.get("part") in Part.values else None
    differing = request.GET.get("differing") == "1"
    in_force = ",".join(str(pk) for pk, *_ in editions)
    key = (
        f"region-matrix:{region.code}:"
        + hashlib.sha256(f"{in_force}|{part}:{differing}".encode()).hexdigest()
    )
    last_modified = max(published_at for *_, published_at in editions).timestamp()

    def produce():
        matrix = region_matrix(counties, editions, part=part, differing=differing)
        context = {
            "region": region,
            "matrix": matrix,
            "rows": [(row, cells_html(row)) for row in matrix.rows],
            "part": part,
            "differing": differing,
            "parts": Part.choices,
        }
        return render(request, "publication/region_matrix.html", context)

    return edition_response(request, key, last_modified, produce, caching=REVALIDATE)
