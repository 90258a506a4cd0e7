"""The public site: no login, and only published editions.

Every page and download here reads edition rows (`publication.queries`);
drafts, comments and unpublished lists have no public address.
"""

import hashlib
import io
import json

from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_protect

from catalog import exports, job_views
from catalog.downloads import attachment, xlsx_response
from catalog.models import FROZEN_ORDER, County, Job
from catalog.refusals import REFUSALS
from catalog.refused_views import show_on_form
from config.clientip import client_address

from . import areas, queries, services, tasks
from . import search as searching
from .exports import DATA_COLUMNS, edition_document, write_csv
from .forms import FeedbackForm, SearchForm
from .middleware import keep_while_in_force
from .models import Edition, EditionItem

DOWNLOAD_FORMATS = ("xlsx", "csv", "json")

# Pages of a given edition never change, so they are rendered once and kept in the cache,
# keyed by the edition (and by the edition in force, which some pages mention); their ETag is
# that key. Browsers and proxies:
# - ask again each time (a 304 when nothing changed) for pages that say which edition is in force:
#   the township's page and its items' pages, and an edition's page (it says whether that edition
#   is still in force and lists the later ones), so none is shown stale after a publication;
REVALIDATE = {"public": True, "no_cache": True}
# - keep for a day what only names an edition, which never changes: its downloads and change log.
EDITION_ONLY = {"public": True, "max_age": 86400}
JOB_FILE_MAX_AGE = 300  # a county download's file, made by a job
PAGE_TIMEOUT = 7 * 86400  # rendered pages of old editions leave the cache after a week unread


def edition_response(request, key: str, last_modified: float, produce, *, caching: dict) -> HttpResponse:
    """Answer from the cache, or with 304 when the client's copy is this one; else produce and keep."""
    etag = f'"{hashlib.sha256(key.encode()).hexdigest()[:32]}"'
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if not_modified is not None:
        return validated(not_modified, etag, last_modified, caching)
    stored = cache.get(key)
    if stored is None:
        produced = produce()
        stored = (
            produced.status_code,
            produced["Content-Type"],
            produced.get("Content-Disposition"),
            produced.content,
        )
        if produced.status_code == 200:
            cache.set(key, stored, timeout=PAGE_TIMEOUT)
    status, content_type, disposition, body = stored
    response = HttpResponse(body, content_type=content_type, status=status)
    if disposition:
        response["Content-Disposition"] = disposition
    return validated(response, etag, last_modified, caching)


def validated(response: HttpResponse, etag: str, last_modified: float, caching: dict) -> HttpResponse:
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    patch_cache_control(response, **caching)
    return response


def in_force_or_404(code: str) -> queries.InForce:
    found = queries.in_force(code)
    if found is None:
        raise Http404("该乡镇（街道）还没有公布的清单。")
    return found


def township_page(request, code: str, number: int | None = None):
    current = in_force_or_404(code)
    shown = current.edition_number if number is None else number

    def produce():
        township = queries.published_township(code)
        edition = queries.edition_of(township, shown)
        context = {
            "township": township,
            "edition": edition,
            "parts": queries.edition_parts(edition),
            "editions": Edition.objects.filter(township=township).order_by("-number"),
            "is_current": edition.pk == current.edition_id,
            "trail": areas.trail(township),
            # Built once: a {% url %} per item is a fifth of the page's time.
            "items_url": reverse("publication:township", args=[code]) + "items/",
        }
        return render(request, "publication/township.html", context)

    key = f"township:{code}:{shown}:{current.edition_id}"
    response = edition_response(request, key, current.published_at, produce, caching=REVALIDATE)
    return keep_while_in_force(response, current.edition_id) if number is None else response


def item_page(request, code: str, key):
    current = in_force_or_404(code)

    def produce():
        township = queries.published_township(code)
        try:
            page = queries.item_page(township, key)
        except EditionItem.DoesNotExist:
            raise Http404("该事项不在已公布的清单中。") from None
        trail = [
            *areas.trail(township),
            areas.Crumb(township.name, reverse("publication:township", args=[code])),
        ]
        return render(request, "publication/item.html", {"township": township, "page": page, "trail": trail})

    cache_key = f"item:{current.edition_id}:{key}"
    response = edition_response(request, cache_key, current.published_at, produce, caching=REVALIDATE)
    return keep_while_in_force(response, current.edition_id)


@csrf_protect
def feedback(request, code: str, key):
    """A visitor reports that an item is wrong or not carried out; the report is never shown publicly."""
    township = queries.published_township(code)
    try:
        page = queries.item_page(township, key)
    except EditionItem.DoesNotExist:
        raise Http404("该事项不在已公布的清单中。") from None
    form = FeedbackForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                report = services.report_item(
                    township, key, **form.cleaned_data, address=client_address(request)
                )
            except REFUSALS as error:  # too many reports from the address answers 429
                status = show_on_form(form, error)
            else:
                context = {"township": township, "page": page, "report": report}
                return render(request, "publication/feedback_thanks.html", context)
    context = {"township": township, "page": page, "form": form}
    response = render(request, "publication/feedback.html", context, status=status)
    patch_cache_control(response, private=True, no_store=True)
    return response


def changes(request, code: str, number: int):
    township = queries.published_township(code)
    edition = queries.edition_of(township, number)

    def produce():
        context = {"township": township, "edition": edition, "rows": edition.changes.all()}
        return render(request, "publication/changes.html", context)

    last_modified = edition.published_at.timestamp()
    return edition_response(request, f"changes:{edition.pk}", last_modified, produce, caching=EDITION_ONLY)


