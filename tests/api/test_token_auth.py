"""Requests with a token: `Authorization: Bearer`, what each kind of token is, scopes, last-used
time, and the quotas per token, person and address answered 429 with `Retry-After` and `RateLimit-*`."""

import os
from datetime import timedelta

import pytest
from django.urls import path, reverse
from django.utils import timezone
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api import tokens
from api.models import IntegrationAccount, Scope, Token
from api.permissions import HasScope
from catalog.actors import SYSTEM
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

COUNTIES = "/api/v1/counties/"


def bearer(secret: str) -> dict:
    return {"authorization": f"Bearer {secret}"}


class WhoAmI(APIView):
    """Answers who the request is; each URL below guards it with one permission."""

    def get(self, request):
        return Response({"user": str(request.user), "authenticated": request.user.is_authenticated})


urlpatterns = [
    path("staff/", WhoAmI.as_view(permission_classes=[HasScope(Scope.STAFF)])),
    path("dispatch/", WhoAmI.as_view(permission_classes=[HasScope("dispatch")])),
    path("signed-in/", WhoAmI.as_view(permission_classes=[IsAuthenticated])),
]


@pytest.fixture
def person(db):
    return make_user("zhang")


@pytest.fixture
def hotline(county):
    return tokens.create_account(
        by=SYSTEM, county=county, name="12345 热线", kind=IntegrationAccount.Kind.HOTLINE, scopes=["dispatch"]
    )


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Bearer qd_nothing-like-this", "令牌无效：找不到该令牌，请检查是否完整复制。"),
        ("Bearer not-even-ours", "令牌无效：找不到该令牌，请检查是否完整复制。"),
        ("Bearer", "Authorization 头的格式应为“Bearer 令牌”，令牌中不含空格。"),
        ("Bearer qd_a qd_b", "Authorization 头的格式应为“Bearer 令牌”，令牌中不含空格。"),
    ],
)
def test_a_wrong_token_answers_401_in_the_error_shape(client, header, message):
    response = client.get(COUNTIES, headers={"authorization": header})
    assert response.status_code == 401 and response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json() == {"code": "authentication_failed", "message": message, "field": ""}


def test_public_reading_needs_no_token_and_another_scheme_is_not_ours(client):
    assert client.get(COUNTIES).status_code == 200
    assert client.get(COUNTIES, headers={"authorization": "Basic eDp5"}).status_code == 200


def test_last_use_is_recorded_at_most_once_a_minute(client, person):
    token, secret = tokens.create_token(by=person, name="同步")
    assert token.last_used_at is None

    client.get(COUNTIES, headers=bearer(secret))
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None and timezone.now() - first < timedelta(seconds=5)

    client.get(COUNTIES, headers=bearer(secret))
    token.refresh_from_db()
    assert token.last_used_at == first  # within the minute: no write

    Token.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    client.get(COUNTIES, headers=bearer(secret))
    token.refresh_from_db()
    assert token.last_used_at > first - timedelta(seconds=1)


@pytest.mark.urls("tests.api.test_token_auth")
def test_a_staff_token_is_its_person_and_a_reading_token_is_nobody(client, person):
    _, staff = tokens.create_token(by=person, name="工作", scopes=[Scope.STAFF])
    _, reading = tokens.create_token(by=person, name="只读")

    as_staff = client.get("/staff/", headers=bearer(staff))
    refused = client.get("/staff/", headers=bearer(reading))
    not_a_person = client.get("/signed-in/", headers=bearer(reading))

    assert as_staff.json() == {"user": "zhang", "authenticated": True}
    assert refused.status_code == 403 and refused.json()["message"] == (
        "该令牌没有“以本人身份读写（工作人员）”（staff）权限范围。"
    )
    assert not_a_person.status_code == 403


@pytest.mark.urls("tests.api.test_token_auth")
def test_an_account_token_has_its_accounts_scopes_and_is_no_person(client, hotline):
    _, secret = tokens.create_token(by=SYSTEM, name="派单系统", account=hotline)

    dispatch = client.get("/dispatch/", headers=bearer(secret))

    assert dispatch.json() == {"user": "示范县·12345 热线", "authenticated": False}
    assert client.get("/staff/", headers=bearer(secret)).status_code == 403
    assert client.get("/signed-in/", headers=bearer(secret)).status_code == 403
    hotline.scopes = []
    hotline.save()
    assert client.get("/dispatch/", headers=bearer(secret)).status_code == 403  # read as it stands


