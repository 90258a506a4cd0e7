"""群众反映 after it is made: the county editor's queue and handling page in the workbench, and the
public look-up by receipt number, which shows the status and the reply and nothing else."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control

from catalog import permissions as catalog_permissions
from catalog.refusals import REFUSALS
from catalog.refused_views import show_on_form

from . import permissions, queries, services
from .forms import FeedbackLookUpForm, HandleFeedbackForm
from .models import Feedback

QUEUE_LIMIT = 200


def look_up(request):
    """A visitor looks up the report by its receipt number: status and reply only."""
    form = FeedbackLookUpForm(request.GET or None)
    report = None
    if form.is_valid():
        report = services.report_by_receipt(form.cleaned_data["number"])
    context = {"form": form, "report": report, "searched": form.is_bound}
    response = render(request, "publication/feedback_look_up.html", context, status=200)
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
def queue(request):
    """待我处理: the reports of the counties the user edits, by status (待处理 first)."""
    reports = queries.feedback_handled_by(request.user)
    status = request.GET.get("status", Feedback.Status.PENDING)
    if status not in Feedback.Status.values:
        status = Feedback.Status.PENDING
    context = {
        "reports": reports.filter(status=status).order_by("created_at")[:QUEUE_LIMIT],
        "status": status,
        "tabs": queries.state_tabs(reports, "status", Feedback.Status),
        "is_handler": request.user.is_superuser or catalog_permissions.is_county_editor(request.user),
        "limit": QUEUE_LIMIT,
    }
    return render(request, "publication/feedback_queue.html", context)


@login_required
def handle(request, feedback_id: int):
    report = get_object_or_404(
        Feedback.objects.select_related("township__county", "handled_by"), pk=feedback_id
    )
    if not permissions.can_handle_feedback(request.user, report):
        raise PermissionDenied("只有本县的县委编办可以处理群众反映。")
    form = HandleFeedbackForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == "forward":
                services.forward_feedback(
                    report, by=request.user, to=data["forwarded_to"], reply=data["reply"], note=data["note"]
                )
            else:
                services.close_feedback(report, by=request.user, reply=data["reply"], note=data["note"])
        except REFUSALS as error:
            status = show_on_form(form, error)
        else:
            report.refresh_from_db()
            messages.success(request, f"受理编号 {report.receipt_number}：{report.get_status_display()}。")
            return redirect("publication:feedback_queue")
    elif request.method == "POST":
        status = 400
    context = {"report": report, "form": form, "is_open": report.status != Feedback.Status.CLOSED}
    return render(request, "publication/feedback_handle.html", context, status=status)
