"""The interactive documentation page (Swagger UI), from the files drf-spectacular-sidecar installs
and served by this site; its start-up script is a file of its own, so the page needs no inline script
or style under the site's Content-Security-Policy."""

from drf_spectacular.views import SpectacularSwaggerSplitView


class Docs(SpectacularSwaggerSplitView):
    template_name = "api/docs.html"
    title = "乡镇（街道）履行职责事项清单 API"
