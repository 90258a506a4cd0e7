"""/api/v1/ (public reading), the OpenAPI description and its documentation page; any other address
under /api/ answers 404 in the API's error shape."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from . import snapshots, views
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
]

urlpatterns = [
    *v1,
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", Docs.as_view(url_name="api:schema"), name="docs"),
    re_path(r"", NotFoundView.as_view(), name="not_found"),
]
