"""查缺补漏 and the quality check: a draft's findings against its county's catalogues (a page and a
workbook) and against its own wording (a page).

Whoever may view the list sees them; the links to fix a finding are offered to whoever may edit it
now (the item's edit or move page, the add-item page for a missing entry).
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse

from . import coverage, exports, permissions, quality
from .downloads import xlsx_response
from .views import editor_url, visible_list

# Where each kind of finding is fixed in a draft: the page and the words of its link.
FIXES = {
    coverage.Kind.MISSING: ("catalog:item_add", "新增事项"),
    coverage.Kind.PART: ("catalog:item_move", "调整清单类型"),
    coverage.Kind.DEPARTMENT: ("catalog:item_edit", "修改部门"),
    coverage.Kind.NO_ENTRY: ("catalog:item_edit", "关联目录事项"),
    coverage.Kind.RECLAIMED_KEPT: ("catalog:item_move", "移入收回事项"),
}


def set_fix_links(duty_list, findings, *, can_edit: bool) -> None:
    """Give each finding the address that fixes it (`fix_url`, `fix_label`) and of its item (`item_url`)."""
    for finding in findings:
        finding.item_url = editor_url(duty_list, finding.item) if finding.item is not None else ""
        finding.fix_url = finding.fix_label = ""
        if not can_edit:
            continue
        name, finding.fix_label = FIXES[finding.kind]
        args = [duty_list.pk, finding.entry.part] if finding.item is None else [finding.item.pk]
        finding.fix_url = reverse(name, args=args)


@login_required
def list_coverage(request, list_id: int):
    duty_list = visible_list(request, list_id)
    found = coverage.draft_coverage(duty_list)
    set_fix_links(duty_list, found.findings, can_edit=permissions.can_edit_list(request.user, duty_list))
    return render(
        request,
        "catalog/coverage.html",
        {
            "duty_list": duty_list,
            "coverage": found,
            "download_url": reverse("catalog:list_coverage_export", args=[duty_list.pk]),
            "back_url": editor_url(duty_list),
            "title": duty_list.title,
        },
    )


@login_required
def list_coverage_export(request, list_id: int):
    duty_list = visible_list(request, list_id)
    found = coverage.draft_coverage(duty_list)
    return xlsx_response(
        exports.coverage_workbook(duty_list.title, found.findings),
        exports.export_filename(duty_list.township, "查缺补漏"),
    )


@login_required
def list_quality(request, list_id: int):
    duty_list = visible_list(request, list_id)
    found = quality.draft_quality(duty_list)
    can_edit = permissions.can_edit_list(request.user, duty_list)
    # Addresses built from two reversed ones: a long list has hundreds of findings.
    editor = editor_url(duty_list)
    edit_head, edit_tail = reverse("catalog:item_edit", args=[0]).rsplit("0", 1)
    for finding in found.findings:
        for name, item in (("item", finding.item), ("other", finding.other)):
            setattr(finding, f"{name}_url", f"{editor}?part={item.part}#item-{item.pk}" if item else "")
            setattr(
                finding, f"{name}_fix_url", f"{edit_head}{item.pk}{edit_tail}" if item and can_edit else ""
            )
    return render(
        request,
        "catalog/quality.html",
        {
            "duty_list": duty_list,
            "quality": found,
            "threshold": quality.policy_for(duty_list.township.county_id).similarity_threshold,
            "back_url": editor_url(duty_list),
            "title": duty_list.title,
        },
    )
