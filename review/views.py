"""The review pages: a list's review, comment windows, answers, comparisons, disputes, the board,
the inbox and the reports.

Every POST goes through `review/workflow.py` or `review/services.py`, which
check permissions and the stage again whatever the page showed. A refusal
answers with its Chinese message and the status `refusal_of` gives it (403 for
want of rights, 409 for the moment, 400 for the input), on the form where there
is one (`catalog.refused_views`), and leaves the data as it was.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from catalog import permissions as catalog_permissions
from catalog import quality
from catalog.downloads import xlsx_response
from catalog.models import County, DutyList
from catalog.refusals import REFUSALS
from catalog.refused_views import refused_page, show_on_form

from . import (
    access,
    confirmations,
    decisions,
    forms,
    permissions,
    proposals,
    queries,
    reports,
    rounds,
    services,
    workflow,
)
from .forms import (
    AnswerForm,
    BulkAnswerForm,
    CommentForm,
    DecisionForm,
    ExtendDeadlineForm,
    RespondForm,
)
from .inbox import inbox_for
from .models import Approval, Comment, CommentWindow, Dispute, Notification, ReplyTemplate, Submission


def visible_list(request, list_id: int) -> DutyList:
    return access.visible_list(request.user, list_id)


def visible_window(request, window_id: int) -> CommentWindow:
    return access.visible_window(request.user, window_id)


def visible_comment(request, comment_id: int) -> Comment:
    return access.visible_comment(request.user, comment_id)


@login_required
def list_review(request, list_id: int):
    duty_list = visible_list(request, list_id)
    actions = [(t, forms.form_for_action(t, duty_list)) for t in workflow.available(duty_list, request.user)]
    return render(request, "review/list_review.html", review_context(request, duty_list, actions))


def review_context(request, duty_list: DutyList, actions) -> dict:
    windows = duty_list.comment_windows.select_related("submission", "opened_by").prefetch_related(
        "invitations__department", "extensions__extended_by"
    )
    counts = duty_list.comments.aggregate(
        total=Count("pk"),
        waiting=Count("pk", filter=Q(state=Comment.State.OPEN) & ~Q(position=Comment.Position.AGREE)),
        disputed=Count("pk", filter=Q(state=Comment.State.DISPUTED)),
    )
    return {
        "duty_list": duty_list,
        "actions": actions,
        "changes": duty_list.stage_changes.select_related("changed_by"),
        "submissions": duty_list.submissions.select_related("submitted_by"),
        "windows": windows,
        "counts": counts,
        "approval": Approval.objects.filter(duty_list=duty_list).first(),
        "can_see_board": permissions.can_see_board(request.user, duty_list.township.county_id),
        "can_extend": permissions.county_editor(request.user, duty_list),
        "extend_form": ExtendDeadlineForm(prefix="extend"),
        # Before the township submits (一上, 二上, 三上): what to check in the draft's wording first.
        "quality": (
            quality.draft_quality(duty_list) if any(t.action == "submit" for t, _form in actions) else None
        ),
    }


@login_required
@require_POST
def list_action(request, list_id: int):
    duty_list = visible_list(request, list_id)
    action = request.POST.get("action", "")
    transition = next((t for t in workflow.available(duty_list, request.user) if t.action == action), None)
    params = {}
    form = forms.form_for_action(transition, duty_list, request.POST) if transition else None
    if form is not None:
        if not form.is_valid():
            messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
            actions = [
                (t, form if t.action == action else forms.form_for_action(t, duty_list))
                for t in workflow.available(duty_list, request.user)
            ]
            context = review_context(request, duty_list, actions)
            return render(request, "review/list_review.html", context, status=400)
        params = form.cleaned_data
    # An irreversible step asks first, unless it would be refused anyway (then the refusal is said now).
    if transition is not None and transition.confirm and request.POST.get("confirmed") != "1":
        if not (transition.preconditions and transition.preconditions(duty_list, params)):
            return confirm_action(request, duty_list, transition, params)
    try:
        change = workflow.perform(
            duty_list, action, by=request.user, note=request.POST.get("note", "").strip(), **params
        )
    except REFUSALS as error:
        return refused_page(request, error, back=reverse("review:list_review", args=[duty_list.pk]))
    if change.from_stage == change.to_stage:
        messages.success(request, f"已完成“{change.label}”。")
    else:
        messages.success(request, f"“{duty_list.title}”已进入“{change.get_to_stage_display()}”阶段。")
    return redirect("review:list_review", duty_list.pk)


def confirm_action(request, duty_list: DutyList, transition, params: dict):
    """An irreversible step: what it will do, and the same request again with `confirmed=1`."""
    posted = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", "confirmed")
        for value in values
    ]
    context = {
        "duty_list": duty_list,
        "transition": transition,
        "target": DutyList.Stage(transition.target).label,
        "summary": [line for line in confirmations.action_summary(duty_list, transition, params) if line],
        "posted": posted,
        "note": request.POST.get("note", "").strip(),
    }
    return render(request, "review/confirm_action.html", context)


@login_required
@require_POST
def window_extend(request, window_id: int):
    window = visible_window(request, window_id)
    form = ExtendDeadlineForm(request.POST, prefix="extend")
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("review:list_review", window.duty_list_id)
    try:
        rounds.extend_deadline(window, by=request.user, **form.cleaned_data)
    except REFUSALS as error:
        return refused_page(request, error, back=reverse("review:list_review", args=[window.duty_list_id]))
    messages.success(request, f"意见反馈截止日期已延长至 {form.cleaned_data['deadline']:%Y-%m-%d}。")
    return redirect("review:list_review", window.duty_list_id)


# The department reviewer's queue and a window's page.


@login_required
def queue(request):
    if not permissions.reviewer_departments(request.user):
        raise PermissionDenied("只有县直部门审核人员有待提意见的清单。")
    return render(request, "review/queue.html", {"entries": queries.queue_for(request.user)})


@login_required
def window(request, window_id: int):
    window = visible_window(request, window_id)
    page = queries.window_page(window, request.user)
    can_comment = (
        permissions.can_comment(request.user, window) and window.is_open and not window.is_past_deadline()
    )
    return render(request, "review/window.html", {"page": page, "window": window, "can_comment": can_comment})


@login_required
def comment_add(request, window_id: int):
    """The form for one position: on an item (?item=<key>), on the list, or a proposed item (?add=1)."""
    window = access.commenting_window(request.user, window_id)
    item = access.submitted_item(window, request.GET.get("item"))
    adding = request.GET.get("add") == "1"
    departments = permissions.signing_departments(request.user, window)
    form_kwargs = {
        "kind": window.kind,
        "county_id": window.duty_list.township.county_id,
        "departments": departments,
        "adding": adding,
        "item": item,
    }
    form = CommentForm(request.POST or None, **form_kwargs)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            services.add_comment(
                window, by=request.user, item_key=item.key if item else None, **form.service_arguments()
            )
        except REFUSALS as error:
            status = show_on_form(form, error)
        else:
            named = item.name if item else form.cleaned_data.get("proposed_name") or "清单"
            messages.success(request, f"已提交对“{named}”的意见。")
            return redirect(
                reverse("review:window", args=[window.pk]) + (f"#item-{item.key}" if item else "")
            )
    context = {
        "item": item,
        "form": form,
        "adding": adding,
        "back": reverse("review:window", args=[window.pk]),
        "crumb": f"{window.duty_list.township.name} · {window.submission.label}",
    }
    return render(request, "review/comment_form.html", context, status=status)


@login_required
@require_POST
def comment_withdraw(request, comment_id: int):
    comment = visible_comment(request, comment_id)
    page = "review:template_round" if comment.window.is_on_template else "review:window"
    back = reverse(page, args=[comment.window_id])
    try:
        services.withdraw_comment(comment, by=request.user)
    except REFUSALS as error:
        return refused_page(request, error, back=back)
    messages.success(request, "意见已撤回。")
    return redirect(back)


@login_required
@require_POST
def window_finish(request, window_id: int):
    window = visible_window(request, window_id)
    department = access.signing_department(request.user, window, request.POST.get("department"))
    try:
        invitation = services.finish_feedback(window, by=request.user, department=department)
    except REFUSALS as error:
        return refused_page(request, error, back=reverse("review:window", args=[window.pk]))
    messages.success(request, f"{invitation.department.name}已确认反馈完毕。")
    return redirect("review:window", window.pk)


@login_required
@require_POST
def comment_respond(request, comment_id: int):
    comment = visible_comment(request, comment_id)
    form = RespondForm(request.POST)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("review:queue")
    back = redirect(target)
    if not form.is_valid():
        messages.error(request, "请选择认可答复或坚持原意见。")
        return back
    try:
        services.respond_to_answer(comment, by=request.user, **form.cleaned_data)
    except REFUSALS as error:
        return refused_page(request, error, back=target)
    messages.success(
        request, "已认可乡镇的答复。" if form.cleaned_data["accept"] else "已坚持原意见，乡镇须再次答复。"
    )
    return back


# The township's answers.


@login_required
def list_comments(request, list_id: int):
    duty_list = visible_list(request, list_id)
    only_waiting = request.GET.get("show") != "all"
    groups = queries.list_comments(duty_list, only_waiting=only_waiting)
    templates = ReplyTemplate.objects.filter(county_id=duty_list.township.county_id)
    can_answer = permissions.can_answer(request.user, Comment(duty_list=duty_list))
    return render(
        request,
        "review/list_comments.html",
        {
            "duty_list": duty_list,
            "groups": groups,
            "only_waiting": only_waiting,
            "templates": templates,
            "can_answer": can_answer,
            "can_escalate": permissions.can_escalate(request.user, duty_list),
            "can_edit": catalog_permissions.can_edit_list(request.user, duty_list),
            "waiting_proposals": proposals.waiting(duty_list),
            "answers": Comment.Answer.choices,
            "seen_at": timezone.now().isoformat(),
        },
    )


@login_required
@require_POST
def comment_answer(request, comment_id: int):
    comment = visible_comment(request, comment_id)
    form = AnswerForm(request.POST)
    back = reverse("review:list_comments", args=[comment.duty_list_id]) + f"#comment-{comment.pk}"
    if not form.is_valid():
        messages.error(request, f"“{comment.item_name or '整体意见'}”：请选择采纳情况。")
        return redirect(back)
    try:
        comment = services.answer_comment(
            comment,
            by=request.user,
            answer=form.cleaned_data["answer"],
            reason=form.cleaned_data["answer_reason"],
            apply=form.cleaned_data["apply"],
            seen_at=form.cleaned_data["seen_at"],
        )
    except REFUSALS as error:
        return refused_page(request, error, back=back)
    applied = ""
    if comment.applied_at is not None:
        applied = "，并已按意见修改清单"
    elif form.cleaned_data["apply"]:
        applied = "；您现在不能修改清单，已请县委编办按意见修改"
    messages.success(
        request,
        f"已答复“{comment.item_name or comment.proposed_name or '整体意见'}”的意见{applied}。",
    )
    return redirect(back)


@login_required
@require_POST
def comments_answer_bulk(request, list_id: int):
    duty_list = visible_list(request, list_id)
    form = BulkAnswerForm(request.POST, duty_list=duty_list)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("review:list_comments", duty_list.pk)
    try:
        count = services.answer_comments(
            form.cleaned_data["comments"],
            by=request.user,
            answer=form.cleaned_data["answer"],
            reason=form.cleaned_data["answer_reason"],
            seen_at=form.cleaned_data["seen_at"],
        )
    except REFUSALS as error:  # none of them is answered
        return refused_page(request, error, back=reverse("review:list_comments", args=[duty_list.pk]))
    messages.success(request, f"已批量答复 {count} 条意见。")
    return redirect("review:list_comments", duty_list.pk)


@login_required
@require_POST
def comment_escalate(request, comment_id: int):
    comment = visible_comment(request, comment_id)
    try:
        dispute = decisions.escalate_comment(comment, by=request.user)
    except REFUSALS as error:
        return refused_page(request, error, back=reverse("review:list_comments", args=[comment.duty_list_id]))
    messages.success(request, f"“{dispute.item_name}”已列为争议事项，提请县领导协调拍板。")
    return redirect("review:list_comments", comment.duty_list_id)


# Comparing versions.


@login_required
def compare(request, list_id: int):
    duty_list = visible_list(request, list_id)
    submissions = list(duty_list.submissions.order_by("round"))
    if not submissions:
        return render(
            request, "review/compare.html", {"duty_list": duty_list, "submissions": [], "comparison": None}
        )
    by_round = {str(s.round): s for s in submissions}
    before = by_round.get(
        request.GET.get("before", ""), submissions[-2] if len(submissions) > 1 else submissions[0]
    )
    after_choice = request.GET.get("after", "draft")
    after = by_round.get(after_choice)
    if after_choice != "draft" and after is None:
        after_choice = "draft"
    comparison = queries.compare_versions(duty_list, before, after)
    return render(
        request,
        "review/compare.html",
        {
            "duty_list": duty_list,
            "submissions": submissions,
            "comparison": comparison,
            "before": before,
            "after_choice": after_choice if after is None else str(after.round),
        },
    )


# Disputes.


def county_in_view(request) -> County:
    """The county a board or docket shows: ?county=<id>, or the user's only one."""
    counties = County.objects.all()
    if request.GET.get("county"):
        county = (
            counties.filter(pk=request.GET["county"]).first() if request.GET["county"].isdigit() else None
        )
    else:
        mine = {m.county_id for m in catalog_permissions.memberships_of(request.user)}
        county = (
            counties.filter(pk__in=mine).first()
            if mine
            else counties.first()
            if request.user.is_superuser
            else None
        )
    if county is None or not permissions.can_see_board(request.user, county.pk):
        raise Http404("没有可查看的县。")
    return county


