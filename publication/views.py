"""The public site: no login, and only published editions.

Every page and download here reads edition rows (`publication.queries`);
drafts, comments and unpublished lists have no public address.
"""

import csv
import hashlib
import io
import json
import zipfile
from collections import defaultdict
from urllib.parse import quote

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_protect

from catalog import exports
from catalog.models import County, Part
from catalog.transfer_views import xlsx_response
from config.clientip import client_address

from . import queries, services
from .forms import FeedbackForm, SearchForm
from .models import Edition, EditionItem

DOWNLOAD_FORMATS = ("xlsx", "csv", "json")
# The open-data columns, in order: (field, column name).
DATA_COLUMNS = [
    ("key", "事项标识"),
    ("part", "清单类型"),
    ("category", "类别"),
    ("order", "序号"),
    ("name", "事项名称"),
    ("content", "具体内容"),
    ("office", "责任科室"),
    ("lead_departments", "县级主责部门"),
    ("department_duties", "县级部门职责"),
    ("township_duties", "乡镇（街道）配合职责"),
    ("support", "履职保障"),
    ("receiving_department", "收回（承接）部门"),
    ("reclaim_reason", "收回理由及工作方式"),
    ("basis", "依据"),
    ("remarks", "备注"),
    ("is_safeguard", "兜底事项"),
]


# Pages of a given edition never change, so they are rendered once and kept in the cache,
# keyed by the edition (and by the edition in force, which some pages mention).
CURRENT_MAX_AGE = 300  # the township's page changes when a new edition is published
EDITION_MAX_AGE = 86400
PAGE_TIMEOUT = 7 * 86400  # rendered pages of old editions leave the cache after a week unread


def edition_response(request, key: str, last_modified: float, produce, *, max_age: int) -> HttpResponse:
    """Answer from the cache, or with 304 when the client's copy is this one; else produce and keep."""
    etag = f'"{hashlib.sha256(key.encode()).hexdigest()[:32]}"'
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if not_modified is not None:
        return not_modified
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
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    patch_cache_control(response, public=True, max_age=max_age)
    return response


def in_force_or_404(code: str) -> queries.InForce:
    found = queries.in_force(code)
    if found is None:
        raise Http404("该乡镇（街道）还没有公布的清单。")
    return found


def index(request):
    return render(request, "publication/index.html", {"counties": queries.counties_with_editions()})


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
            # Built once: a {% url %} per item is a fifth of the page's time.
            "items_url": reverse("publication:township", args=[code]) + "items/",
        }
        return render(request, "publication/township.html", context)

    max_age = CURRENT_MAX_AGE if number is None else EDITION_MAX_AGE
    key = f"township:{code}:{shown}:{current.edition_id}"
    return edition_response(request, key, current.published_at, produce, max_age=max_age)


def item_page(request, code: str, key):
    current = in_force_or_404(code)

    def produce():
        township = queries.published_township(code)
        try:
            page = queries.item_page(township, key)
        except EditionItem.DoesNotExist:
            raise Http404("该事项不在已公布的清单中。") from None
        return render(request, "publication/item.html", {"township": township, "page": page})

    cache_key = f"item:{current.edition_id}:{key}"
    return edition_response(request, cache_key, current.published_at, produce, max_age=CURRENT_MAX_AGE)


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
                services.report_item(township, key, **form.cleaned_data, address=client_address(request))
            except services.RateLimited as error:
                form.add_error(None, error.messages)
                status = 429
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                return render(
                    request, "publication/feedback_thanks.html", {"township": township, "page": page}
                )
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
    return edition_response(request, f"changes:{edition.pk}", last_modified, produce, max_age=EDITION_MAX_AGE)


def download(request, code: str, number: int, fmt: str):
    if fmt not in DOWNLOAD_FORMATS:
        raise Http404("没有这种下载格式。")
    township = queries.published_township(code)
    edition = queries.edition_of(township, number)

    def produce():
        return edition_file(township, edition, fmt)

    last_modified = edition.published_at.timestamp()
    return edition_response(
        request, f"download:{edition.pk}:{fmt}", last_modified, produce, max_age=EDITION_MAX_AGE
    )


def edition_file(township, edition: Edition, fmt: str) -> HttpResponse:
    """An edition as a file: the printed workbook, CSV or JSON."""
    rows = list(edition.items.order_by("part", "category_order", "order", "pk"))
    name = f"{township.name}履行职责事项清单（第{edition.number}版）"
    if fmt == "xlsx":
        stream = io.BytesIO()
        exports.write_workbook(township.name, exports.frozen_export_rows(rows), stream)
        return xlsx_response(stream.getvalue(), f"{name}.xlsx")
    if fmt == "csv":
        return csv_response(name, [], [(township, edition, rows)])
    return json_response(name, edition_document(township, edition, rows))


