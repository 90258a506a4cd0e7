"""Every error in one JSON shape, {"code", "message", "field"}, with a Chinese message; never a 500 for
bad input."""

import json

import pytest
from django.urls import path, reverse
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.refusals import Conflict, Forbidden, Invalid, PreconditionFailed
from config.errors import server_error

pytestmark = pytest.mark.django_db


def shape(response) -> tuple:
    body = response.json()
    assert set(body) == {"code", "message", "field"}
    return response.status_code, body["code"], body["message"], body["field"]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"part": "nonsense"}, "part", "选择一个有效的选项"),
        ({"is_safeguard": "maybe"}, "is_safeguard", "选择一个有效的选项"),
        ({"county": "12"}, "county", "县级行政区划代码应为 6 位数字。"),
        ({"township": "abc"}, "township", "乡镇（街道）代码应为 9 位数字。"),
        ({"q": "长" * 51}, "q", "50"),
    ],
)
def test_a_bad_filter_value_answers_400_naming_the_parameter(client, query, field, message):
    status, code, text, named = shape(client.get(reverse("api:items"), query))
    assert (status, named) == (400, field) and message in text


def test_a_bad_page_cursor_answers_400_on_the_cursor_field(client):
    status, code, message, field = shape(client.get(reverse("api:items"), {"cursor": "not-a-cursor"}))
    assert (status, code, field) == (400, "invalid_cursor", "cursor") and "游标" in message


@pytest.mark.parametrize("since", ["garbage", "W10", "WzEsWzFdXQ", "Wy0xLFtdXQ", "!!"])
def test_a_bad_since_answers_400_on_the_since_field(client, since):
    status, code, message, field = shape(client.get(reverse("api:changes"), {"since": since}))
    assert (status, code, field) == (400, "invalid_cursor", "since") and "游标" in message


@pytest.mark.parametrize("key", ["00000000-0000-0000-0000-000000000000", "not-a-uuid"])
def test_an_unknown_item_key_answers_404_json(client, key):
    status, code, message, _ = shape(client.get(reverse("api:item", kwargs={"key": key})))
    assert (status, code) == (404, "not_found") and "找不到该事项" in message


def test_an_unknown_address_under_the_api_answers_404_json(client):
    assert shape(client.post("/api/v2/whatever")) == (404, "not_found", "找不到该记录。", "")


def test_a_wrong_method_answers_405_json(client):
    status, code, message, _ = shape(
        client.post(reverse("api:counties"), {}, content_type="application/json")
    )
    assert (status, code, message) == (405, "method_not_allowed", "该地址不接受 POST 请求。")


def test_options_answers_405_json_rather_than_describing_the_view(client):
    assert shape(client.options(reverse("api:counties")))[:2] == (405, "method_not_allowed")


def test_an_unknown_township_answers_404_json(client):
    assert shape(client.get(reverse("api:townships", kwargs={"code": "999999"})))[:2] == (404, "not_found")


# DRF's own refusals and the services' coded ones, through a view that raises them.


class Raising(APIView):
    permission_classes = [AllowAny]
    errors = {
        "throttled": Throttled(wait=12),
        "forbidden": Forbidden("只能修改本乡镇的清单。", code="other_township"),
        "conflict": Conflict("该事项已被他人修改。", code="stale_version", field="version"),
        "precondition": PreconditionFailed(["缺少必须列入的事项：安全生产"]),
        "invalid": Invalid("事项名称不能为空。", field="name"),
    }

    def get(self, request, what):
        raise self.errors[what]

    def post(self, request, what):
        return Response(request.data)


urlpatterns = [path("raise/<str:what>/", Raising.as_view())]


@pytest.mark.urls("tests.api.test_errors")
@pytest.mark.parametrize(
    ("what", "expected"),
    [
        ("throttled", (429, "throttled", "请求过于频繁，请 12 秒后再试。", "")),
        ("forbidden", (403, "other_township", "只能修改本乡镇的清单。", "")),
        ("conflict", (409, "stale_version", "该事项已被他人修改。", "version")),
        ("precondition", (412, "precondition_failed", "缺少必须列入的事项：安全生产", "")),
        ("invalid", (400, "invalid", "事项名称不能为空。", "name")),
    ],
)
def test_refusals_answer_their_status_and_chinese_message(client, what, expected):
    response = client.get(f"/raise/{what}/")
    assert shape(response) == expected
    if what == "throttled":
        assert response["Retry-After"] == "12"


@pytest.mark.urls("tests.api.test_errors")
def test_a_body_that_is_not_json_answers_400(client):
    response = client.post("/raise/x/", "{not json", content_type="application/json")
    assert shape(response) == (400, "parse_error", "请求内容不是有效的 JSON。", "")


@pytest.mark.urls("tests.api.test_errors")
def test_a_body_of_another_type_answers_415(client):
    response = client.post("/raise/x/", "a=1", content_type="application/x-www-form-urlencoded")
    assert shape(response)[:2] == (415, "unsupported_media_type")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/townships/999001001/editions/99999999999999999999/",
        "/api/v1/townships/999001001/editions/99999999999999999999/items/",
        "/api/v1/townships/" + "9" * 300 + "/",
        "/api/v1/items/?page_size=-1",
        "/api/v1/items/?page_size=abc",
        "/api/v1/items/?q=低保%20%26%20!|%3A*%20()",
        "/api/v1/items/?q=%27;--",
        "/api/v1/items/?cursor=cD05OTk5OTk5OTk5OTk5OTk5OTk5OTk5OQ",
        "/api/v1/changes/?since=Wzk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5LFtdXQ",
        "/api/v1/changes/?since=WzEsW1s5OTk5OTk5OTk5OTk5OTk5OTk5OTk5LDBdXV0",
    ],
)
def test_odd_input_never_answers_a_server_error(client, first, url):
    response = client.get(url)
    assert response.status_code < 500
    if response.status_code >= 400:
        shape(response)


def test_a_nul_byte_refused_before_the_views_answers_in_the_apis_shape(client):
    # Found by Schemathesis: the site's middleware refused it with the HTML 400 page.
    response = client.get("/api/v1/counties/", {"cursor": "\x00"})
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert response.json() == {
        "code": "bad_request",
        "message": "网址或查询条件中含有空字符（%00），无法处理。请检查网址是否完整、正确。",
        "field": "",
    }
    page = client.get("/", {"q": "\x00"})
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")


def test_a_fault_of_ours_under_the_api_answers_500_in_the_apis_shape(rf):
    response = server_error(rf.get("/api/v1/counties/"))
    assert response.status_code == 500 and json.loads(response.content)["code"] == "server_error"
    assert server_error(rf.get("/")).content.decode().lstrip().startswith("<")