@login_required
def docket(request):
    county = county_in_view(request)
    rows = queries.disputes(county.pk, undecided=request.GET.get("show") == "waiting")
    if request.GET.get("format") == "xlsx":
        return xlsx_response(reports.docket_workbook(county, rows), f"{county.name}争议事项协调清单.xlsx")
    context = {
        "county": county,
        "disputes": rows,
        "today": timezone.localdate(),
        "can_decide": permissions.can_decide_in(request.user, county.pk),
    }
    return render(request, "review/docket.html", context)


@login_required
def list_disputes(request, list_id: int):
    duty_list = visible_list(request, list_id)
    rows = queries.disputes(duty_list.township.county_id, duty_list=duty_list)
    can_decide = permissions.can_decide_in(request.user, duty_list.township.county_id)
    context = {"duty_list": duty_list, "disputes": rows, "can_decide": can_decide}
    return render(request, "review/list_disputes.html", context)


@login_required
def decide(request, dispute_id: int):
    dispute = get_object_or_404(
        Dispute.objects.select_related("duty_list__township__county", "comment", "department"), pk=dispute_id
    )
    if not catalog_permissions.can_view_list(request.user, dispute.duty_list):
        raise Http404("争议事项不存在。")
    if not permissions.can_decide(request.user, dispute):
        raise PermissionDenied("只有县领导可以协调拍板。")
    county_id = dispute.duty_list.township.county_id
    form = DecisionForm(request.POST or None, county_id=county_id)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            decisions.decide_dispute(dispute, by=request.user, **form.cleaned_data)
        except REFUSALS as error:
            status = show_on_form(form, error)
        else:
            messages.success(request, f"“{dispute.item_name}”已协调拍板，决定已写入清单。")
            return redirect(reverse("review:docket") + f"?county={county_id}")
    context = {
        "dispute": dispute,
        "form": form,
        "decided": hasattr(dispute, "decision"),
        "exchange": queries.exchange_for(dispute),
    }
    return render(request, "review/decide.html", context, status=status)


