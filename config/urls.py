from django.contrib import admin
from django.urls import path

admin.site.site_header = "乡镇（街道）履行职责事项清单管理系统"
admin.site.site_title = "履职事项清单后台"
admin.site.index_title = "后台管理"

urlpatterns = [
    path("admin/", admin.site.urls),
]
