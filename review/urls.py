from django.urls import path

from . import proposal_views, region_views, template_views, views

app_name = "review"

urlpatterns = [
    path("lists/<int:list_id>/review/", views.list_review, name="list_review"),
    path("lists/<int:list_id>/review/action/", views.list_action, name="list_action"),
    path("lists/<int:list_id>/comments/", views.list_comments, name="list_comments"),
    path("lists/<int:list_id>/comments/answer/", views.comments_answer_bulk, name="comments_answer_bulk"),
    path("lists/<int:list_id>/compare/", views.compare, name="compare"),
    path("lists/<int:list_id>/disputes/", views.list_disputes, name="list_disputes"),
    path("lists/<int:list_id>/report/", views.disposition_report, name="disposition_report"),
    path("review/queue/", views.queue, name="queue"),
    path("review/windows/<int:window_id>/", views.window, name="window"),
    path("review/windows/<int:window_id>/comment/", views.comment_add, name="comment_add"),
    path("review/windows/<int:window_id>/finish/", views.window_finish, name="window_finish"),
    path("review/windows/<int:window_id>/extend/", views.window_extend, name="window_extend"),
    path("review/comments/<int:comment_id>/withdraw/", views.comment_withdraw, name="comment_withdraw"),
    path("review/comments/<int:comment_id>/answer/", views.comment_answer, name="comment_answer"),
    path("review/comments/<int:comment_id>/apply/", proposal_views.comment_apply, name="comment_apply"),
    path("review/comments/<int:comment_id>/respond/", views.comment_respond, name="comment_respond"),
    path("review/comments/<int:comment_id>/escalate/", views.comment_escalate, name="comment_escalate"),
    path("review/disputes/", views.docket, name="docket"),
    path("review/disputes/<int:dispute_id>/decide/", views.decide, name="decide"),
    path("review/board/", views.board, name="board"),
    path("review/regions/<str:code>/board/", region_views.board, name="region_board"),
    path("review/templates/", template_views.round_list, name="template_rounds"),
    path(
        "review/templates/<int:catalogue_id>/open/",
        template_views.template_round_open,
        name="template_round_open",
    ),
    path("review/template-rounds/<int:window_id>/", template_views.template_round, name="template_round"),
    path(
        "review/template-rounds/<int:window_id>/entries/<int:entry_id>/",
        template_views.template_entry,
        name="template_entry",
    ),
    path(
        "review/template-rounds/<int:window_id>/comment/",
        template_views.template_comment_add,
        name="template_comment_add",
    ),
    path(
        "review/template-rounds/<int:window_id>/close/",
        template_views.template_round_close,
        name="template_round_close",
    ),
    path(
        "review/template-comments/<int:comment_id>/answer/",
        template_views.template_comment_answer,
        name="template_comment_answer",
    ),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/count/", views.inbox_count, name="inbox_count"),
    path("inbox/read/", views.notifications_read, name="notifications_read"),
]
