"""How drf-spectacular describes the API's operations: each with its own answer, and the error answers
every operation may give, in the one error shape of api/errors.py — so a consumer (and Schemathesis)
can check those bodies against the description as well."""

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers
from rest_framework.permissions import AllowAny


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="错误代码，如 not_found、invalid_choice、stale_version")
    message = serializers.CharField(help_text="中文说明")
    field = serializers.CharField(allow_blank=True, help_text="出错的参数或字段；没有时为空")


# Statuses every operation may answer, beside its own: a bad parameter, a wrong or revoked token,
# nothing there, an Accept header asking for something other than JSON, a spent quota.
ERRORS = {
    "400": "参数有误（field 指出哪个参数）",
    "401": "令牌无效、已撤销或已停用；或需要令牌而未提供",
    "404": "找不到该记录",
    "406": "无法按 Accept 要求的格式回答（本接口只提供 JSON）",
    "429": "超出配额：Retry-After 秒后再试",
}
# Further statuses of operations that need a person or a scope (refused: 403), and of those that
# write through a service (its refusals: wrong stage 409, unmet precondition or stale version 412, a
# file too large 413).
GUARDED_ERRORS = {"403": "无权进行此操作（code 与 message 说明原因）"}
WRITE_ERRORS = {
    "409": "当前阶段或状态不允许此操作",
    "412": "前提条件不满足，或版本已过期（If-Match 与当前版本不符）",
    "413": "上传的文件过大",
}


class Schema(AutoSchema):
    def get_description(self) -> str:
        # Views' docstrings are written for developers; operations are described in `extend_schema`.
        return ""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = dict(ERRORS)
        if not all(permission is AllowAny for permission in self.view.permission_classes):
            errors |= GUARDED_ERRORS
        if self.method not in ("GET", "HEAD"):
            errors |= GUARDED_ERRORS | WRITE_ERRORS
        for status, description in errors.items():
            if status not in responses:
                error = self._get_response_for_code(ErrorSerializer, status, direction=direction)
                responses[status] = {**error, "description": description}
        return responses