@pytest.mark.urls("tests.api.test_token_auth")
def test_without_a_token_a_scope_asks_for_one_and_a_session_is_staff(client, person):
    anonymous = client.get("/staff/")
    assert anonymous.status_code == 401 and anonymous.json() == {
        "code": "not_authenticated",
        "message": "需要先登录，或在 Authorization 头中提供令牌（Bearer 令牌）。",
        "field": "",
    }
    client.force_login(person)
    assert client.get("/staff/").json()["user"] == "zhang"
    assert client.get("/dispatch/").status_code == 403  # an integration scope is no person's


def test_a_token_of_a_person_no_longer_active_is_refused(client, person):
    _, secret = tokens.create_token(by=person, name="同步", scopes=[Scope.STAFF])
    person.is_active = False
    person.save()
    response = client.get(COUNTIES, headers=bearer(secret))
    assert response.status_code == 401 and response.json()["message"] == "令牌持有人的账号已停用。"


# Quotas.


@pytest.fixture
def small_quotas(settings):
    settings.API_QUOTA_ANONYMOUS = 2
    settings.API_QUOTA_TOKEN = 4


def quota(response) -> tuple:
    return tuple(response[name] for name in ("RateLimit-Limit", "RateLimit-Remaining"))


def test_an_address_without_a_token_gets_429_with_retry_after_once_its_quota_is_spent(client, small_quotas):
    first, second, third = (client.get(COUNTIES) for _ in range(3))

    assert (quota(first), quota(second), quota(third)) == (("2", "1"), ("2", "0"), ("2", "0"))
    assert 1 <= int(first["RateLimit-Reset"]) <= 60 and first["RateLimit-Policy"] == "2;w=60"
    body = third.json()
    assert third.status_code == 429 and body["code"] == "throttled"
    assert body["message"] == f"请求过于频繁，请 {third['Retry-After']} 秒后再试。"
    assert 1 <= int(third["Retry-After"]) <= 60 and third["Retry-After"] == third["RateLimit-Reset"]
    # Another address counts on its own.
    assert client.get(COUNTIES, REMOTE_ADDR="198.51.100.7").status_code == 200


def test_a_token_raises_the_quota_and_counts_on_its_own(client, person, small_quotas):
    _, one = tokens.create_token(by=person, name="一")
    _, two = tokens.create_token(by=person, name="二")
    client.get(COUNTIES)
    client.get(COUNTIES)  # the address has spent its own quota

    answers = [client.get(COUNTIES, headers=bearer(one)) for _ in range(5)]

    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429]
    assert quota(answers[0]) == ("4", "3")
    assert quota(client.get(COUNTIES, headers=bearer(two))) == ("4", "3")
    assert client.get(COUNTIES).status_code == 429


def test_wrong_tokens_count_against_the_address(client, person, small_quotas):
    answers = [client.get(COUNTIES, headers=bearer(f"qd_guess{n}")) for n in range(3)]

    assert [a.status_code for a in answers] == [401, 401, 429]
    assert quota(answers[0]) == ("2", "1") and answers[2]["Retry-After"] == answers[2]["RateLimit-Reset"]
    _, secret = tokens.create_token(by=person, name="同步")
    assert client.get(COUNTIES, headers=bearer(secret)).status_code == 200  # a real token counts on its own


def test_a_cached_answer_carries_the_quota_too(client, small_quotas, county):
    first = client.get(COUNTIES)
    again = client.get(COUNTIES, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304 and quota(again) == ("2", "0")


REDIS_URL = f"redis://127.0.0.1:6379/{os.environ.get('API_TEST_REDIS_DB', '4')}"


def test_quotas_are_counted_in_redis_when_the_cache_is_redis(client, settings, small_quotas):
    """As in production: every worker reads and increments the same count (a database of its own,
    emptied before and after)."""
    import redis

    server = redis.Redis.from_url(REDIS_URL)
    server.flushdb()
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    try:
        statuses = [client.get(COUNTIES).status_code for _ in range(3)]
        keys = [key.decode() for key in server.keys("*api-quota:address:*")]
        assert statuses == [200, 200, 429] and len(keys) == 1 and server.get(keys[0]) == b"3"
    finally:
        server.flushdb()


def test_the_schema_describes_the_bearer_token(client):
    schema = client.get(reverse("api:schema"), headers={"accept": "application/vnd.oai.openapi+json"}).json()
    assert schema["components"]["securitySchemes"]["token"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["token"]["description"],
    }
    assert {"token": []} in schema["paths"]["/api/v1/counties/"]["get"]["security"]
