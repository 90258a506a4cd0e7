"""Tokens and integration accounts: a person's own tokens on “我的 API 令牌”, an account's in the back
office; the secret shown once and kept only as its SHA-256; revoking; who may do which."""

import hashlib

import pytest
from django.urls import reverse

from api import tokens
from api.models import IntegrationAccount, Scope, Token
from catalog.actors import SYSTEM
from catalog.refusals import refusal_of
from tests.conftest import make_county, make_user

pytestmark = pytest.mark.django_db

TOKENS = reverse("tokens:list")


def bearer(secret: str) -> dict:
    return {"authorization": f"Bearer {secret}"}


@pytest.fixture
def person(db):
    return make_user("zhang")


@pytest.fixture
def hotline(county):
    return tokens.create_account(
        by=SYSTEM, county=county, name="12345 热线", kind=IntegrationAccount.Kind.HOTLINE, scopes=["dispatch"]
    )


def test_only_the_hash_of_a_token_is_stored(person):
    token, secret = tokens.create_token(by=person, name="数据同步", scopes=[Scope.STAFF])

    stored = Token.objects.filter(pk=token.pk).values().get()
    assert secret.startswith("qd_") and len(secret) > 40
    assert all(secret not in str(value) for value in stored.values())
    assert stored["digest"] == hashlib.sha256(secret.encode()).hexdigest()
    assert stored["prefix"] == secret[:11] and stored["scopes"] == ["public", "staff"]
    assert tokens.token_for(secret) == token and tokens.token_for(secret + "x") is None


def test_the_page_shows_a_new_secret_once_and_never_again(client, person):
    client.force_login(person)
    created = client.post(TOKENS, {"name": "区县数据同步", "scopes": ["staff"]})

    token = Token.objects.get(user=person)
    secret = created.context["secret"]
    assert created.status_code == 200 and "no-store" in created["Cache-Control"]
    assert secret in created.content.decode() and tokens.digest_of(secret) == token.digest
    assert (token.name, token.scopes, token.created_by) == ("区县数据同步", ["public", "staff"], person)
    listed = client.get(TOKENS).content.decode()
    assert secret not in listed and f"{token.prefix}…" in listed and "区县数据同步" in listed


def test_a_token_without_a_purpose_is_refused_and_nothing_is_created(client, person):
    client.force_login(person)
    response = client.post(TOKENS, {"name": "  ", "scopes": ["staff"]})
    assert response.status_code == 400 and "请填写令牌的用途" in response.content.decode()
    assert not Token.objects.exists()


@pytest.mark.parametrize(
    ("scopes", "account", "code", "field", "text"),
    [
        (["dispatch"], False, "invalid_scope", "scopes", "个人令牌不能有以下权限范围：12345 派单"),
        (["admin"], False, "invalid_scope", "scopes", "admin"),
        (["staff"], True, "invalid_scope", "scopes", "集成账号不能有以下权限范围：以本人身份读写"),
    ],
)
def test_a_holder_cannot_have_scopes_not_declared_for_it(person, county, scopes, account, code, field, text):
    with pytest.raises(Exception) as refused:
        if account:
            tokens.create_account(by=SYSTEM, county=county, name="省级平台", scopes=scopes)
        else:
            tokens.create_token(by=person, name="同步", scopes=scopes)
    refusal = refusal_of(refused.value)
    assert (refusal.status, refusal.code, refusal.field) == (400, code, field) and text in refusal.message
    assert not Token.objects.exists() and not IntegrationAccount.objects.exists()


def test_active_tokens_of_one_holder_are_bounded(person, settings):
    for n in range(tokens.MAX_ACTIVE_TOKENS):
        tokens.create_token(by=person, name=f"脚本{n}")
    with pytest.raises(Exception) as refused:
        tokens.create_token(by=person, name="再一个")
    assert (refusal_of(refused.value).status, refusal_of(refused.value).code) == (409, "too_many_tokens")
    tokens.revoke_token(Token.objects.first(), by=person)
    assert tokens.create_token(by=person, name="再一个")[0].name == "再一个"


def test_a_person_revokes_their_own_token_and_it_stops_working(client, person, county):
    token, secret = tokens.create_token(by=person, name="同步")
    assert client.get(reverse("api:counties"), headers=bearer(secret)).status_code == 200
    client.force_login(person)

    response = client.post(reverse("tokens:revoke", args=[token.pk]))

    token.refresh_from_db()
    assert response.status_code == 302 and token.revoked_at is not None and token.revoked_by == person
    client.logout()
    refused = client.get(reverse("api:counties"), headers=bearer(secret))
    assert refused.status_code == 401 and refused.json()["message"] == "令牌已吊销，请使用新的令牌。"
    client.force_login(person)
    assert "吊销" in client.get(TOKENS).content.decode()


def test_another_persons_token_cannot_be_revoked(client, person):
    token, _ = tokens.create_token(by=person, name="同步")
    client.force_login(make_user("li"))

    response = client.post(reverse("tokens:revoke", args=[token.pk]))

    token.refresh_from_db()
    assert response.status_code == 404 and token.revoked_at is None
    with pytest.raises(Exception) as refused:
        tokens.revoke_token(token, by=make_user("wang"))
    assert refusal_of(refused.value).code == "cannot_revoke_token"