def download(request, code: str, number: int, fmt: str):
    if fmt not in DOWNLOAD_FORMATS:
        raise Http404("没有这种下载格式。")
    township = queries.published_township(code)
    edition = queries.edition_of(township, number)

    def produce():
        return edition_file(township, edition, fmt)

    last_modified = edition.published_at.timestamp()
    return edition_response(
        request, f"download:{edition.pk}:{fmt}", last_modified, produce, caching=EDITION_ONLY
    )


def edition_file(township, edition: Edition, fmt: str) -> HttpResponse:
    """An edition as a file: the printed workbook, CSV or JSON."""
    rows = list(edition.items.order_by(*FROZEN_ORDER))
    name = f"{township.name}履行职责事项清单（第{edition.number}版）"
    if fmt == "xlsx":
        stream = io.BytesIO()
        exports.write_workbook(township.name, exports.frozen_export_rows(rows), stream)
        return xlsx_response(stream.getvalue(), f"{name}.xlsx")
    if fmt == "csv":
        return csv_response(name, [], [(township, edition, rows)])
    return json_response(name, edition_document(township, edition, rows))


def csv_response(name: str, leading: list, groups) -> HttpResponse:
    """One CSV row per item; `leading` names township columns put before the item's (county files)."""
    text = io.StringIO()
    write_csv(text, leading, groups)
    return attachment(HttpResponse(text.getvalue(), content_type="text/csv; charset=utf-8"), f"{name}.csv")


def json_response(name: str, document) -> HttpResponse:
    body = json.dumps(document, ensure_ascii=False, indent=1)
    return attachment(HttpResponse(body, content_type="application/json; charset=utf-8"), f"{name}.json")


def county_download(request, code: str, fmt: str):
    """Every township's edition in force in one file, made as a job shared by every visitor:
    the file itself when it is ready, else the job's progress page."""
    if fmt not in DOWNLOAD_FORMATS:
        raise Http404("没有这种下载格式。")
    county = get_object_or_404(County.objects.filter(townships__editions__isnull=False).distinct(), code=code)
    started = tasks.start_county_download(county, fmt)
    if started is None:
        raise Http404("该县还没有现行的清单。")
    job, is_new = started
    if job.status == Job.Status.DONE and not is_new:
        return redirect("publication:county_download_file", county.code, job.pk)
    return redirect("publication:county_download_job", county.code, job.pk)


def public_job(code: str, job_id: int) -> Job:
    return get_object_or_404(
        Job.objects.select_related("county"), pk=job_id, kind=Job.Kind.COUNTY_DOWNLOAD, county__code=code
    )


def county_download_job(request, code: str, job_id: int):
    job = public_job(code, job_id)
    return job_views.job_page(
        request, "publication/county_download.html", job, {"fmt": job.parameters["fmt"]}
    )


def county_download_file(request, code: str, job_id: int):
    response = job_views.file_response(public_job(code, job_id))
    patch_cache_control(response, public=True, max_age=JOB_FILE_MAX_AGE)
    return response


def statistics(request, code: str):
    county = get_object_or_404(County.objects.filter(townships__editions__isnull=False).distinct(), code=code)
    stats = queries.county_stats(county)
    most = max((e.item_count for e in stats.townships), default=0) or 1
    for edition in stats.townships:
        # One stacked bar per township, drawn as SVG rectangles (a style attribute would break the CSP).
        edition.segments, x = [], 0.0
        for part in ("basic", "coordinated", "reclaimed"):
            width = round(100 * edition.count_of(part) / most, 1)
            edition.segments.append({"part": part, "x": x, "width": width})
            x = round(x + width, 1)
    return render(request, "publication/statistics.html", {"stats": stats, "comparison": stats.by_township()})


def open_data(request):
    context = {
        "columns": DATA_COLUMNS,
        "example": queries.current_editions().order_by("township__code").first(),
    }
    return render(request, "publication/open_data.html", context)


def search(request):
    """Words and filters; the old `county` and `township` parameters (row ids) are sent on to the
    area's code. Results are kept in the cache per set of editions in force in the area."""
    params = request.GET
    if "area" not in params and (params.get("county") or params.get("township")):
        code = searching.area_code_of(params.get("county"), params.get("township"))
        kept = params.copy()
        for name in ("county", "township"):
            kept.pop(name, None)
        kept["area"] = code or params.get("township") or params.get("county")
        if code is not None:
            return redirect(f"{reverse('publication:search')}?{kept.urlencode()}", permanent=True)
        params = kept  # not a row: the form says what is wrong with the value
    form = SearchForm(params or None)
    context = {"form": form, "searched": False}
    if not form.is_bound:
        return render(request, "publication/search.html", context)
    if not form.is_valid():
        return render(request, "publication/search.html", context, status=400)
    if form.has_query():
        filters = form.filters()
        synonyms = searching.search_synonyms(filters)
        editions = searching.editions_in_force(filters.area)
        key = searching.results_key(filters, synonyms, editions)
        found = cache.get(key)
        if found is None:
            result = searching.search(filters, connection.vendor, synonyms, editions)
            html = render_to_string(
                "publication/_search_results.html", {"result": result, "limit": searching.CANDIDATES}
            )
            found = (html, result.shown)
            cache.set(key, found, timeout=PAGE_TIMEOUT)
        context |= {"searched": True, "results": found[0], "shown": found[1]}
    return render(request, "publication/search.html", context)
