from axes.models import AccessAttempt, AccessFailureLog, AccessLog

LOGIN = {"user_agent": "Mozilla/5.0", "http_accept": "text/html", "path_info": "/accounts/login/"}


def make_login_records(n: int = 0) -> None:
    """What the login throttle writes: a failed attempt, its failure log row and a login."""
    address = f"198.51.100.{n + 1}"
    AccessAttempt.objects.create(
        username=f"intruder-{n}",
        ip_address=address,
        get_data="",
        post_data="",
        failures_since_start=1,
        **LOGIN,
    )
    AccessFailureLog.objects.create(username=f"intruder-{n}", ip_address=address, locked_out=False, **LOGIN)
    AccessLog.objects.create(username=f"clerk-{n}", ip_address=address, **LOGIN)
