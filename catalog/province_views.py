"""The province's reference catalogues (省级参考目录) and the counties' claims on them (逐级认领).

Whoever may read a province's catalogues sees them and the claims table of the counties they see
(`claim_status.claim_counties`); the province's editors start catalogues and keep them through the
catalogue workbook (`transfer_views.catalogue_export` / `catalogue_import`); a county's editors
claim and drop entries for their county on its workbench page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from . import claims, exports, permissions
from .claim_status import Status, claim_counties, claim_table
from .downloads import xlsx_response
from .forms import BulkClaimForm, ClaimForm, DropForm, ProvinceCatalogueForm
from .models import ENTRY_COLUMNS, Catalogue, CatalogueEntry, County, Province
from .refusals import REFUSALS
from .refused_views import refused_page, show_on_form

SHOWN_COLUMNS = [column for column in ENTRY_COLUMNS if column.exported or column.name == "part"]


def readable_province(request, code: str) -> Province:
    province = get_object_or_404(Province, code=code)
    if not permissions.can_read_province_catalogue(request.user, province):
        raise Http404("省不存在。")
    return province


def readable_catalogue(request, catalogue_id: int) -> Catalogue:
    catalogue = get_object_or_404(Catalogue.objects.select_related("province"), pk=catalogue_id)
    if not catalogue.is_provincial or not permissions.can_read_province_catalogue(
        request.user, catalogue.province_id
    ):
        raise Http404("目录不存在。")
    return catalogue


def claiming_county(request, code: str) -> County:
    """The county whose claims the user decides on: its editors only."""
    county = get_object_or_404(County.objects.select_related("city__province"), code=code)
    if county.city_id is None or not permissions.can_claim_for(request.user, county):
        raise Http404("县不存在。")
    return county


@login_required
def province_catalogues(request, code: str):
    """The province's catalogues; its editors start a new one here."""
    province = readable_province(request, code)
    may_edit = permissions.can_edit_province_catalogue(request.user, province)
    form = ProvinceCatalogueForm(request.POST or None) if may_edit else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise Http404("省不存在。")
        if form.is_valid():
            try:
                catalogue = claims.start_province_catalogue(province, **form.cleaned_data, by=request.user)
            except REFUSALS as error:
                status = show_on_form(form, error)
            else:
                messages.success(request, f"已新建“{catalogue.name}”，可导入 Excel 添加事项。")
                return redirect("catalog:province_catalogue", catalogue.pk)
        else:
            status = 400
    catalogues = province.catalogues.order_by("kind", "name")
    return render(
        request,
        "catalog/province_catalogues.html",
        {"province": province, "catalogues": catalogues, "form": form},
        status=status,
    )


@login_required
def province_catalogue(request, catalogue_id: int):
    """A province catalogue's entries as written, with the ways to keep, read and claim it."""
    catalogue = readable_catalogue(request, catalogue_id)
    entries = catalogue.entries.select_related("catalogue").order_by("part", "order", "id")
    rows = [(entry, [entry.reading(column) for column in SHOWN_COLUMNS]) for entry in entries]
    claiming = [
        county
        for county in claim_counties(request.user, catalogue.province)
        if permissions.can_claim_for(request.user, county)
    ]
    return render(
        request,
        "catalog/province_catalogue.html",
        {
            "catalogue": catalogue,
            "columns": SHOWN_COLUMNS,
            "rows": rows,
            "may_edit": permissions.can_edit_catalogue(request.user, catalogue),
            "claiming": claiming,
        },
    )


def visible_claims(request, catalogue_id: int):
    catalogue = readable_catalogue(request, catalogue_id)
    return claim_table(catalogue, list(claim_counties(request.user, catalogue.province)))


@login_required
def catalogue_claims(request, catalogue_id: int):
    """省级认领情况 over the counties the user sees."""
    table = visible_claims(request, catalogue_id)
    return render(request, "catalog/catalogue_claims.html", {"table": table, "statuses": list(Status)})


@login_required
def catalogue_claims_export(request, catalogue_id: int):
    table = visible_claims(request, catalogue_id)
    title = f"{table.catalogue.name}认领情况"
    return xlsx_response(exports.claims_workbook(title, table), f"{title}.xlsx")


@login_required
def county_claims(request, code: str):
    """The county's workbench for its province's catalogues: each entry's state for the county, a
    page per entry to claim or drop it, and claiming every entry not yet decided at once."""
    county = claiming_county(request, code)
    catalogues = Catalogue.objects.filter(province=county.city.province_id).order_by("kind", "name")
    form = BulkClaimForm(request.POST or None, county=county)
    if request.method == "POST":
        chosen = request.POST.get("catalogue", "")
        catalogue = get_object_or_404(catalogues, pk=int(chosen) if chosen.isdigit() else 0)
        if form.is_valid():
            try:
                claimed = claims.claim_all(catalogue, into=form.cleaned_data["into"], by=request.user)
            except REFUSALS as error:
                return refused_page(request, error, back=request.path)
            messages.success(request, f"已认领 {len(claimed)} 项到“{form.cleaned_data['into']}”。")
            return redirect(request.path)
    tables = [claim_table(catalogue, [county]) for catalogue in catalogues]
    return render(
        request,
        "catalog/county_claims.html",
        {"county": county, "tables": tables, "form": form, "statuses": Status},
    )


@login_required
def entry_claim(request, code: str, entry_id: int):
    """One province entry for the county: claim it (answering the names the county does not know)
    or drop it with a reason."""
    county = claiming_county(request, code)
    entry = get_object_or_404(
        CatalogueEntry.objects.select_related("catalogue"),
        pk=entry_id,
        catalogue__province=county.city.province_id,
    )
    names = claims.names_of_counties([county.pk])[county.pk]
    unresolved = claims.resolve(entry, county, names).unresolved
    posted = request.POST if request.method == "POST" else None
    action = request.POST.get("action") if posted else None
    claim_form = ClaimForm(posted if action == "claim" else None, county=county, unresolved=unresolved)
    drop_form = DropForm(posted if action == "drop" else None)
    status = 200
    if action == "claim" and claim_form.is_valid():
        try:
            claims.claim_entry(
                entry, into=claim_form.cleaned_data["into"], by=request.user, choices=claim_form.choices()
            )
        except REFUSALS as error:
            status = show_on_form(claim_form, error)
        else:
            messages.success(request, f"已认领“{entry.name}”到“{claim_form.cleaned_data['into']}”。")
            return redirect("catalog:county_claims", county.code)
    elif action == "drop" and drop_form.is_valid():
        try:
            claims.drop_entry(entry, county=county, by=request.user, reason=drop_form.cleaned_data["reason"])
        except REFUSALS as error:
            status = show_on_form(drop_form, error)
        else:
            messages.success(request, f"已将“{entry.name}”标为不采用。")
            return redirect("catalog:county_claims", county.code)
    elif action in ("claim", "drop"):
        status = 400
    row = claim_table(entry.catalogue, [county], only=entry).rows[0]
    return render(
        request,
        "catalog/entry_claim.html",
        {
            "county": county,
            "entry": entry,
            "cell": row.cells[0],
            "readings": [(column.label, entry.reading(column)) for column in SHOWN_COLUMNS],
            "claim_form": claim_form,
            "drop_form": drop_form,
            "back_url": reverse("catalog:county_claims", args=[county.code]),
        },
        status=status,
    )
