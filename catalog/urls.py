from django.urls import path

from . import coverage_views, job_views, matrix_views, note_views, province_views, transfer_views, views

app_name = "catalog"

urlpatterns = [
    path("", views.home, name="home"),
    path("lists/new/", views.list_start, name="list_start"),
    path("lists/<int:list_id>/", views.list_editor, name="list_editor"),
    path("lists/<int:list_id>/changes/", views.list_changes, name="list_changes"),
    path("lists/<int:list_id>/coverage/", coverage_views.list_coverage, name="list_coverage"),
    path("lists/<int:list_id>/quality/", coverage_views.list_quality, name="list_quality"),
    path(
        "lists/<int:list_id>/coverage/export/",
        coverage_views.list_coverage_export,
        name="list_coverage_export",
    ),
    path("lists/<int:list_id>/add/<str:part>/", views.item_add, name="item_add"),
    path("items/<int:item_id>/", views.item_row, name="item_row"),
    path("items/<int:item_id>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:item_id>/delete/", views.item_delete, name="item_delete"),
    path("items/<int:item_id>/restore/", views.item_restore, name="item_restore"),
    path("items/<int:item_id>/reorder/", views.item_reorder, name="item_reorder"),
    path("items/<int:item_id>/duplicate/", views.item_duplicate, name="item_duplicate"),
    path("items/<int:item_id>/move/", views.item_move, name="item_move"),
    path("items/<int:item_id>/history/", views.item_history, name="item_history"),
    path("items/<int:item_id>/notes/", note_views.item_notes, name="item_notes"),
    path("items/<int:item_id>/history/<int:history_id>/revert/", views.item_revert, name="item_revert"),
    path("lists/<int:list_id>/export/", transfer_views.list_export, name="list_export"),
    path("townships/<str:code>/import/", transfer_views.import_upload, name="import_upload"),
    path("townships/<str:code>/import/names/", transfer_views.import_names, name="import_names"),
    path("townships/<str:code>/import/confirm/", transfer_views.import_confirm, name="import_confirm"),
    path("counties/<str:code>/export/", transfer_views.county_export, name="county_export"),
    path("counties/<str:code>/matrix/", matrix_views.county_matrix, name="county_matrix"),
    path(
        "counties/<str:code>/matrix/export/", matrix_views.county_matrix_export, name="county_matrix_export"
    ),
    path("departments/<int:department_id>/ledger/", matrix_views.department_ledger, name="department_ledger"),
    path(
        "departments/<int:department_id>/ledger/export/",
        matrix_views.department_ledger_export,
        name="department_ledger_export",
    ),
    path("jobs/<int:job_id>/", job_views.job, name="job"),
    path("jobs/<int:job_id>/file/", job_views.job_file, name="job_file"),
    path("template/", transfer_views.blank_template, name="blank_template"),
    path("catalogues/<int:catalogue_id>/export/", transfer_views.catalogue_export, name="catalogue_export"),
    path("catalogues/<int:catalogue_id>/import/", transfer_views.catalogue_import, name="catalogue_import"),
    path("provinces/<str:code>/catalogues/", province_views.province_catalogues, name="province_catalogues"),
    path(
        "province-catalogues/<int:catalogue_id>/",
        province_views.province_catalogue,
        name="province_catalogue",
    ),
    path(
        "province-catalogues/<int:catalogue_id>/claims/",
        province_views.catalogue_claims,
        name="catalogue_claims",
    ),
    path(
        "province-catalogues/<int:catalogue_id>/claims/export/",
        province_views.catalogue_claims_export,
        name="catalogue_claims_export",
    ),
    path("counties/<str:code>/province-catalogue/", province_views.county_claims, name="county_claims"),
    path(
        "counties/<str:code>/province-catalogue/<int:entry_id>/",
        province_views.entry_claim,
        name="entry_claim",
    ),
]
