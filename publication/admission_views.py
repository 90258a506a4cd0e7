"""The pages of 职责准入: the board, filing, one request with its steps, and the public register.

Every POST goes through `publication.services`, which checks who acts and at which stage."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from catalog import permissions as catalog_permissions
from catalog.models import County
from catalog.refusals import REFUSALS
from catalog.refused_views import refused_page, show_on_form

from . import admission_queries, permissions, services
from .admission_forms import ActForm, AdmissionForm
from .models import Admission


def fileable_counties(user) -> list[County]:
    """The counties where the user files requests: as county editor or for their department."""
    memberships = catalog_permissions.memberships_of(user)
    ids = {m.county_id for m in memberships if m.role in ("county_editor", "department_reviewer")}
    return list(County.objects.filter(pk__in=ids).order_by("code"))


@login_required
def admission_list(request):
    rows = list(admission_queries.board(request.user)[:300])
    context = {
        "open": [row for row in rows if not row.is_decided],
        "decided": [row for row in rows if row.is_decided],
        "counties": fileable_counties(request.user),
        "edited": catalog_permissions.edited_county_ids(request.user),
    }
    return render(request, "publication/admissions.html", context)


@login_required
def admission_new(request, code: str):
    county = get_object_or_404(County, code=code)
    form = AdmissionForm(request.POST or None, county=county, user=request.user)
    if not form.fields["department"].queryset.exists():
        raise PermissionDenied(f"您不能在{county.name}申请职责准入。")
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            admission = services.file_admission(
                county, by=request.user, department=form.cleaned_data["department"], task=form.task()
            )
        except REFUSALS as error:
            status = show_on_form(form, error)
        else:
            messages.success(request, f"申请已提交：{admission.get_state_display()}。")
            return redirect("publication:admission", admission.pk)
    elif request.method == "POST":
        status = 400
    return render(request, "publication/admission_new.html", {"form": form, "county": county}, status=status)


def visible_admission(request, admission_id: int) -> Admission:
    admission = get_object_or_404(
        admission_queries.with_details(Admission.objects.select_related("filed_by", "decided_by")),
        pk=admission_id,
    )
    if not permissions.can_see_admission(request.user, admission):
        raise Http404("职责准入申请不存在。")
    return admission


def detail_context(request, admission: Admission, form: ActForm | None = None) -> dict:
    townships = list(admission.townships.all())
    matches = [] if admission.is_decided else services.matches_in_force(admission.name, townships)
    policy = permissions.admission_policy(admission.county_id)
    can_act = permissions.can_act_on_admission(request.user, admission, policy)
    return {
        "admission": admission,
        "townships": townships,
        "steps": admission.steps.select_related("by"),
        "adjustments": admission.adjustments.select_related("township", "new_edition"),
        "matches": matches,
        "can_act": can_act,
        "form": form or (ActForm(admission=admission, matches=matches) if can_act else None),
    }


@login_required
def admission_detail(request, admission_id: int):
    admission = visible_admission(request, admission_id)
    return render(request, "publication/admission.html", detail_context(request, admission))


@login_required
@require_POST
def admission_act(request, admission_id: int):
    admission = visible_admission(request, admission_id)
    back = reverse("publication:admission", args=[admission.pk])
    matches = services.matches_in_force(admission.name, list(admission.townships.all()))
    form = ActForm(request.POST, admission=admission, matches=matches)
    if not form.is_valid():
        context = detail_context(request, admission, form)
        return render(request, "publication/admission.html", context, status=400)
    try:
        done = services.act_on_admission(admission, by=request.user, **form.cleaned_data)
    except REFUSALS as error:
        if not permissions.can_act_on_admission(
            request.user, admission, permissions.admission_policy(admission.county_id)
        ):
            return refused_page(request, error, back=back)
        status = show_on_form(form, error)
        return render(
            request, "publication/admission.html", detail_context(request, admission, form), status=status
        )
    messages.success(request, f"已办理，申请现为“{done.get_state_display()}”。")
    return redirect(back)


def register(request, code: str):
    """The county's public register of decided requests (approved, refused, answered)."""
    county = get_object_or_404(County, code=code)
    rows = admission_queries.register(county)
    return render(request, "publication/admission_register.html", {"county": county, "rows": rows})
