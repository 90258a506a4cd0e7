from django.urls import path

from . import views

app_name = "publication"

urlpatterns = [
    path("", views.index, name="index"),
    path("search/", views.search, name="search"),
    path("data/", views.open_data, name="open_data"),
    path("counties/<str:code>/statistics/", views.statistics, name="statistics"),
    path("lists/<str:code>/", views.township_page, name="township"),
    path("lists/<str:code>/items/<uuid:key>/", views.item_page, name="item"),
    path("lists/<str:code>/items/<uuid:key>/feedback/", views.feedback, name="feedback"),
    path("lists/<str:code>/editions/<int:number>/", views.township_page, name="edition"),
    path("lists/<str:code>/editions/<int:number>/changes/", views.changes, name="changes"),
    path("lists/<str:code>/editions/<int:number>/download.<str:fmt>", views.download, name="download"),
]
