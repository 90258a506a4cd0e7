"""Every error the API answers, in one shape: `{"code", "message", "field"}`, the message in Chinese.

A service's refusal is read by `catalog.refusals.refusal_of`, which gives its status as a page would
answer it (400 / 403 / 404 / 409 / 412). Django REST framework's own errors — a body it cannot parse,
a filter value it refuses, an address or method it does not serve, a quota spent — keep their status
and take a Chinese message from the table below (or, for a refused value, the form field's own
Chinese message). Anything else is a fault of ours and is left to Django's 500 handler.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.refusals import Refused, refusal_of

# DRF's own refusals, by their code, in Chinese; `{method}` and `{wait}` are filled in.
MESSAGES = {
    "parse_error": "请求内容不是有效的 JSON。",
    "authentication_failed": "身份验证失败。",
    "not_authenticated": "需要先登录，或在 Authorization 头中提供令牌（Bearer 令牌）。",
    "permission_denied": "您无权进行此操作。",
    "not_found": "找不到该记录。",
    "method_not_allowed": "该地址不接受 {method} 请求。",
    "not_acceptable": "无法按所要求的格式（Accept）回答，本接口只提供 JSON。",
    "unsupported_media_type": "不支持该请求内容类型，请发送 JSON（Content-Type: application/json）。",
    "throttled": "请求过于频繁，请 {wait} 秒后再试。",
}
INVALID = "请求参数有误。"


def body(code: str, message: str, field: str = "") -> dict:
    return {"code": code, "message": message, "field": field}


def exception_handler(error: Exception, context: dict) -> Response | None:
    """DRF's EXCEPTION_HANDLER: the error as one JSON body with its status, or None (a 500)."""
    if isinstance(error, Refused | DjangoValidationError | DjangoPermissionDenied | Http404):
        refusal = refusal_of(error)
        return Response(body(refusal.code, refusal.message, refusal.field), status=refusal.status)
    if not isinstance(error, exceptions.APIException):
        return None
    headers = {}
    if isinstance(error, exceptions.ValidationError):
        code, message, field = first_problem(error.detail)
    else:
        code = error.default_code
        wait = getattr(error, "wait", None)
        # A message of our own (naming what is missing, or why not) is kept; DRF's are replaced.
        specific = code in ("not_found", "permission_denied", "authentication_failed") and str(
            error.detail
        ) != str(error.default_detail)
        message = str(error.detail) if specific else MESSAGES.get(code, str(error.detail))
        message = message.format(
            method=context["request"].method if context.get("request") else "",
            wait=int(wait) if wait is not None else 1,
        )
        field = ""
        if wait is not None:
            headers["Retry-After"] = str(int(wait))
    if getattr(error, "auth_header", None):
        headers["WWW-Authenticate"] = error.auth_header
    return Response(body(code, message, field), status=error.status_code, headers=headers)


def first_problem(detail, field: str = "") -> tuple[str, str, str]:
    """The first message of a validation error's detail (a dict by field, a list, or one message)."""
    if isinstance(detail, dict):
        if not detail:
            return "invalid", INVALID, field
        name, inner = next(iter(detail.items()))
        return first_problem(inner, field if name == "non_field_errors" else name)
    if isinstance(detail, list):
        return first_problem(detail[0], field) if detail else ("invalid", INVALID, field)
    return getattr(detail, "code", None) or "invalid", str(detail), field


class NotFoundView(APIView):
    """Any other address under /api/: 404 in the API's shape, whatever the method."""

    authentication_classes = []
    permission_classes = []
    schema = None

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise exceptions.NotFound()

    options = http_method_not_allowed
