"""The back office: one module per concern; importing them registers their pages."""

from . import lists, quality, reference, regions  # noqa: F401
from .scoping import CountyScopedAdmin, scope_choices_queryset

__all__ = ["CountyScopedAdmin", "scope_choices_queryset"]
