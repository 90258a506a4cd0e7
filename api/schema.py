"""How drf-spectacular describes the API's operations: each with its own answer, and the error answers
every operation may give, in the one error shape of api/errors.py — so a consumer (and Schemathesis)
can check those bodies against the description as well."""

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="错误代码，如 not_found、invalid_choice、stale_version")
    message = serializers.CharField(help_text="中文说明")
    field = serializers.CharField(allow_blank=True, help_text="出错的参数或字段；没有时为空")


# Statuses every operation may answer, beside its own: a bad parameter, nothing there, an Accept
# header asking for something other than JSON.
ERRORS = {
    "400": "参数有误（field 指出哪个参数）",
    "404": "找不到该记录",
    "406": "无法按 Accept 要求的格式回答（本接口只提供 JSON）",
}


class Schema(AutoSchema):
    def get_description(self) -> str:
        # Views' docstrings are written for developers; operations are described in `extend_schema`.
        return ""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status, description in ERRORS.items():
            if status not in responses:
                error = self._get_response_for_code(ErrorSerializer, status, direction=direction)
                responses[status] = {**error, "description": description}
        return responses
