"""Every error a visitor can cause is answered in Chinese, with nothing of the code behind it."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from catalog.models import DutyList

pytestmark = pytest.mark.django_db

ENGLISH = [
    "Server Error",
    "Traceback",
    "Resolver404",
    "Not Found",
    "Bad Request",
    "Forbidden",
    "matches the given",
]


def assert_chinese_page(response, status: int, *phrases: str) -> str:
    body = response.content.decode()
    assert response.status_code == status
    for phrase in phrases:
        assert phrase in body
    for word in ENGLISH:
        assert word not in body
    return body


@pytest.fixture
def failing_site(settings):
    settings.ROOT_URLCONF = "tests.config.urls"
    return Client(raise_request_exception=False)


def test_an_unknown_address_answers_in_chinese_without_the_resolver(client):
    assert_chinese_page(client.get("/no/such/page/"), 404, "找不到页面", "您要找的页面不存在")


def test_a_missing_record_hides_djangos_english_message(client, county):
    # get_object_or_404 says "No County matches the given query." in English.
    response = client.get(reverse("publication:statistics", args=["000000"]))
    assert_chinese_page(response, 404, "找不到页面")


def test_a_chinese_not_found_message_is_shown(client, township):
    response = client.get(reverse("publication:township", args=[township.code]))
    assert_chinese_page(response, 404, "该乡镇（街道）还没有公布的清单。")


def test_a_bug_answers_500_in_chinese_without_a_trace(failing_site):
    response = failing_site.get("/test-errors/broken/")
    body = assert_chinese_page(response, 500, "系统出错", "请稍后再试")
    assert "a bug in the code" not in body and "RuntimeError" not in body


@pytest.mark.django_db(transaction=True)
def test_a_constraint_race_answers_409_in_chinese_and_saves_nothing(failing_site):
    from catalog.models import County

    response = failing_site.get("/test-errors/race/")

    assert_chinese_page(response, 409, "操作未保存", "没有保存")
    assert not County.objects.filter(code="999999").exists()


def test_the_500_page_needs_neither_the_database_nor_the_request(django_assert_num_queries):
    from config.errors import server_error

    with django_assert_num_queries(0):
        response = server_error(None)
    assert_chinese_page(response, 500, "系统出错")


def test_a_refusal_hides_an_english_reason(failing_site):
    response = failing_site.get("/test-errors/forbidden/")
    body = assert_chinese_page(response, 403, "无权操作", "您没有进行这项操作的权限")
    assert "Internal reason" not in body


def test_a_form_with_a_stale_csrf_token_explains_what_to_do(cast):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cast["township_official"])
    response = browser.post(reverse("catalog:list_start"), {"township": cast["township_official"].pk})
    assert_chinese_page(response, 403, "表单已失效", "刷新页面", "Cookie")
    assert DutyList.objects.count() == 1


@pytest.mark.parametrize(
    "url",
    [
        "/lists/%00/",
        "/search/?q=%00",
        "/search/?q=%E6%B0%91%00",
        "/search/?%00=1",
        "/counties/%00/statistics/",
    ],
)
def test_a_nul_byte_in_a_public_address_answers_400_in_chinese(client, url):
    assert_chinese_page(client.get(url), 400, "请求有误", "空字符")


def test_a_nul_byte_in_a_workbench_address_answers_400(client, cast, duty_list):
    client.force_login(cast["township_official"])
    url = reverse("catalog:list_editor", args=[duty_list.pk]) + "?x=%00"
    assert_chinese_page(client.get(url), 400, "空字符")


@pytest.mark.parametrize(
    "query",
    ["q=%00", "township__id__exact=%00", "part__exact=%00", "o=%00", "p=%00", "_changelist_filters=%00"],
)
def test_a_nul_byte_in_a_back_office_filter_answers_400(admin_client, query):
    response = admin_client.get(f"{reverse('admin:catalog_dutyitem_changelist')}?{query}")
    assert_chinese_page(response, 400, "空字符")


def test_a_nul_byte_in_a_form_field_is_refused_by_the_form(client, cast):
    user = cast["township_official"]
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": "pw", "new_password1": "a\x00b", "new_password2": "a\x00b"},
    )
    assert response.status_code == 200 and "空字符" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password("pw")


def test_password_change_explains_a_weak_password_in_chinese(client, cast):
    user = cast["township_official"]
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": "pw", "new_password1": "12345678", "new_password2": "12345678"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "这个密码太常见了" in body and "密码只包含数字" in body
    assert "too common" not in body and "entirely numeric" not in body
    user.refresh_from_db()
    assert user.check_password("pw")


def test_the_back_office_user_form_explains_a_weak_password_in_chinese(admin_client):
    response = admin_client.post(
        reverse("admin:auth_user_add"),
        {"username": "new-clerk", "password1": "abc", "password2": "abc", "usable_password": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "密码长度太短" in body and "too short" not in body
    assert "错误：" in body and "Error:" not in body and "After you" not in body
    assert not get_user_model().objects.filter(username="new-clerk").exists()
