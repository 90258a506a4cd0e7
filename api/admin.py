"""The back office for integration accounts: a county editor keeps their county's partner systems
(12345 热线, 省级平台) and issues and revokes their tokens. Every write goes through `api.tokens`;
a new token's secret is shown on the page that answers its creation, once."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from catalog.admin import CountyScopedAdmin
from catalog.permissions import is_county_editor
from catalog.refusals import REFUSALS, refusal_of

from . import tokens
from .forms import AccountTokenForm, IntegrationAccountForm
from .models import IntegrationAccount, Token
from .permissions import can_manage_account


class AccountTokens(admin.TabularInline):
    """The account's tokens, read only; each is revoked through its own page."""

    model = Token
    fields = readonly_fields = ["name", "prefix", "created_at", "created_by", "last_used_at", "state"]
    extra = 0
    can_delete = False
    verbose_name_plural = "令牌（新令牌用页面右上角的“生成令牌”）"

    def has_view_permission(self, request, obj=None):
        # Without `obj` the admin asks whether to list rows at all: the account's page already
        # checked the account, and the rows are that account's.
        return is_county_editor(request.user) if obj is None else can_manage_account(request.user, obj)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="状态")
    def state(self, token):
        if token.is_revoked:
            return f"已于 {token.revoked_at:%Y-%m-%d %H:%M} 吊销"
        url = reverse("admin:api_integrationaccount_revoke_token", args=[token.account_id, token.pk])
        return format_html('有效 · <a href="{}">吊销</a>', url)


@admin.register(IntegrationAccount)
class IntegrationAccountAdmin(CountyScopedAdmin):
    form = IntegrationAccountForm
    list_display = ["name", "county", "kind", "is_active", "contact", "created_at"]
    list_filter = ["county", "kind", "is_active"]
    list_select_related = ["county"]
    search_fields = ["name", "contact"]
    inlines = [AccountTokens]
    change_form_template = "admin/api/integrationaccount/change_form.html"

    def get_inlines(self, request, obj=None):
        return self.inlines if obj is not None else []  # a new account has no tokens yet

    def get_readonly_fields(self, request, obj=None):
        return ["county"] if obj is not None else []  # an account stays with its county

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        fields = {
            "name": data["name"],
            "kind": data["kind"],
            "scopes": data["scopes"],
            "contact": data["contact"],
        }
        if change:
            tokens.update_account(obj, by=request.user, is_active=data["is_active"], **fields)
        else:
            created = tokens.create_account(by=request.user, county=data["county"], **fields)
            obj.pk = created.pk  # the admin's redirect and log name the created row

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except REFUSALS as error:  # a change between the form's checks and the locked write
            self.message_user(request, refusal_of(error).message, messages.ERROR)
            return HttpResponseRedirect(request.path)

    def get_urls(self):
        own = [
            path(
                "<int:account_id>/tokens/new/",
                self.admin_site.admin_view(self.new_token),  # never cached: it shows the secret
                name="api_integrationaccount_new_token",
            ),
            path(
                "<int:account_id>/tokens/<int:token_id>/revoke/",
                self.admin_site.admin_view(self.revoke_token),
                name="api_integrationaccount_revoke_token",
            ),
        ]
        return own + super().get_urls()

    def managed_account(self, request, account_id: int) -> IntegrationAccount:
        account = get_object_or_404(self.get_queryset(request), pk=account_id)
        if not can_manage_account(request.user, account):
            raise PermissionDenied
        return account

    def new_token(self, request, account_id: int):
        account = self.managed_account(request, account_id)
        form, secret, created = AccountTokenForm(request.POST or None), "", None
        if request.method == "POST" and form.is_valid():
            try:
                created, secret = tokens.create_token(
                    by=request.user, name=form.cleaned_data["name"], account=account
                )
            except REFUSALS as error:
                form.add_error(None, refusal_of(error).message)
        return self.token_page(
            request, "new_token", account, "生成令牌", form=form, created=created, secret=secret
        )

    def revoke_token(self, request, account_id: int, token_id: int):
        account = self.managed_account(request, account_id)
        token = get_object_or_404(Token, pk=token_id, account=account)
        if request.method == "POST":
            tokens.revoke_token(token, by=request.user)
            self.message_user(request, f"令牌“{token}”已吊销，使用它的请求将被拒绝。", messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:api_integrationaccount_change", args=[account.pk]))
        return self.token_page(request, "revoke_token", account, f"吊销令牌“{token}”", token=token)

    def token_page(self, request, page: str, account, title: str, **context) -> TemplateResponse:
        context |= {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "crumb": title,
            "account": account,
        }
        return TemplateResponse(request, f"admin/api/integrationaccount/{page}.html", context)
