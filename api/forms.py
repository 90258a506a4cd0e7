"""The token and integration-account forms: input only; the rules are `api.tokens`'."""

from django import forms

from catalog.refusals import Invalid, refusal_of

from .models import ACCOUNT_SCOPES, PERSONAL_SCOPES, IntegrationAccount, Scope
from .tokens import MAX_NAME, checked_account


def chosen_scopes(allowed) -> forms.MultipleChoiceField:
    """The scopes to tick: every one the holder may have but public reading, which every token has."""
    return forms.MultipleChoiceField(
        label="权限范围",
        required=False,
        choices=[(scope.value, scope.label) for scope in allowed if scope != Scope.PUBLIC],
        widget=forms.CheckboxSelectMultiple,
        help_text="每个令牌都可以公开读取；勾选的权限另外授予。",
    )


class TokenForm(forms.Form):
    # Required by the service, which says what to write.
    name = forms.CharField(
        label="用途",
        required=False,
        max_length=MAX_NAME,
        help_text="写明令牌给哪个系统或脚本用，便于以后识别和吊销。",
    )
    scopes = chosen_scopes(PERSONAL_SCOPES)


class AccountTokenForm(forms.Form):
    name = TokenForm.base_fields["name"]


class IntegrationAccountForm(forms.ModelForm):
    scopes = chosen_scopes(ACCOUNT_SCOPES)

    class Meta:
        model = IntegrationAccount
        fields = ["county", "name", "kind", "scopes", "contact", "is_active"]

    def clean(self):
        """The service's own checks, shown on the form's fields before it saves."""
        data = super().clean()
        county = self.instance.county if self.instance.pk else data.get("county")
        if county is not None and "name" in data and "kind" in data:
            try:
                checked_account(
                    county, data["name"], data["kind"], data.get("scopes", []), exclude=self.instance.pk
                )
            except Invalid as error:
                self.add_error(error.field if error.field in self.fields else None, refusal_of(error).message)
        return data
