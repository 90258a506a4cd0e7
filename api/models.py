"""Who calls the API with a token: a person's own tokens, and integration accounts (a 12345 hotline, a
provincial platform) that a county editor keeps for a county's partner systems.

A token's secret is never stored: only its SHA-256 (`digest`, the lookup key) and its first characters
(`prefix`, so its holder recognises it). What a token may do is its scopes, declared once in `Scope`.
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from catalog.models import County


class Scope(models.TextChoices):
    """What a token may do beyond public reading. The holder kinds below say who may hold which."""

    PUBLIC = "public", "公开读取"
    STAFF = "staff", "以本人身份读写（工作人员）"
    DISPATCH = "dispatch", "12345 派单：登记退单和异议"


# Public reading comes with every token; the others are chosen.
PERSONAL_SCOPES = (Scope.PUBLIC, Scope.STAFF)
ACCOUNT_SCOPES = (Scope.PUBLIC, Scope.DISPATCH)
# A signed-in session acts as its person: what a personal token with every scope may do.
SESSION_SCOPES = frozenset(PERSONAL_SCOPES)


class IntegrationAccount(models.Model):
    """A partner system of one county; its tokens act as the system, never as a person."""

    class Kind(models.TextChoices):
        HOTLINE = "hotline", "12345 热线"
        PLATFORM = "platform", "省级平台"
        OTHER = "other", "其他系统"

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="integration_accounts", verbose_name="县（市、区）"
    )
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.OTHER)
    scopes = models.JSONField("权限范围", default=list, blank=True)
    contact = models.CharField("联系人及电话", max_length=200, blank=True)
    is_active = models.BooleanField("启用", default=True, help_text="停用后，该账号的全部令牌立即失效。")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="创建人",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "集成账号"
        ordering = ["county", "name"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="integration_account_name_per_county")
        ]

    def __str__(self) -> str:
        return f"{self.county.name}·{self.name}"


class TokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class Token(models.Model):
    """A bearer token: either a person's own (`user`) or an integration account's (`account`)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_tokens",
        verbose_name="持有人",
    )
    account = models.ForeignKey(
        IntegrationAccount,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tokens",
        verbose_name="集成账号",
    )
    name = models.CharField("用途", max_length=100)
    prefix = models.CharField("开头", max_length=16)
    digest = models.CharField("SHA-256", max_length=64, unique=True, editable=False)
    # A personal token's own choice; an account's tokens take the account's scopes as they stand.
    scopes = models.JSONField("权限范围", default=list, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="创建人",
    )
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="吊销人",
    )

    objects = TokenQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "接口令牌"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, account__isnull=True)
                | models.Q(user__isnull=True, account__isnull=False),
                name="token_has_one_holder",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def scope_set(self) -> frozenset[str]:
        """What the token may do now: public reading, plus its own or its account's scopes."""
        chosen = self.account.scopes if self.account_id else self.scopes
        return frozenset([Scope.PUBLIC, *chosen])

    def scope_labels(self) -> list[str]:
        return [Scope(scope).label for scope in Scope if scope in self.scope_set]
