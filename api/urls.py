"""/api/v1/ (public reading, and staff reading and writing of drafts and the review), the OpenAPI
description and its documentation page; any other address under /api/ answers 404 in the API's
error shape."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from . import dispatch, drafts, imports, reviews, snapshots, views
from .docs import Docs
from .errors import NotFoundView

app_name = "api"

v1 = [
    path("v1/counties/", views.CountyList.as_view(), name="counties"),
    path("v1/counties/<str:code>/", views.CountyDetail.as_view(), name="county"),
    path("v1/counties/<str:code>/townships/", views.TownshipList.as_view(), name="townships"),
    path("v1/counties/<str:code>/snapshot/", snapshots.CountySnapshot.as_view(), name="county_snapshot"),
    path("v1/townships/<str:code>/", views.TownshipDetail.as_view(), name="township"),
    path("v1/townships/<str:code>/editions/", views.EditionList.as_view(), name="editions"),
    path("v1/townships/<str:code>/editions/<int:number>/", views.EditionDetail.as_view(), name="edition"),
    path(
        "v1/townships/<str:code>/editions/<int:number>/items/",
        views.EditionItemList.as_view(),
        name="edition_items",
    ),
    path(
        "v1/townships/<str:code>/editions/<int:number>/snapshot/",
        views.EditionSnapshot.as_view(),
        name="edition_snapshot",
    ),
    path(
        "v1/townships/<str:code>/editions/<int:number>/changes/",
        views.EditionChangeList.as_view(),
        name="edition_changes",
    ),
    path("v1/items/", views.ItemList.as_view(), name="items"),
    path("v1/items/<str:key>/", views.ItemDetail.as_view(), name="item"),
    path("v1/changes/", views.Changes.as_view(), name="changes"),
    path("v1/route/", dispatch.Route.as_view(), name="route"),
    path("v1/dispatch-disputes/", dispatch.DisputeCreate.as_view(), name="dispatch_disputes"),
]

staff = [
    path("v1/lists/", drafts.ListList.as_view(), name="lists"),
    path("v1/lists/<int:list_id>/", drafts.ListDetail.as_view(), name="list"),
    path("v1/lists/<int:list_id>/items/", drafts.ItemsOfList.as_view(), name="list_items"),
    path("v1/lists/<int:list_id>/items/<int:item_id>/", drafts.ItemDetail.as_view(), name="list_item"),
    path("v1/lists/<int:list_id>/items/<int:item_id>/move/", drafts.ItemMove.as_view(), name="item_move"),
    path(
        "v1/lists/<int:list_id>/items/<int:item_id>/restore/",
        drafts.ItemRestore.as_view(),
        name="item_restore",
    ),
    path("v1/lists/<int:list_id>/submissions/", reviews.SubmissionList.as_view(), name="submissions"),
    path(
        "v1/lists/<int:list_id>/submissions/<int:round>/items/",
        reviews.SubmittedItemList.as_view(),
        name="submitted_items",
    ),
    path("v1/lists/<int:list_id>/windows/", reviews.WindowList.as_view(), name="windows"),
    path("v1/lists/<int:list_id>/comments/", reviews.CommentList.as_view(), name="comments"),
    path("v1/lists/<int:list_id>/actions/", reviews.ActionList.as_view(), name="actions"),
    path("v1/lists/<int:list_id>/actions/<str:action>/", reviews.Action.as_view(), name="action"),
    path("v1/lists/<int:list_id>/actions/<str:action>", reviews.ActionWithoutSlash.as_view()),
    path("v1/windows/<int:window_id>/comments/", reviews.CommentAdd.as_view(), name="comment_add"),
    path("v1/windows/<int:window_id>/finish/", reviews.WindowFinish.as_view(), name="window_finish"),
    path("v1/comments/<int:comment_id>/answer/", reviews.CommentAnswer.as_view(), name="comment_answer"),
    path("v1/comments/<int:comment_id>/apply/", reviews.CommentApply.as_view(), name="comment_apply"),
    path("v1/comments/<int:comment_id>/respond/", reviews.CommentRespond.as_view(), name="comment_respond"),
    path("v1/townships/<str:code>/imports/", imports.ImportUpload.as_view(), name="imports"),
    path("v1/townships/<str:code>/imports/<str:token>/", imports.ImportStaged.as_view(), name="import"),
    path(
        "v1/townships/<str:code>/imports/<str:token>/names/",
        imports.ImportNames.as_view(),
        name="import_names",
    ),
]

urlpatterns = [
    *v1,
    *staff,
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", Docs.as_view(url_name="api:schema"), name="docs"),
    re_path(r"", NotFoundView.as_view(), name="not_found"),
]
