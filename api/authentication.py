"""`Authorization: Bearer <token>`: who a request with a token is.

A personal token with the staff scope is its person (so every permission function applies as for
their pages); any other token — an integration account's, or a personal token for reading only — is
an `ApiClient`, which no permission function takes for a person: it is not authenticated as a user,
has no memberships and only the token's scopes (`api.permissions.HasScope`). A request without the
header is left to the next authentication class (the session); a wrong, revoked or stopped token is
answered 401, never read as anonymous.
"""

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from .models import Scope, Token
from .quotas import address_of, count
from .tokens import note_use, token_for


class ApiClient(AnonymousUser):
    """A system calling with a token: whatever asks for a person sees an anonymous visitor."""

    def __init__(self, token: Token):
        self.token = token
        self.account = token.account

    def __str__(self) -> str:
        return str(self.account or self.token)


class BearerTokenAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Authorization 头的格式应为“Bearer 令牌”，令牌中不含空格。")
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("令牌只含字母、数字、“-”和“_”。") from None
        token = token_for(secret)
        if problem := problem_with(token):
            # Counted against the address like a request without a token: guessing is bounded too.
            usage = count(request, *address_of(request))
            if usage.spent:
                raise exceptions.Throttled(wait=usage.reset)
            raise exceptions.AuthenticationFailed(problem)
        note_use(token)
        if token.user_id and Scope.STAFF in token.scope_set:
            return token.user, token
        return ApiClient(token), token

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'


def problem_with(token: Token | None) -> str:
    """Why a presented token does not authenticate; empty when it does."""
    if token is None:
        return "令牌无效：找不到该令牌，请检查是否完整复制。"
    if token.revoked_at is not None:
        return "令牌已吊销，请使用新的令牌。"
    if token.account_id and not token.account.is_active:
        return f"集成账号“{token.account.name}”已停用，其令牌不再有效。"
    if token.user_id and not token.user.is_active:
        return "令牌持有人的账号已停用。"
    return ""


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """The token in the OpenAPI description, as an HTTP bearer scheme."""

    target_class = BearerTokenAuthentication
    name = "token"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "在“我的 API 令牌”页面创建的令牌（集成账号的令牌由县委编办在后台创建）："
            "Authorization: Bearer qd_…。公开读取不需要令牌，带令牌的请求配额更高。",
        }
