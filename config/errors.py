"""How the site answers errors a visitor can cause: in Chinese, without a trace of the code.

Django's own messages (get_object_or_404's "No … matches", Resolver404's path dictionary)
are English and name internals, so a message is shown only when it was written for the
reader — in Chinese; otherwise each page says in general terms what happened.

Under /api/ the same errors answer in the API's one JSON shape (api/errors.py), also when they
arise before the API's views (a middleware's refusal, a fault of ours).
"""

import logging
import re

from django.core.exceptions import BadRequest
from django.db import IntegrityError
from django.http import (
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
    JsonResponse,
)
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

from api.errors import body as api_body

CHINESE = re.compile(r"[\u4e00-\u9fff]")
logger = logging.getLogger(__name__)


def message_for_reader(exception) -> str:
    """The exception's message when it was written in Chinese for the person reading the page."""
    message = exception.args[0] if exception is not None and exception.args else ""
    return message if isinstance(message, str) and CHINESE.search(message) else ""


# The API's answer for each status, when no message was written for the reader.
API_ERRORS = {
    400: ("bad_request", "请求有误。"),
    403: ("permission_denied", "您无权进行此操作。"),
    404: ("not_found", "找不到该记录。"),
    409: ("conflict", "操作与同时进行的另一操作冲突，没有保存，请重试。"),
    500: ("server_error", "服务器内部错误，已记录，请稍后再试。"),
}


def api_error(request, status: int, exception=None) -> JsonResponse | None:
    """The error in the API's JSON shape when the request was for the API, else None."""
    if request is None or not request.path.startswith("/api/"):
        return None
    code, message = API_ERRORS[status]
    return JsonResponse(
        api_body(code, message_for_reader(exception) or message),
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def bad_request(request, exception=None):
    if answer := api_error(request, 400, exception):
        return answer
    # Rendered without the request: a request that failed may not survive context processors.
    body = loader.render_to_string("400.html", {"message": message_for_reader(exception)})
    return HttpResponseBadRequest(body)


@requires_csrf_token
def permission_denied(request, exception=None):
    if answer := api_error(request, 403, exception):
        return answer
    body = loader.render_to_string("403.html", {"message": message_for_reader(exception)}, request)
    return HttpResponseForbidden(body)


@requires_csrf_token
def page_not_found(request, exception=None):
    if answer := api_error(request, 404, exception):
        return answer
    body = loader.render_to_string("404.html", {"message": message_for_reader(exception)}, request)
    return HttpResponseNotFound(body)


def server_error(request):
    # Neither the database nor the request is trusted here: the error may have come from either.
    if answer := api_error(request, 500):
        return answer
    return HttpResponseServerError(loader.render_to_string("500.html"))


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form whose token no longer matches, usually a page left open too long."""
    return HttpResponseForbidden(loader.render_to_string("403_csrf.html"))


class RejectNulBytesMiddleware:
    """A NUL character (%00) in the address or query answers 400 before any view or query sees it.

    PostgreSQL cannot store or compare text holding NUL, so such input would otherwise
    fail deep inside a lookup with a 500.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            raise BadRequest("网址或查询条件中含有空字符（%00），无法处理。请检查网址是否完整、正确。")
        return self.get_response(request)


class ConstraintConflictMiddleware:
    """A database constraint that a service did not foresee (two people doing the same thing at the
    same moment) answers 409 in Chinese: the transaction was rolled back, nothing was saved."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, IntegrityError):
            return None
        logger.warning("约束冲突，已回滚：%s %s：%s", request.method, request.path, exception)
        if answer := api_error(request, 409):
            return answer
        return HttpResponse(loader.render_to_string("409.html"), status=409)