def test_the_token_page_needs_a_signed_in_person(client):
    response = client.get(TOKENS)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_token_page_lists_only_ones_own_tokens_in_constant_queries(
    client, person, django_assert_num_queries
):
    tokens.create_token(by=make_user("li"), name="别人的令牌")
    for n in range(5):
        tokens.create_token(by=person, name=f"我的令牌{n}")
    client.force_login(person)
    with django_assert_num_queries(3):  # session, user, tokens
        page = client.get(TOKENS).content.decode()
    assert page.count("我的令牌") == 5 and "别人的令牌" not in page


# Integration accounts, in the back office.


@pytest.fixture
def editor(county):
    return make_user("county-editor", "county_editor", county=county)


def test_a_county_editor_creates_an_account_in_the_back_office(client, editor, county):
    client.force_login(editor)
    response = client.post(
        reverse("admin:api_integrationaccount_add"),
        {
            "county": county.pk,
            "name": "12345 热线",
            "kind": "hotline",
            "scopes": ["dispatch"],
            "is_active": "on",
        },
    )
    account = IntegrationAccount.objects.get()
    assert response.status_code == 302
    assert (account.county, account.scopes, account.created_by) == (county, ["dispatch"], editor)
    assert account.history.count() == 1


def test_an_account_name_is_unique_in_its_county_on_the_form(client, editor, county, hotline):
    client.force_login(editor)
    response = client.post(
        reverse("admin:api_integrationaccount_add"),
        {"county": county.pk, "name": "12345 热线", "kind": "hotline", "is_active": "on"},
    )
    assert response.status_code == 200 and "已有名为“12345 热线”的集成账号" in response.content.decode()
    assert IntegrationAccount.objects.count() == 1


def test_another_countys_editor_cannot_create_or_see_an_account(client, hotline):
    other = make_user("other-editor", "county_editor", county=make_county("别县", "889011"))
    with pytest.raises(Exception) as refused:
        tokens.create_account(by=other, county=hotline.county, name="省级平台")
    assert refusal_of(refused.value).code == "cannot_manage_account"
    with pytest.raises(Exception) as refused:
        tokens.create_token(by=other, name="偷用", account=hotline)
    assert refusal_of(refused.value).code == "cannot_manage_account"
    client.force_login(other)
    page = client.get(reverse("admin:api_integrationaccount_new_token", args=[hotline.pk]))
    assert page.status_code == 404 and not hotline.tokens.exists()


def test_an_editor_issues_an_account_token_shown_once_and_revokes_it(client, editor, hotline):
    client.force_login(editor)
    issued = client.post(
        reverse("admin:api_integrationaccount_new_token", args=[hotline.pk]), {"name": "派单系统"}
    )

    token = hotline.tokens.get()
    secret = issued.context["secret"]
    assert (
        issued.status_code == 200
        and secret in issued.content.decode()
        and "no-store" in issued["Cache-Control"]
    )
    assert (token.user, token.created_by, token.scope_set) == (None, editor, {"public", "dispatch"})
    change = client.get(reverse("admin:api_integrationaccount_change", args=[hotline.pk])).content.decode()
    assert secret not in change and token.prefix in change

    client.post(reverse("admin:api_integrationaccount_revoke_token", args=[hotline.pk, token.pk]))

    token.refresh_from_db()
    assert token.revoked_by == editor
    assert client.get(reverse("api:counties"), headers=bearer(secret)).status_code == 401


def test_stopping_an_account_stops_its_tokens(client, editor, hotline):
    _, secret = tokens.create_token(by=editor, name="派单系统", account=hotline)
    tokens.update_account(
        hotline,
        by=editor,
        name=hotline.name,
        kind=hotline.kind,
        scopes=hotline.scopes,
        contact="",
        is_active=False,
    )
    response = client.get(reverse("api:counties"), headers=bearer(secret))
    assert response.status_code == 401 and "已停用" in response.json()["message"]


def test_the_back_office_changes_an_account_through_the_service(client, editor, hotline):
    _, secret = tokens.create_token(by=editor, name="派单系统", account=hotline)
    client.force_login(editor)
    change = reverse("admin:api_integrationaccount_change", args=[hotline.pk])
    form = {"name": "12345 政务服务热线", "kind": "hotline", "contact": "李工 0571-12345"}
    management = {"tokens-TOTAL_FORMS": 1, "tokens-INITIAL_FORMS": 1, "tokens-MAX_NUM_FORMS": 0}

    response = client.post(change, form | management)  # 启用 unticked

    hotline.refresh_from_db()
    assert response.status_code == 302
    assert (hotline.name, hotline.scopes, hotline.is_active) == ("12345 政务服务热线", [], False)
    assert hotline.history.count() == 2
    assert client.get(reverse("api:counties"), headers=bearer(secret)).status_code == 401
