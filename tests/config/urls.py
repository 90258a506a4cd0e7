"""The site's URLs plus views that fail on purpose, for the error-page tests."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def broken(request):
    raise RuntimeError("a bug in the code")


@transaction.atomic
def racing(request):
    """A service that did not foresee a constraint: the second row breaks it."""
    from catalog.models import County

    County.objects.create(name="重复县", code="999999")
    County.objects.create(name="重复县", code="999999")


def forbidden_in_english(request):
    raise PermissionDenied("Internal reason in English")


urlpatterns = [
    path("test-errors/broken/", broken),
    path("test-errors/forbidden/", forbidden_in_english),
    path("test-errors/race/", racing),
    *urlpatterns,
]
