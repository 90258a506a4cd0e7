"""The pages of the rounds on the county template: the editor's list of templates and rounds, opening a
round, the round's page, one entry with every township's comments, a township's comment form, the
editor's answers and closing the round. Each POST calls one service of `review/template_rounds.py` or
`review/services.py`; a refusal answers with its message and status (`catalog.refused_views`)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from catalog.models import Catalogue
from catalog.refusals import REFUSALS
from catalog.refused_views import refused_page, show_on_form

from . import permissions, services, template_queries, template_rounds
from .forms import AnswerForm, CommentForm, TemplateRoundForm
from .models import Comment, CommentWindow
from .views import county_in_view


def visible_round(request, window_id: int) -> CommentWindow:
    window = get_object_or_404(
        CommentWindow.objects.select_related("catalogue__county", "opened_by"),
        pk=window_id,
        kind=CommentWindow.Kind.TOWNSHIPS,
    )
    if not permissions.can_see_template_round(request.user, window):
        raise Http404("意见征求不存在。")
    return window


def editable_catalogue(request, catalogue_id: int) -> Catalogue:
    catalogue = get_object_or_404(Catalogue.objects.select_related("county"), pk=catalogue_id)
    if not permissions.can_run_template_rounds(request.user, catalogue.county_id):
        raise Http404("模板不存在。")
    return catalogue


@login_required
def round_list(request):
    county = county_in_view(request)
    if not permissions.can_run_template_rounds(request.user, county.pk):
        raise PermissionDenied("只有县委编办可以就县级标准模板征求意见。")
    rows = template_queries.template_rounds(county.pk)
    return render(request, "review/template_rounds.html", {"county": county, "rows": rows})


@login_required
def template_round_open(request, catalogue_id: int):
    catalogue = editable_catalogue(request, catalogue_id)
    form = TemplateRoundForm(request.POST or None, county_id=catalogue.county_id)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            window = template_rounds.open_template_round(catalogue, by=request.user, **form.cleaned_data)
        except REFUSALS as error:
            status = show_on_form(form, error)
        else:
            messages.success(
                request, f"已就“{catalogue.name}”向 {window.invitations.count()} 个乡镇（街道）征求意见。"
            )
            return redirect("review:template_round", window.pk)
    return render(
        request, "review/template_round_form.html", {"catalogue": catalogue, "form": form}, status=status
    )


@login_required
def template_round(request, window_id: int):
    window = visible_round(request, window_id)
    page = template_queries.round_page(window, request.user)
    context = {
        "page": page,
        "window": window,
        "can_comment": page.township is not None and window.is_open and not window.is_past_deadline(),
        "answers": Comment.Answer.choices,
    }
    return render(request, "review/template_round.html", context)


@login_required
def template_entry(request, window_id: int, entry_id: int):
    """One entry of the template with every township's comment on it: the editor answers them here."""
    window = visible_round(request, window_id)
    entry = get_object_or_404(
        window.catalogue.entries.select_related("category", "receiving_department").prefetch_related(
            "lead_departments"
        ),
        pk=entry_id,
    )
    context = {
        "window": window,
        "entry": entry,
        "comments": template_queries.entry_comments(window, entry),
        "can_answer": permissions.can_run_template_rounds(request.user, window.county_id),
        "answers": Comment.Answer.choices,
    }
    return render(request, "review/template_entry.html", context)


@login_required
def template_comment_add(request, window_id: int):
    """A township official's comment on an entry (?entry=<id>) or a proposed entry (?add=1)."""
    window = visible_round(request, window_id)
    if not permissions.can_comment(request.user, window):
        raise PermissionDenied("本轮意见征求没有请您所在的乡镇（街道）提出意见。")
    key = request.GET.get("entry", "")
    entry = window.catalogue.entries.filter(pk=key).first() if key.isdigit() else None
    if key and entry is None:
        raise Http404("事项不在本县级标准模板中。")
    adding = request.GET.get("add") == "1"
    form = CommentForm(
        request.POST or None, kind=window.kind, county_id=window.county_id, adding=adding, item=entry
    )
    status = 400 if request.method == "POST" else 200
    back = reverse("review:template_round", args=[window.pk])
    if request.method == "POST" and form.is_valid():
        try:
            services.add_comment(window, by=request.user, entry=entry, **form.service_arguments())
        except REFUSALS as error:
            status = show_on_form(form, error)
        else:
            named = entry.name if entry else form.cleaned_data.get("proposed_name")
            messages.success(request, f"已提交对“{named}”的意见。")
            return redirect(back + (f"#entry-{entry.pk}" if entry else "#added"))
    context = {"item": entry, "form": form, "adding": adding, "back": back, "crumb": str(window)}
    return render(request, "review/comment_form.html", context, status=status)


@login_required
@require_POST
def template_comment_answer(request, comment_id: int):
    comment = get_object_or_404(Comment.objects.select_related("window__catalogue"), pk=comment_id)
    if not comment.window.is_on_template or not permissions.can_see_template_round(
        request.user, comment.window
    ):
        raise Http404("意见不存在。")
    where = comment.item_name or comment.proposed_name
    if comment.entry_id:
        back = reverse("review:template_entry", args=[comment.window_id, comment.entry_id])
    else:
        back = reverse("review:template_round", args=[comment.window_id]) + "#added"
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"“{where}”：请选择采纳情况。")
        return redirect(back)
    try:
        comment = template_rounds.answer_template_comment(
            comment,
            by=request.user,
            answer=form.cleaned_data["answer"],
            reason=form.cleaned_data["answer_reason"],
            apply=form.cleaned_data["apply"],
        )
    except REFUSALS as error:
        return refused_page(request, error, back=back)
    applied = "，并已按意见修改模板" if comment.applied_at else ""
    messages.success(request, f"已答复{comment.signature}对“{where}”的意见{applied}。")
    return redirect(back)


@login_required
@require_POST
def template_round_close(request, window_id: int):
    window = visible_round(request, window_id)
    back = reverse("review:template_round", args=[window.pk])
    try:
        template_rounds.close_template_round(window, by=request.user)
    except REFUSALS as error:
        return refused_page(request, error, back=back)
    messages.success(request, f"“{window.catalogue.name}”的意见征求已结束。")
    return redirect(back)
