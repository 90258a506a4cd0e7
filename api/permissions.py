"""Who may manage which tokens and accounts, and what a request's token allows: every rule once, here.

- Anyone signed in keeps their own tokens: creates them and revokes them.
- A county editor keeps the integration accounts of their county and the accounts' tokens.
- An API view that needs more than public reading names the scope: `permission_classes =
  [HasScope(Scope.STAFF)]`. A token must carry the scope; a signed-in session has the scopes a
  person's token can have (`SESSION_SCOPES`), no integration scope.
"""

from rest_framework.permissions import BasePermission

from catalog.actors import IntegrationActor
from catalog.permissions import can_manage_county

from .models import SESSION_SCOPES, IntegrationAccount, Scope, Token


def can_manage_account(user, account: IntegrationAccount) -> bool:
    return user.is_authenticated and can_manage_county(user, account.county_id)


def can_revoke_token(user, token: Token) -> bool:
    if not user.is_authenticated:
        return False
    if token.account_id:
        return can_manage_account(user, token.account)
    return token.user_id == user.pk


def scopes_of(request) -> frozenset[str]:
    """What the request may do: its token's scopes, a session's, or public reading only."""
    if isinstance(request.auth, Token):
        return request.auth.scope_set
    if request.user.is_authenticated:
        return SESSION_SCOPES
    return frozenset([Scope.PUBLIC])


class HasScope(BasePermission):
    """A DRF permission for one scope, used as an instance: `permission_classes = [HasScope("staff")]`."""

    def __init__(self, scope: str):
        self.scope = Scope(scope)
        self.message = f"该令牌没有“{self.scope.label}”（{self.scope.value}）权限范围。"

    def __call__(self):
        # DRF instantiates each entry of `permission_classes`; this entry already is one.
        return self

    def has_permission(self, request, view) -> bool:
        return self.scope in scopes_of(request)


def actor_of(request):
    """Whom a service is told acts (`by=`): the person signed in or holding the token, else the
    integration account whose token it is (an `IntegrationActor` bound to the account's county),
    else the anonymous visitor (whom every rule that asks for a person refuses)."""
    account = getattr(request.user, "account", None)
    if account is not None:
        return IntegrationActor(name=account.name, county_id=account.county_id)
    return request.user


class RecordsDispatch(BasePermission):
    """Recording a refused dispatch: a person signed in (the service checks their county), or a
    token with the dispatch scope (an integration account of the county)."""

    message = "登记派单异议需要登录，或使用具有“12345 派单”（dispatch）权限范围的令牌。"

    def has_permission(self, request, view) -> bool:
        return request.user.is_authenticated or Scope.DISPATCH in scopes_of(request)
