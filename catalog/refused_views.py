"""How a page answers a service's refusal: the Chinese message where the user acted, with the status
`refusal_of` gives (400 / 403 / 409 / 412 / 429), so no view decides a status itself.

A refusal names the service's field; a form that calls it differently maps it with `fields`.
"""

from django.core.exceptions import ValidationError
from django.shortcuts import render

from .refusals import refusal_of


def show_on_form(form, error: Exception, *, fields: dict[str, str] | None = None) -> int:
    """Each message on the form field it concerns, else above the form; the status to answer with."""
    refusal = refusal_of(error)
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        concerned = error.message_dict
    else:
        concerned = {
            refusal.field: error.messages if isinstance(error, ValidationError) else [refusal.message]
        }
    for name, messages in concerned.items():
        name = (fields or {}).get(name, name)
        form.add_error(name if name in form.fields else None, messages)
    return refusal.status


def refused_page(request, error: Exception, *, back: str):
    """An action without a form of its own was refused: why, the way back, and the refusal's status."""
    refusal = refusal_of(error)
    return render(request, "refused.html", {"refusal": refusal, "back": back}, status=refusal.status)