# Seeing the whole county.


@login_required
def board(request):
    county = county_in_view(request)
    return render(request, "review/board.html", {"county": county, "board": queries.board_for(county.pk)})


@login_required
def inbox(request):
    box = inbox_for(request.user, with_notifications=True)
    return render(
        request,
        "review/inbox.html",
        {"inbox": box, "unread": sum(1 for n in box.notifications if n.read_at is None)},
    )


@login_required
def inbox_count(request):
    """The number beside 待我处理 in the navigation, loaded after the page so pages stay fast: the tasks
    the inbox page lists."""
    count = inbox_for(request.user).count
    return HttpResponse(str(count) if count else "", content_type="text/plain; charset=utf-8")


@login_required
@require_POST
def notifications_read(request):
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("review:inbox")


# Reports.


@login_required
def disposition_report(request, list_id: int):
    duty_list = visible_list(request, list_id)
    submission = None
    if request.GET.get("round", "").isdigit():
        submission = get_object_or_404(Submission, duty_list=duty_list, round=int(request.GET["round"]))
    rows = queries.disposition_rows(duty_list, submission)
    title = f"{duty_list.township.name}履行职责事项清单意见采纳情况表"
    if submission is not None:
        title += f"（{submission.label}）"
    if request.GET.get("format") == "xlsx":
        return xlsx_response(reports.disposition_workbook(title, rows), f"{title}.xlsx")
    submissions = duty_list.submissions.order_by("round")
    context = {
        "duty_list": duty_list,
        "rows": rows,
        "title": title,
        "submission": submission,
        "submissions": submissions,
    }
    return render(request, "review/disposition_report.html", context)
