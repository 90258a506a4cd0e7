"""The annual review page (履职体检): the year's evidence per item in force, and an adjustment started
from the items with none."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from catalog import permissions as catalog_permissions
from catalog.models import County, Township
from catalog.refusals import REFUSALS
from catalog.refused_views import show_on_form

from . import services
from .admission_forms import ReviewAdjustmentForm
from .annual_review import annual_review as read_review


def chosen_year(value: str) -> int:
    this_year = timezone.localdate().year
    return int(value) if value.isdigit() and 2000 <= int(value) <= this_year else this_year


def chosen_id(value: str) -> int | None:
    return int(value) if value.isdigit() else None


@login_required
def annual_review(request, code: str):
    county = get_object_or_404(County, code=code)
    if not catalog_permissions.can_manage_county(request.user, county):
        raise PermissionDenied("只有县委编办可以查看履职体检。")
    data = request.POST if request.method == "POST" else request.GET
    year = chosen_year(data.get("year", ""))
    townships = list(
        Township.objects.filter(county=county, current_edition__isnull=False).order_by("order", "code")
    )
    township = next((t for t in townships if t.pk == chosen_id(data.get("township", ""))), None)
    form = ReviewAdjustmentForm(request.POST or None, county=county)
    status = 200
    if request.method == "POST":
        if township is None:
            form.add_error(None, "请先选择一个乡镇（街道）：一份调整申请只调整一个乡镇（街道）的清单。")
            status = 400
        elif form.is_valid():
            try:
                adjustment = services.start_review_adjustment(
                    township,
                    by=request.user,
                    year=year,
                    keys=request.POST.getlist("keys"),
                    **form.cleaned_data,
                )
            except REFUSALS as error:
                status = show_on_form(form, error)
            else:
                messages.success(request, f"已为{township.name}提出调整申请，请审核。")
                return redirect("publication:adjustment", adjustment.pk)
        else:
            status = 400
    review = read_review(county, year, township.pk if township else None)
    context = {
        "review": review,
        "townships": townships,
        "township": township,
        "years": range(timezone.localdate().year, 2023, -1),
        "form": form,
        "chosen": set(request.POST.getlist("keys")),
    }
    return render(request, "publication/annual_review.html", context, status=status)
