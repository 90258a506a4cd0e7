"""Registering endpoints (who may, which addresses), the adjustment event, and the back office:
endpoints with a secret shown once, a read-only delivery log with 重新发送 through the service."""

import hashlib
import hmac
import json
from datetime import date

import pytest
from django.urls import reverse

from catalog.refusals import refusal_of
from publication import services as publication
from tests.api.conftest import publish, row
from tests.conftest import make_county, make_item, make_user
from tests.publication.conftest import approve_and_publish, make_adjustment
from webhooks import services
from webhooks.models import Delivery, Endpoint, Event

pytestmark = pytest.mark.django_db


def refusal(call):
    with pytest.raises(Exception) as raised:
        call()
    return refusal_of(raised.value)


@pytest.mark.parametrize(
    "url, problem",
    [
        ("http://127.0.0.1:9000/hook", "指向本机"),
        ("http://localhost/hook", "指向本机"),
        ("http://[::1]/hook", "指向本机"),
        ("http://169.254.169.254/latest/meta-data/", "链路本地"),
        ("http://0.0.0.0/hook", "指向本机"),
        ("http://224.0.0.1/hook", "组播"),
        ("ftp://10.1.2.3/hook", "http://"),
        ("http://user:pw@10.1.2.3/hook", "用户名"),
        ("http://no-such-host.invalid/hook", "无法解析"),
    ],
)
def test_addresses_of_the_machine_itself_are_refused(county, hook_editor, url, problem):
    refused = refusal(
        lambda: services.register_endpoint(county, by=hook_editor, url=url, events=[Event.EDITION_PUBLISHED])
    )
    assert (refused.status, refused.code, refused.field) == (400, "webhook_address", "url")
    assert problem in refused.message
    assert Endpoint.objects.count() == 0


def test_a_government_network_address_is_allowed_unless_the_site_sends_to_public_ones_only(
    county, hook_editor, settings
):
    endpoint = services.register_endpoint(
        county, by=hook_editor, url="https://10.20.30.40:8443/12345/hook", events=[Event.EDITION_PUBLISHED]
    )
    assert endpoint.events == ["edition.published"] and len(endpoint.secret) >= 40

    settings.WEBHOOK_BLOCK_PRIVATE_NETWORKS = True
    refused = refusal(
        lambda: services.register_endpoint(
            county, by=hook_editor, url="http://192.168.1.5/hook", events=[Event.EDITION_PUBLISHED]
        )
    )
    assert refused.code == "webhook_address" and "内网地址" in refused.message
    assert Endpoint.objects.count() == 1


