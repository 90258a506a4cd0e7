"""交叉比对 of a county's editions in force, on the public site (residents and deputies compare
townships), and each department's ledger over them for the county's staff.

The public page and its workbook say the same to everyone until one of the county's townships
publishes again, so they are kept in the cache under the editions in force and the filters, the
way the other public pages are (`views.edition_response`): one query decides which copy is good.
"""

import hashlib

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from catalog import exports
from catalog.downloads import xlsx_response
from catalog.ledger import ledger_of
from catalog.matrix import collector_paused, matrix_of
from catalog.matrix_views import (
    IN_FORCE,
    filter_form,
    ledger_views,
    matrix_context,
    matrix_title,
)
from catalog.models import County

from .matrix import edition_placements, editions_in_force
from .views import REVALIDATE, edition_response


def county_in_force(code: str):
    county = get_object_or_404(County, code=code)
    editions = editions_in_force(county)
    if not editions:
        raise Http404("该县还没有现行的清单。")
    return county, editions


def cached(request, what: str, county: County, editions, form, produce):
    """The page or workbook from the cache while the same editions are in force."""
    chosen = form.filters()
    in_force = ",".join(str(edition.pk) for edition in editions)
    filters = f"{chosen.category}:{chosen.department}:{chosen.part}:{chosen.differing}"
    key = f"matrix:{what}:{county.pk}:" + hashlib.sha256(f"{in_force}|{filters}".encode()).hexdigest()
    last_modified = max(edition.published_at for edition in editions).timestamp()
    return edition_response(request, key, last_modified, produce, caching=REVALIDATE)


def in_force_matrix(county, editions, form):
    filters = form.filters()
    townships, items = edition_placements(editions, with_ids=filters.department is not None)
    return matrix_of(county.pk, townships, items, filters)


@collector_paused()
def county_matrix(request, code: str):
    county, editions = county_in_force(code)
    form = filter_form(request, county)

    def produce():
        matrix = in_force_matrix(county, editions, form)
        download = reverse("publication:county_matrix_export", args=[code])
        context = matrix_context(request, county, matrix, form, IN_FORCE, download)
        return render(request, "publication/matrix.html", context)

    return cached(request, "page", county, editions, form, produce)


@collector_paused()
def county_matrix_export(request, code: str):
    county, editions = county_in_force(code)
    form = filter_form(request, county)

    def produce():
        title = matrix_title(county, IN_FORCE)
        workbook = exports.matrix_workbook(title, in_force_matrix(county, editions, form))
        return xlsx_response(workbook, f"{title}.xlsx")

    return cached(request, "xlsx", county, editions, form, produce)


def in_force_ledger(department):
    townships, items = edition_placements(editions_in_force(department.county), department=department)
    return ledger_of(department, townships, items)


department_ledger, department_ledger_export = ledger_views(
    in_force_ledger, IN_FORCE, "publication:department_ledger_export", "catalog:department_ledger"
)
