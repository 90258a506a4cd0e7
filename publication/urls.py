from django.urls import path

from . import (
    adjustment_views,
    admission_views,
    annual_review_views,
    area_views,
    coverage_views,
    dispute_views,
    feedback_views,
    matrix_views,
    publish_views,
    region_views,
    views,
)

app_name = "publication"

urlpatterns = [
    path("", area_views.index, name="index"),
    path("areas/unplaced/", area_views.unplaced_counties, name="unplaced_counties"),
    path("areas/<str:code>/", area_views.area_page, name="area"),
    path("search/", views.search, name="search"),
    path("data/", views.open_data, name="open_data"),
    path("counties/<str:code>/statistics/", views.statistics, name="statistics"),
    path("counties/<str:code>/download.<str:fmt>", views.county_download, name="county_download"),
    path("counties/<str:code>/matrix/", matrix_views.county_matrix, name="county_matrix"),
    path("counties/<str:code>/matrix.xlsx", matrix_views.county_matrix_export, name="county_matrix_export"),
    path(
        "counties/<str:code>/downloads/<int:job_id>/", views.county_download_job, name="county_download_job"
    ),
    path(
        "counties/<str:code>/downloads/<int:job_id>/file/",
        views.county_download_file,
        name="county_download_file",
    ),
    path("regions/<str:code>/statistics/", region_views.region_statistics, name="region_statistics"),
    path("regions/<str:code>/matrix/", region_views.region_comparison, name="region_matrix"),
    path(
        "regions/<str:code>/matrix.xlsx", region_views.region_comparison_export, name="region_matrix_export"
    ),
    path("counties/<str:code>/admissions/", admission_views.register, name="admission_register"),
    path("lists/<str:code>/", views.township_page, name="township"),
    path("lists/<str:code>/items/<uuid:key>/", views.item_page, name="item"),
    path("lists/<str:code>/items/<uuid:key>/feedback/", views.feedback, name="feedback"),
    path("lists/<str:code>/editions/<int:number>/", views.township_page, name="edition"),
    path("lists/<str:code>/editions/<int:number>/changes/", views.changes, name="changes"),
    path("lists/<str:code>/editions/<int:number>/download.<str:fmt>", views.download, name="download"),
    path(
        "work/lists/<str:code>/editions/<int:number>/coverage/",
        coverage_views.edition_coverage,
        name="edition_coverage",
    ),
    path(
        "work/lists/<str:code>/editions/<int:number>/coverage/export/",
        coverage_views.edition_coverage_export,
        name="edition_coverage_export",
    ),
    path(
        "work/departments/<int:department_id>/ledger/in-force/",
        matrix_views.department_ledger,
        name="department_ledger",
    ),
    path(
        "work/departments/<int:department_id>/ledger/in-force/export/",
        matrix_views.department_ledger_export,
        name="department_ledger_export",
    ),
    path("feedback/", feedback_views.look_up, name="feedback_look_up"),
    # 印发公布 and 动态调整, in the workbench.
    path("work/lists/<int:list_id>/publish/", publish_views.publish, name="publish"),
    path("work/adjustments/", adjustment_views.adjustment_list, name="adjustments"),
    path("work/adjustments/new/<str:code>/", adjustment_views.adjustment_new, name="adjustment_new"),
    path(
        "work/adjustments/new/<str:code>/items/",
        adjustment_views.adjustment_item_search,
        name="adjustment_item_search",
    ),
    path("work/adjustments/new/<str:code>/row/", adjustment_views.adjustment_row, name="adjustment_row"),
    path("work/adjustments/<int:adjustment_id>/", adjustment_views.adjustment_detail, name="adjustment"),
    path(
        "work/adjustments/<int:adjustment_id>/remark/",
        adjustment_views.adjustment_remark,
        name="adjustment_remark",
    ),
    path(
        "work/adjustments/<int:adjustment_id>/decide/",
        adjustment_views.adjustment_decide,
        name="adjustment_decide",
    ),
    path(
        "work/adjustments/remarks/<int:remark_id>/answer/",
        adjustment_views.remark_answer,
        name="remark_answer",
    ),
    # 职责准入 and the annual review (履职体检), in the workbench.
    path("work/admissions/", admission_views.admission_list, name="admissions"),
    path("work/admissions/new/<str:code>/", admission_views.admission_new, name="admission_new"),
    path("work/admissions/<int:admission_id>/", admission_views.admission_detail, name="admission"),
    path("work/admissions/<int:admission_id>/act/", admission_views.admission_act, name="admission_act"),
    path("work/annual-review/<str:code>/", annual_review_views.annual_review, name="annual_review"),
    # 群众反映, handled in the workbench.
    path("work/feedback/", feedback_views.queue, name="feedback_queue"),
    path("work/feedback/<int:feedback_id>/", feedback_views.handle, name="feedback_handle"),
    # 12345 派单异议, handled in the workbench.
    path("work/dispatch-disputes/", dispute_views.queue, name="dispatch_disputes"),
    path(
        "work/dispatch-disputes/<int:dispute_id>/answer/",
        dispute_views.answer,
        name="dispatch_dispute_answer",
    ),
]
