"""“我的 API 令牌”: a signed-in person lists, creates and revokes their own tokens. Thin callers of
`api.tokens`; the secret is shown in the answer to the creation and nowhere else."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from catalog.refusals import REFUSALS, refusal_of

from . import tokens
from .forms import TokenForm
from .models import Token

app_name = "tokens"


@never_cache  # the answer to a creation holds the secret: no cache may keep it
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    form, created, secret, status = TokenForm(), None, "", 200
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                created, secret = tokens.create_token(
                    by=request.user, name=form.cleaned_data["name"], scopes=form.cleaned_data["scopes"]
                )
            except REFUSALS as error:
                refusal = refusal_of(error)
                form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
                status = refusal.status
            else:
                form = TokenForm()
        else:
            status = 400
    context = {
        "form": form,
        "created": created,
        "secret": secret,
        "tokens": Token.objects.filter(user=request.user),
        "max_active": tokens.MAX_ACTIVE_TOKENS,
    }
    return render(request, "api/tokens.html", context, status=status)


@login_required
@require_POST
def revoke(request, token_id: int):
    token = get_object_or_404(Token, pk=token_id, user=request.user)  # another's is not there
    tokens.revoke_token(token, by=request.user)
    messages.success(request, f"令牌“{token.name}”（{token.prefix}…）已吊销，使用它的请求将被拒绝。")
    return redirect("tokens:list")


urlpatterns = [
    path("", token_list, name="list"),
    path("<int:token_id>/revoke/", revoke, name="revoke"),
]