def edition_document(township, edition: Edition, rows: list[EditionItem]) -> dict:
    return {
        "乡镇（街道）": township.name,
        "行政区划代码": township.code,
        "县（市、区）": township.county.name,
        "版次": edition.number,
        "施行日期": edition.effective_on.isoformat(),
        "文号": edition.document_number,
        "事项": [{label: data_value(row, field) for field, label in DATA_COLUMNS} for row in rows],
    }


# Columns a county-wide CSV adds before each item's, to say whose it is.
TOWNSHIP_COLUMNS = [("乡镇（街道）", "name"), ("行政区划代码", "code")]


def csv_response(name: str, leading: list, groups) -> HttpResponse:
    """One CSV row per item; `leading` names township columns put before the item's (county files)."""
    text = io.StringIO()
    text.write("\ufeff")  # so spreadsheet programs read the file as UTF-8
    writer = csv.writer(text)
    writer.writerow(
        [label for label, _ in leading] + (["版次"] if leading else []) + [label for _, label in DATA_COLUMNS]
    )
    for township, edition, rows in groups:
        prefix = [getattr(township, attribute) for _, attribute in leading] + (
            [edition.number] if leading else []
        )
        for row in rows:
            writer.writerow(prefix + [data_value(row, field) for field, _ in DATA_COLUMNS])
    return attachment(HttpResponse(text.getvalue(), content_type="text/csv; charset=utf-8"), f"{name}.csv")


def json_response(name: str, document) -> HttpResponse:
    body = json.dumps(document, ensure_ascii=False, indent=1)
    return attachment(HttpResponse(body, content_type="application/json; charset=utf-8"), f"{name}.json")


def attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def county_download(request, code: str, fmt: str):
    """Every township's edition in force in one file: a zip of workbooks, one CSV, or one JSON."""
    if fmt not in DOWNLOAD_FORMATS:
        raise Http404("没有这种下载格式。")
    county = get_object_or_404(County.objects.filter(townships__editions__isnull=False).distinct(), code=code)
    editions = list(
        queries.current_editions()
        .filter(township__county=county)
        .order_by("township__order", "township__code")
    )
    newest = max(editions, key=lambda e: e.published_at)
    key = f"county-download:{county.pk}:{fmt}:" + ",".join(str(e.pk) for e in editions)

    def produce():
        items = defaultdict(list)
        for row in EditionItem.objects.filter(edition__in=editions).order_by(
            "part", "category_order", "order", "pk"
        ):
            items[row.edition_id].append(row)
        groups = [(e.township, e, items[e.pk]) for e in editions]
        name = f"{county.name}乡镇（街道）履行职责事项清单"
        if fmt == "xlsx":
            stream = io.BytesIO()
            with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for township, edition, rows in groups:
                    with archive.open(
                        exports.export_filename(township, f"（第{edition.number}版）"), "w"
                    ) as member:
                        exports.write_workbook(township.name, exports.frozen_export_rows(rows), member)
            return attachment(HttpResponse(stream.getvalue(), content_type="application/zip"), f"{name}.zip")
        if fmt == "csv":
            return csv_response(name, TOWNSHIP_COLUMNS, groups)
        document = {
            "县（市、区）": county.name,
            "乡镇（街道）": [edition_document(*group) for group in groups],
        }
        return json_response(name, document)

    return edition_response(request, key, newest.published_at.timestamp(), produce, max_age=CURRENT_MAX_AGE)


def data_value(row: EditionItem, field: str):
    if field == "part":
        return Part(row.part).label
    if field == "key":
        return str(row.key)
    if field == "is_safeguard":
        return "是" if row.is_safeguard else "否"
    return getattr(row, field)


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
    return render(request, "publication/statistics.html", {"stats": stats})


def open_data(request):
    context = {
        "columns": DATA_COLUMNS,
        "example": queries.current_editions().order_by("township__code").first(),
    }
    return render(request, "publication/open_data.html", context)


def search(request):
    form = SearchForm(request.GET or None)
    groups, shown, more = [], 0, False
    if form.is_valid() and form.has_query():
        groups, shown, more = queries.search(form.filters(), connection.vendor)
    context = {
        "form": form,
        "groups": groups,
        "shown": shown,
        "more": more,
        "searched": form.is_bound and form.is_valid(),
    }
    return render(request, "publication/search.html", context)
