"""The login throttle's two local rules on top of django-axes (docs/decisions/0007-security.md)."""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.shortcuts import render


class LoginAttemptsHandler(AxesDatabaseHandler):
    """Axes' database handler, except that a successful login clears only that account's failures.

    Axes would also clear every failure from the same address, so anyone holding one account
    could log into it between guesses at a colleague's password and never reach the limit.
    """

    def reset_user_attempts(self, request, credentials=None) -> int:
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count


def login_locked_out(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the login page's answer while an account or an address is locked."""
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}
    return render(request, "registration/locked_out.html", context, status=429)