def test_an_address_refused_since_registration_is_not_sent_to(
    township, endpoint, receiver, hook_editor, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    with django_capture_on_commit_callbacks(execute=True):
        publish(township, [row("事项甲")], by=hook_editor)

    logged = Delivery.objects.get()
    assert logged.status == Delivery.Status.RETRYING and "指向本机" in logged.response_excerpt
    assert receiver.requests == []


def test_only_the_countys_editor_manages_its_endpoints(county, endpoint, receiver):
    other_editor = make_user("other-editor", "county_editor", county=make_county("别县", "999007"))
    official = make_user("hook-official", None)
    for user in (other_editor, official):
        refused = refusal(
            lambda user=user: services.register_endpoint(
                county, by=user, url=receiver.url, events=[Event.EDITION_PUBLISHED]
            )
        )
        assert (refused.status, refused.code) == (403, "cannot_manage_webhooks")
    secret = endpoint.secret
    assert (
        refusal(lambda: services.replace_secret(endpoint, by=other_editor)).code == "cannot_manage_webhooks"
    )
    endpoint.refresh_from_db()
    assert endpoint.secret == secret and Endpoint.objects.count() == 1


def test_events_must_be_known_and_at_least_one(county, hook_editor, receiver):
    unknown = refusal(
        lambda: services.register_endpoint(county, by=hook_editor, url=receiver.url, events=["item.eaten"])
    )
    none = refusal(lambda: services.register_endpoint(county, by=hook_editor, url=receiver.url, events=[]))
    assert (unknown.code, unknown.field, none.code) == ("unknown_event", "events", "required")
    assert "item.eaten" in unknown.message and Endpoint.objects.count() == 0


@pytest.fixture
def published(cast, duty_list):
    make_item(duty_list, name="最低生活保障申请受理")
    make_item(duty_list, name="殡葬管理")
    return approve_and_publish(duty_list, cast["county_editor"])


def test_an_approved_adjustment_sends_the_new_edition_and_the_approval(
    cast, published, endpoint, receiver, django_capture_on_commit_callbacks
):
    editor = cast["county_editor"]
    adjustment = make_adjustment(published, editor)
    with django_capture_on_commit_callbacks(execute=True):
        publication.decide_adjustment(
            adjustment,
            by=editor,
            approve=True,
            document_number="示办发〔2026〕9号",
            effective_on=date(2026, 3, 1),
        )

    sent = {r["headers"]["X-Webhook-Event"]: json.loads(r["body"]) for r in receiver.requests}
    assert sorted(sent) == ["adjustment.approved", "edition.published"]
    approved = sent["adjustment.approved"]["data"]
    assert (approved["adjustment"], approved["document_number"]) == (adjustment.pk, "示办发〔2026〕9号")
    assert approved["edition"]["edition"] == 2 == sent["edition.published"]["data"]["edition"]
    assert Delivery.objects.filter(status=Delivery.Status.DELIVERED).count() == 2


def test_a_rejected_adjustment_sends_nothing(
    cast, published, endpoint, receiver, django_capture_on_commit_callbacks
):
    adjustment = make_adjustment(published, cast["county_editor"])
    with django_capture_on_commit_callbacks(execute=True):
        publication.decide_adjustment(adjustment, by=cast["county_editor"], approve=False, note="依据不足")
    assert receiver.requests == [] and Delivery.objects.count() == 0


def test_the_back_office_registers_an_endpoint_and_shows_its_secret_once(
    client, county, hook_editor, receiver
):
    client.force_login(hook_editor)
    response = client.post(
        reverse("admin:webhooks_endpoint_add"),
        {"county": county.pk, "url": receiver.url, "events": ["edition.published"], "is_active": "on"},
        follow=True,
    )

    endpoint = Endpoint.objects.get()
    assert (endpoint.url, endpoint.events, endpoint.created_by) == (
        receiver.url,
        ["edition.published"],
        hook_editor,
    )
    assert endpoint.secret in response.content.decode()
    listing = client.get(reverse("admin:webhooks_endpoint_changelist")).content.decode()
    assert endpoint.secret not in listing and endpoint.secret_hint() in listing


def test_the_back_office_refuses_an_address_of_the_machine_with_the_reason(client, county, hook_editor):
    client.force_login(hook_editor)
    response = client.post(
        reverse("admin:webhooks_endpoint_add"),
        {"county": county.pk, "url": "http://169.254.169.254/", "events": ["edition.published"]},
    )
    assert response.status_code == 200 and "链路本地地址" in response.content.decode()
    assert Endpoint.objects.count() == 0


def test_the_delivery_log_is_read_only_and_sends_again_through_the_service(
    client, township, endpoint, receiver, hook_editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        publish(township, [row("事项甲")], by=hook_editor)
    first = Delivery.objects.get()
    client.force_login(hook_editor)
    change_url = reverse("admin:webhooks_delivery_change", args=[first.pk])
    assert client.post(change_url, {"status": "failed"}).status_code == 403

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:webhooks_delivery_changelist"),
            {"action": "send_again", "_selected_action": [first.pk]},
            follow=True,
        )

    assert "已重新发送 1 条事件" in response.content.decode()
    again = Delivery.objects.exclude(pk=first.pk).get()
    assert (again.event_id, again.body, again.redelivery_of) == (first.event_id, first.body, first)
    assert again.status == Delivery.Status.DELIVERED
    assert [r["headers"]["X-Webhook-Id"] for r in receiver.requests] == [str(first.event_id)] * 2
    timestamp, body = receiver.requests[1]["headers"]["X-Webhook-Timestamp"], receiver.requests[1]["body"]
    mac = hmac.new(endpoint.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert receiver.requests[1]["headers"]["X-Webhook-Signature"] == f"sha256={mac}"


def test_another_countys_editor_sees_no_deliveries(client, township, endpoint, hook_editor):
    publish(township, [row("事项甲")], by=hook_editor)
    other = make_user("other-editor", "county_editor", county=make_county("别县", "999007"))
    client.force_login(other)
    listing = client.get(reverse("admin:webhooks_delivery_changelist"))
    assert listing.status_code == 200 and listing.context["cl"].result_count == 0
    assert client.get(reverse("admin:webhooks_endpoint_change", args=[endpoint.pk])).status_code in (
        302,
        403,
        404,
    )


def test_a_delivery_to_a_switched_off_endpoint_is_not_sent_again(township, endpoint, receiver, hook_editor):
    publish(township, [row("事项甲")], by=hook_editor)
    services.change_endpoint(
        endpoint, by=hook_editor, url=endpoint.url, events=endpoint.events, description="", is_active=False
    )
    refused = refusal(lambda: services.redeliver(Delivery.objects.get(), by=hook_editor))
    assert (refused.status, refused.code) == (409, "endpoint_inactive")
    assert Delivery.objects.count() == 1 and receiver.requests == []


def test_the_back_office_switches_an_endpoint_off_through_the_service(client, endpoint, hook_editor):
    client.force_login(hook_editor)
    response = client.post(
        reverse("admin:webhooks_endpoint_change", args=[endpoint.pk]),
        {"url": endpoint.url, "events": ["adjustment.approved"], "description": "停用"},
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.events, endpoint.description) == (
        False,
        ["adjustment.approved"],
        "停用",
    )
    assert endpoint.history.first().history_user == hook_editor
