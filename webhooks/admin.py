"""Back office: a county editor registers endpoints (the secret is shown once, when made or
replaced) and reads the delivery log, read-only, sending a delivery again through the service."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from catalog.admin.scoping import CountyScopedAdmin, ReadOnlyAdmin
from catalog.refusals import REFUSALS, refusal_of

from . import services
from .addresses import target_of
from .models import Delivery, Endpoint, Event


class EndpointForm(forms.ModelForm):
    url = forms.URLField(label="接收地址", max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label="订阅的事件", choices=Event.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Endpoint
        fields = ["county", "url", "events", "description", "is_active"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        if self.instance.pk is None or url.strip() != self.instance.url:
            try:
                target_of(url)
            except ValidationError as error:
                raise forms.ValidationError(refusal_of(error).message) from None
        return url


@admin.register(Endpoint)
class EndpointAdmin(CountyScopedAdmin):
    form = EndpointForm
    list_display = ["url", "county", "event_labels", "is_active", "secret_hint", "created_at"]
    list_filter = ["is_active"]
    list_select_related = ["county"]
    actions = ["replace_secrets"]

    @admin.display(description="订阅的事件")
    def event_labels(self, obj):
        return obj.event_labels()

    @admin.display(description="签名密钥")
    def secret_hint(self, obj):
        return obj.secret_hint()

    def get_readonly_fields(self, request, obj=None):
        return ["county"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.change_endpoint(
                obj,
                by=request.user,
                url=data["url"],
                events=data["events"],
                description=data["description"],
                is_active=data["is_active"],
            )
            return
        endpoint = services.register_endpoint(
            data["county"],
            by=request.user,
            url=data["url"],
            events=data["events"],
            description=data["description"],
        )
        obj.pk = endpoint.pk
        self.show_secret(request, endpoint.url, endpoint.secret)

    def show_secret(self, request, url: str, secret: str) -> None:
        self.message_user(
            request,
            f"{url} 的签名密钥：{secret}（只显示这一次，请交给接收方保存；以后只能更换，不能再查看）",
            messages.WARNING,
        )

    @admin.action(description="更换所选地址的签名密钥")
    def replace_secrets(self, request, queryset):
        for endpoint in queryset:
            try:
                secret = services.replace_secret(endpoint, by=request.user)
            except REFUSALS as error:
                self.message_user(request, refusal_of(error).message, messages.ERROR)
            else:
                self.show_secret(request, endpoint.url, secret)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """The delivery log: written by the workers only."""

    county_path = "endpoint__county"
    list_display = [
        "event",
        "endpoint",
        "status",
        "attempts",
        "status_code",
        "created_at",
        "last_attempt_at",
        "next_retry_at",
        "delivered_at",
    ]
    list_filter = ["status", "event"]
    list_select_related = ["endpoint"]
    readonly_fields = [
        "endpoint",
        "event",
        "event_id",
        "payload_digest",
        "status",
        "attempts",
        "status_code",
        "response_excerpt",
        "created_at",
        "last_attempt_at",
        "next_retry_at",
        "delivered_at",
        "redelivery_of",
        "body",
    ]
    fields = readonly_fields
    actions = ["send_again"]

    @admin.action(description="重新发送所选事件")
    def send_again(self, request, queryset):
        sent = 0
        for delivery in queryset:
            try:
                services.redeliver(delivery, by=request.user)
            except REFUSALS as error:
                self.message_user(request, refusal_of(error).message, messages.ERROR)
            else:
                sent += 1
        if sent:
            self.message_user(request, f"已重新发送 {sent} 条事件，结果见推送记录。", messages.SUCCESS)
