"""查缺补漏 of a published edition, for the county's staff: its frozen rows read against the county's
catalogues as they are now (`catalog.coverage`), as a page and a workbook. Fixing a finding in force
takes an adjustment (动态调整), which the page links to."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from catalog import coverage, exports, permissions
from catalog.downloads import xlsx_response

from .models import Edition


def visible_edition(request, code: str, number: int) -> Edition:
    edition = get_object_or_404(
        Edition.objects.select_related("township__county"), township__code=code, number=number
    )
    if not permissions.can_see_township(request.user, edition.township):
        raise Http404("清单不存在。")
    return edition


def edition_coverage_of(edition: Edition) -> coverage.Coverage:
    return coverage.coverage_of(edition.township.county_id, edition.items.all())


def title_of(edition: Edition) -> str:
    return f"{edition.township.name}履行职责事项清单（第 {edition.number} 版）"


@login_required
def edition_coverage(request, code: str, number: int):
    edition = visible_edition(request, code, number)
    found = edition_coverage_of(edition)
    adjust = reverse("publication:adjustment_new", args=[code])
    for finding in found.findings:
        item = finding.item
        finding.item_url = reverse("publication:item", args=[code, item.key]) if item is not None else ""
        finding.fix_url, finding.fix_label = adjust, "申请动态调整"
    return render(
        request,
        "catalog/coverage.html",
        {
            "coverage": found,
            "title": title_of(edition),
            "back_url": reverse("publication:edition", args=[code, number]),
            "download_url": reverse("publication:edition_coverage_export", args=[code, number]),
        },
    )


@login_required
def edition_coverage_export(request, code: str, number: int):
    edition = visible_edition(request, code, number)
    return xlsx_response(
        exports.coverage_workbook(title_of(edition), edition_coverage_of(edition).findings),
        exports.export_filename(edition.township, f"第{edition.number}版查缺补漏"),
    )
