"""印发公布 in the workbench: the approved list, what publishing it will do, and the form that does it.

The page is the publication app's; `publication.services.publish_list` asks the workflow for the
stage move, so who may publish and when is decided there, as for every other step.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect, render

from catalog.models import Part
from catalog.refusals import REFUSALS
from catalog.refused_views import show_on_form
from review import workflow
from review.models import Approval
from review.views import visible_list

from . import services
from .forms import PublishForm


@login_required
def publish(request, list_id: int):
    duty_list = visible_list(request, list_id)
    if not any(t.action == "publish" for t in workflow.available(duty_list, request.user)):
        raise PermissionDenied(
            f"“{duty_list.title}”处于“{duty_list.get_stage_display()}”阶段，您现在不能公布。"
        )
    form = PublishForm(request.POST or None, prefix="publish")
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            edition = services.publish_list(
                duty_list,
                by=request.user,
                note=request.POST.get("note", "").strip(),
                **form.cleaned_data,
            )
        except REFUSALS as error:
            status = show_on_form(form, error)
        else:
            messages.success(request, f"“{duty_list.title}”已公布为第 {edition.number} 版。")
            return redirect("review:list_review", duty_list.pk)
    approval = Approval.objects.select_related("submission").filter(duty_list=duty_list).first()
    counts = (
        dict(approval.submission.items.values_list("part").annotate(total=Count("pk"))) if approval else {}
    )
    in_force = services.current_edition(duty_list.township)
    context = {
        "duty_list": duty_list,
        "form": form,
        "approval": approval,
        "counts": [(label, counts.get(part, 0)) for part, label in Part.choices],
        "in_force": in_force,
        "next_number": in_force.number + 1 if in_force else 1,
    }
    return render(request, "publication/publish.html", context, status=status)
