"""Staff reading and writing of the review (三上三下): a list's submissions, comment windows and
comments; the workflow's actions; a department's comments and 反馈完毕; the township's answers
(采纳 with "apply the proposal" included) and applying an accepted proposal later.

Each endpoint does what the matching review page does, through the same pieces: rows looked up by
`review.access`, input parsed by the page's own form (`review.forms`), one call of
`review.workflow.perform` or `review.services` with `by=request.user`. The actions are the workflow
table's (`review.workflow.transitions`): the API lists none of its own.
"""

from django import forms as django_forms
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers
from rest_framework.response import Response

from catalog.refusals import Invalid
from review import access, permissions, queries, services, workflow
from review.forms import (
    AnswerForm,
    ApprovalForm,
    CloseWindowForm,
    CommentForm,
    ConsulteeStepForm,
    RespondForm,
    WindowForm,
    form_for_action,
)
from review.models import Comment, ReviewPolicy, SubmittedItem

from .drafts import LIST_ID, form_refusal
from .staff import StaffView, json_object
from .staff_serializers import (
    CommentSerializer,
    StageChangeSerializer,
    SubmissionSerializer,
    SubmittedItemSerializer,
    TransitionSerializer,
    WindowSerializer,
)
from .views import Pages

TAGS = ["审核（工作人员）"]
# Every action of the workflow table, every closing step switched on: the values `{action}` takes.
EVERY_STEP = ReviewPolicy(**{switch: True for *_, switch, _effect in workflow.CLOSING if switch})
ACTIONS = sorted({t.action for t in workflow.transitions(EVERY_STEP)})
ACTION = OpenApiParameter(
    "action", OpenApiTypes.STR, OpenApiParameter.PATH, enum=ACTIONS, description="审核流程中的操作"
)
WINDOW_ID = OpenApiParameter("window_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="意见征求编号")
COMMENT_ID = OpenApiParameter("comment_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="意见编号")


def body_field(field: django_forms.Field) -> serializers.Field:
    """How a page form's field is sent as JSON (for the description; the form parses it)."""
    options = {"required": False, "help_text": str(field.label or "")}
    if isinstance(field, django_forms.ModelMultipleChoiceField):
        return serializers.ListField(child=serializers.IntegerField(), **options)
    if isinstance(field, django_forms.ModelChoiceField):
        return serializers.IntegerField(allow_null=True, **options)
    if isinstance(field, django_forms.DateTimeField):
        return serializers.DateTimeField(allow_null=True, **options)
    if isinstance(field, django_forms.DateField):
        return serializers.DateField(allow_null=True, **options)
    if isinstance(field, django_forms.BooleanField):
        return serializers.BooleanField(**options)
    if isinstance(field, django_forms.ChoiceField):
        return serializers.ChoiceField(choices=[c for c in field.choices if c[0]], **options)
    return serializers.CharField(allow_blank=True, **options)


def form_body(name: str, *form_classes, **extra) -> type[serializers.Serializer]:
    """A request body described from the page forms that parse it."""
    fields = {n: body_field(f) for form in form_classes for n, f in form.base_fields.items()}
    return type(name, (serializers.Serializer,), fields | extra)


ActionBody = form_body(
    "ActionBody",
    WindowForm,
    CloseWindowForm,
    ConsulteeStepForm,
    ApprovalForm,
    note=serializers.CharField(required=False, allow_blank=True, help_text="说明（记入流程记录）"),
)
CommentBody = form_body(
    "CommentBody",
    CommentForm,
    item_key=serializers.UUIDField(
        required=False, allow_null=True, help_text="所评事项的标识；整体意见、建议增加事项时不填"
    ),
)
AnswerBody = form_body("AnswerBody", AnswerForm)
RespondBody = form_body("RespondBody", RespondForm)
FinishBody = form_body(
    "FinishBody",
    department=serializers.IntegerField(required=False, help_text="以哪个部门的名义（审核多个部门时）"),
)


def parsed(form) -> dict:
    if not form.is_valid():
        raise form_refusal(form)
    return form.cleaned_data


def prefixed(form, data: dict) -> dict:
    """JSON names a page form's fields without the form's prefix."""
    return {form.add_prefix(name): value for name, value in data.items()} if form.prefix else dict(data)


# Reading.


@extend_schema(
    summary="清单的各次提交（冻结稿）",
    tags=TAGS,
    responses=SubmissionSerializer(many=True),
    parameters=[LIST_ID],
)
class SubmissionList(StaffView):
    serializer_class = SubmissionSerializer

    def get(self, request, list_id: int):
        duty_list = access.visible_list(request.user, list_id)
        rows = duty_list.submissions.select_related("submitted_by").order_by("round")
        return Response(self.get_serializer(rows, many=True).data)


@extend_schema(
    summary="一次提交（冻结稿）中的事项，为提交时的内容",
    tags=TAGS,
    parameters=[
        LIST_ID,
        OpenApiParameter("round", OpenApiTypes.INT, OpenApiParameter.PATH, description="提交轮次"),
    ],
)
class SubmittedItemList(mixins.ListModelMixin, StaffView):
    serializer_class = SubmittedItemSerializer
    pagination_class = Pages

    def get(self, request, list_id: int, round: int):
        return self.list(request)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SubmittedItem.objects.none()
        duty_list = access.visible_list(self.request.user, self.kwargs["list_id"])
        submission = duty_list.submissions.filter(round=self.kwargs["round"]).first()
        if submission is None:
            raise Http404("没有这一轮提交。")
        return submission.items.all()


@extend_schema(
    summary="清单的各轮意见征求：类型、截止日期、所请部门及其反馈情况",
    tags=TAGS,
    responses=WindowSerializer(many=True),
    parameters=[LIST_ID],
)
class WindowList(StaffView):
    serializer_class = WindowSerializer

    def get(self, request, list_id: int):
        duty_list = access.visible_list(request.user, list_id)
        windows = (
            duty_list.comment_windows.select_related("submission")
            .prefetch_related("invitations__department")
            .order_by("pk")
        )
        return Response(self.get_serializer(windows, many=True).data)


@extend_schema(
    summary="清单收到的意见及其答复",
    tags=TAGS,
    parameters=[
        LIST_ID,
        OpenApiParameter("state", OpenApiTypes.STR, enum=Comment.State.values, description="意见状态"),
    ],
)
class CommentList(mixins.ListModelMixin, StaffView):
    serializer_class = CommentSerializer
    pagination_class = Pages

    def get(self, request, list_id: int):
        return self.list(request)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Comment.objects.none()
        duty_list = access.visible_list(self.request.user, self.kwargs["list_id"])
        comments = queries.comments_with_names().filter(duty_list=duty_list)
        state = self.request.query_params.get("state")
        if state:
            if state not in Comment.State.values:
                raise Invalid(f"没有“{state}”这种意见状态。", code="invalid_choice", field="state")
            comments = comments.filter(state=state)
        return comments


# The workflow.


@extend_schema(
    summary="我现在可以对清单进行的审核流程操作",
    tags=TAGS,
    responses=TransitionSerializer(many=True),
    parameters=[LIST_ID],
)
class ActionList(StaffView):
    serializer_class = TransitionSerializer

    def get(self, request, list_id: int):
        duty_list = access.visible_list(request.user, list_id)
        return Response(self.get_serializer(workflow.available(duty_list, request.user), many=True).data)


@extend_schema(
    summary="进行一项审核流程操作（与审核流程页面的条件和提示相同）",
    tags=TAGS,
    parameters=[LIST_ID, ACTION],
    request=ActionBody,
    responses=StageChangeSerializer,
)
class Action(StaffView):
    serializer_class = StageChangeSerializer

    def post(self, request, list_id: int, action: str):
        duty_list = access.visible_list(request.user, list_id)
        data = json_object(request, ActionBody)
        transition = next(
            (t for t in workflow.available(duty_list, request.user) if t.action == action), None
        )
        params = {}
        form = form_for_action(transition, duty_list) if transition else None
        if form is not None:
            params = parsed(form_for_action(transition, duty_list, prefixed(form, data)))
        note = str(data.get("note") or "").strip()
        change = workflow.perform(duty_list, action, by=request.user, note=note, **params)
        return Response(self.get_serializer(change).data)


class ActionWithoutSlash(Action):
    """The same address without its final slash, as issue 12 writes it."""

    schema = None


# Comments and answers.


@extend_schema(
    summary="在意见征求中提出意见：针对事项（item_key）、整体意见或建议增加事项（position=add）",
    tags=TAGS,
    parameters=[WINDOW_ID],
    request=CommentBody,
    responses={201: CommentSerializer},
)
class CommentAdd(StaffView):
    serializer_class = CommentSerializer

    def post(self, request, window_id: int):
        window = access.commenting_window(request.user, window_id)
        data = json_object(request, CommentBody)
        item = access.submitted_item(window, data.get("item_key"))
        form = CommentForm(
            data,
            kind=window.kind,
            county_id=window.duty_list.township.county_id,
            departments=permissions.signing_departments(request.user, window),
            adding=data.get("position") == Comment.Position.ADD,
            item=item,
        )
        parsed(form)
        comment = services.add_comment(
            window, by=request.user, item_key=item.key if item else None, **form.service_arguments()
        )
        comment = queries.comments_with_names().get(pk=comment.pk)
        return Response(self.get_serializer(comment).data, status=201)


@extend_schema(
    summary="部门确认反馈完毕",
    tags=TAGS,
    parameters=[WINDOW_ID],
    request=FinishBody,
    responses=WindowSerializer,
)
class WindowFinish(StaffView):
    serializer_class = WindowSerializer

    def post(self, request, window_id: int):
        window = access.visible_window(request.user, window_id)
        department = access.signing_department(
            request.user, window, json_object(request, FinishBody).get("department")
        )
        services.finish_feedback(window, by=request.user, department=department)
        return Response(self.get_serializer(window).data)


class CommentWrite(StaffView):
    serializer_class = CommentSerializer

    def answered(self, comment: Comment) -> Response:
        return Response(self.get_serializer(queries.comments_with_names().get(pk=comment.pk)).data)


@extend_schema(
    summary="乡镇答复意见：采纳、部分采纳或不采纳；apply=true 同时按意见修改清单",
    tags=TAGS,
    parameters=[COMMENT_ID],
    request=AnswerBody,
)
class CommentAnswer(CommentWrite):
    def post(self, request, comment_id: int):
        comment = access.visible_comment(request.user, comment_id)
        data = parsed(AnswerForm(json_object(request, AnswerBody)))
        comment = services.answer_comment(
            comment,
            by=request.user,
            answer=data["answer"],
            reason=data["answer_reason"],
            apply=data["apply"],
            seen_at=data["seen_at"],
        )
        return self.answered(comment)


@extend_schema(
    summary="按已采纳的意见修改清单（乡镇当时不能修改时由县委编办进行）",
    tags=TAGS,
    parameters=[COMMENT_ID],
    request=None,
)
class CommentApply(CommentWrite):
    def post(self, request, comment_id: int):
        comment = access.visible_comment(request.user, comment_id)
        services.apply_accepted(comment, by=request.user)
        return self.answered(comment)


@extend_schema(
    summary="部门回应乡镇的答复：认可或坚持原意见（下一轮意见征求期间）",
    tags=TAGS,
    parameters=[COMMENT_ID],
    request=RespondBody,
)
class CommentRespond(CommentWrite):
    def post(self, request, comment_id: int):
        comment = access.visible_comment(request.user, comment_id)
        data = parsed(RespondForm(json_object(request, RespondBody)))
        return self.answered(services.respond_to_answer(comment, by=request.user, **data))
