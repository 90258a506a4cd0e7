from django.contrib import admin
from django.urls import include, path

from config.health import healthz

admin.site.site_header = "乡镇（街道）履行职责事项清单管理系统"
admin.site.site_title = "履职事项清单后台"
admin.site.index_title = "后台管理"

urlpatterns = [
    path("", include("publication.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("work/", include("catalog.urls")),
    path("work/", include("review.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("work/tokens/", include("api.pages")),
    path("healthz", healthz, name="healthz"),
]

handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
