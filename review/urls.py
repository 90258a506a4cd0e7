from django.urls import path

from . import views

app_name = "review"

urlpatterns = [
    path("lists/<int:list_id>/review/", views.list_review, name="list_review"),
    path("lists/<int:list_id>/review/action/", views.list_action, name="list_action"),
]
