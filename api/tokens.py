"""Tokens and integration accounts: every write to them, from the token page, the back office and tests.

A secret is made here, returned once to the caller that shows it, and only its SHA-256 is kept: the
secret is 256 random bits, so a fast hash cannot be searched back (a slow password hash would only
slow every API request). `token_for` finds a token by the hash of what a request presents.
"""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from catalog.actors import checked, permits, recorded_user
from catalog.models import County
from catalog.permissions import can_manage_county
from catalog.refusals import Conflict, Forbidden, Invalid

from .models import ACCOUNT_SCOPES, PERSONAL_SCOPES, IntegrationAccount, Scope, Token
from .permissions import can_manage_account, can_revoke_token

# Every token starts so, which tells a leaked one apart in logs and secret scanners.
TOKEN_START = "qd_"
# Characters of the token kept to recognise it by (the start and 8 random characters: 48 bits).
PREFIX_LENGTH = len(TOKEN_START) + 8
# Active tokens one holder may have: enough for every system a person or a partner runs.
MAX_ACTIVE_TOKENS = 20
MAX_NAME = 100
# `last_used_at` is written at most this often per token, so reading costs no write per request.
LAST_USED_PRECISION = timedelta(minutes=1)


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def checked_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise Invalid("请填写令牌的用途，例如“区县数据同步”。", code="required", field="name")
    if len(name) > MAX_NAME:
        raise Invalid(f"用途最多 {MAX_NAME} 个字，现有 {len(name)} 个。", code="too_long", field="name")
    return name


def checked_scopes(scopes, allowed: tuple[Scope, ...], holder: str) -> list[str]:
    """The chosen scopes in their declared order, public reading always among them."""
    wrong = [str(scope) for scope in scopes if scope not in allowed]
    if wrong:
        names = "、".join(Scope(scope).label if scope in Scope.values else scope for scope in wrong)
        raise Invalid(f"{holder}不能有以下权限范围：{names}。", code="invalid_scope", field="scopes")
    return [scope.value for scope in allowed if scope == Scope.PUBLIC or scope in scopes]


@transaction.atomic
def create_token(*, by, name: str, scopes=(), account: IntegrationAccount | None = None) -> tuple[Token, str]:
    """A new token for `by` (or, from a county editor, for `account`) and its secret, shown only now."""
    checked(by)
    if account is None:
        if not by.is_authenticated:
            raise Forbidden("请先登录再创建令牌。", code="cannot_create_token")
        holder = {"user": by}
        scopes = checked_scopes(scopes, PERSONAL_SCOPES, "个人令牌")
    else:
        account = IntegrationAccount.objects.select_for_update().get(pk=account.pk)
        if not permits(by, can_manage_account, account):
            raise Forbidden(f"您无权为集成账号“{account}”创建令牌。", code="cannot_manage_account")
        holder = {"account": account}
        scopes = []  # an account's tokens take the account's scopes as they stand
    name = checked_name(name)
    if Token.objects.active().filter(**holder).count() >= MAX_ACTIVE_TOKENS:
        raise Conflict(
            f"有效令牌已有 {MAX_ACTIVE_TOKENS} 个，请先吊销不再使用的令牌。", code="too_many_tokens"
        )
    secret = TOKEN_START + secrets.token_urlsafe(32)
    token = Token.objects.create(
        **holder,
        name=name,
        scopes=scopes,
        prefix=secret[:PREFIX_LENGTH],
        digest=digest_of(secret),
        created_by=recorded_user(by),
    )
    return token, secret


@transaction.atomic
def revoke_token(token: Token, *, by) -> Token:
    """Revoked at once and for good; revoking a revoked token changes nothing."""
    token = Token.objects.select_for_update(of=("self",)).select_related("account").get(pk=token.pk)
    if not permits(by, can_revoke_token, token):
        raise Forbidden("您无权吊销该令牌。", code="cannot_revoke_token")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = recorded_user(by)
        token.save(update_fields=["revoked_at", "revoked_by"])
    return token


def checked_account(county: County, name: str, kind: str, scopes, *, exclude: int | None = None) -> dict:
    name = (name or "").strip()
    if not name:
        raise Invalid("请填写集成账号的名称，例如“12345 热线”。", code="required", field="name")
    if len(name) > MAX_NAME:
        raise Invalid(f"名称最多 {MAX_NAME} 个字，现有 {len(name)} 个。", code="too_long", field="name")
    if kind not in IntegrationAccount.Kind.values:
        raise Invalid(f"集成账号类型“{kind}”不存在。", code="invalid", field="kind")
    if IntegrationAccount.objects.filter(county=county, name=name).exclude(pk=exclude).exists():
        raise Invalid(f"{county.name}已有名为“{name}”的集成账号。", code="duplicate_name", field="name")
    scopes = checked_scopes(scopes, ACCOUNT_SCOPES, "集成账号")
    return {"name": name, "kind": kind, "scopes": [s for s in scopes if s != Scope.PUBLIC]}


@transaction.atomic
def create_account(
    *, by, county: County, name: str, kind: str = IntegrationAccount.Kind.OTHER, scopes=(), contact: str = ""
) -> IntegrationAccount:
    if not permits(by, can_manage_county, county):
        raise Forbidden(f"您无权为{county.name}创建集成账号。", code="cannot_manage_account")
    values = checked_account(county, name, kind, scopes)
    return IntegrationAccount.objects.create(
        county=county, contact=contact.strip()[:200], created_by=recorded_user(by), **values
    )


@transaction.atomic
def update_account(
    account: IntegrationAccount, *, by, name: str, kind: str, scopes, contact: str, is_active: bool
) -> IntegrationAccount:
    """Its county stays; stopping it stops every one of its tokens at once."""
    account = (
        IntegrationAccount.objects.select_for_update(of=("self",)).select_related("county").get(pk=account.pk)
    )
    if not permits(by, can_manage_account, account):
        raise Forbidden(f"您无权修改集成账号“{account}”。", code="cannot_manage_account")
    values = checked_account(account.county, name, kind, scopes, exclude=account.pk)
    for field, value in (values | {"contact": contact.strip()[:200], "is_active": is_active}).items():
        setattr(account, field, value)
    account.save()
    return account


def token_for(secret: str) -> Token | None:
    """The token a request presents, with its holder, whatever its state; None when there is none."""
    if not secret.startswith(TOKEN_START) or len(secret) > 100:
        return None
    return Token.objects.select_related("user", "account").filter(digest=digest_of(secret)).first()


def note_use(token: Token) -> None:
    """Records when the token was last used, at most once a minute (a write on each request would make
    every read a write)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        Token.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
