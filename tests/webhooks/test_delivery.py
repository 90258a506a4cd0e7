"""Events reach a real local HTTP server: signed, after commit, retried with backoff, bounded, logged."""

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from catalog.models import Part
from publication import events
from publication.models import Edition
from tests.api.conftest import publish, row
from tests.conftest import make_county
from webhooks import delivery, tasks
from webhooks.models import Delivery, Endpoint, Event

pytestmark = pytest.mark.django_db


def publish_committed(township, by, capture, **kwargs):
    with capture(execute=True):
        return publish(
            township, [row("最低生活保障申请受理"), row("殡葬管理", Part.COORDINATED)], by=by, **kwargs
        )


def time_passes() -> None:
    """The backoff of every waiting delivery has run out."""
    Delivery.objects.filter(next_retry_at__isnull=False).update(
        next_retry_at=timezone.now() - timedelta(seconds=1)
    )


def test_a_published_edition_is_posted_signed_once_committed(
    township, endpoint, receiver, hook_editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        edition = publish(township, [row("最低生活保障申请受理")], by=hook_editor)
        assert receiver.requests == []  # nothing leaves before the commit

    [request] = receiver.requests
    headers, body = request["headers"], request["body"].decode()
    timestamp = headers["X-Webhook-Timestamp"]
    expected = hmac.new(endpoint.secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    assert headers["X-Webhook-Signature"] == f"sha256={expected}"
    assert headers["X-Webhook-Event"] == "edition.published"
    assert request["path"] == "/hooks/12345?k=1"
    event = json.loads(body)
    assert (event["event"], event["id"]) == ("edition.published", headers["X-Webhook-Id"])
    assert (event["data"]["township"], event["data"]["edition"]) == (township.code, edition.number)
    assert event["data"]["snapshot_url"].endswith(f"/api/v1/townships/{township.code}/editions/1/snapshot/")
    logged = Delivery.objects.get()
    assert (logged.status, logged.attempts, logged.status_code) == (Delivery.Status.DELIVERED, 1, 200)
    assert logged.delivered_at is not None and logged.next_retry_at is None
    assert logged.payload_digest == hashlib.sha256(request["body"]).hexdigest()
    assert logged.response_excerpt == "状态 200"


def test_nothing_is_sent_when_the_publication_rolls_back(
    township, endpoint, receiver, hook_editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            publish(township, [row("最低生活保障申请受理")], by=hook_editor)
            raise RuntimeError("公布失败")

    assert callbacks == []
    assert (Edition.objects.count(), Delivery.objects.count(), receiver.requests) == (0, 0, [])


def test_a_failing_receiver_is_retried_with_backoff_until_it_answers(
    township, endpoint, receiver, hook_editor, django_capture_on_commit_callbacks
):
    receiver.answers = [(500, {}), (503, {})]
    publish_committed(township, hook_editor, django_capture_on_commit_callbacks)

    logged = Delivery.objects.get()
    assert (logged.status, logged.attempts, logged.status_code) == (Delivery.Status.RETRYING, 1, 500)
    assert logged.response_excerpt == "状态 500"
    assert logged.next_retry_at - logged.last_attempt_at == timedelta(seconds=60)

    tasks.retry_due_deliveries()  # not due yet
    assert len(receiver.requests) == 1

    time_passes()
    tasks.retry_due_deliveries()
    logged.refresh_from_db()
    assert (logged.status, logged.attempts, logged.status_code) == (Delivery.Status.RETRYING, 2, 503)
    assert logged.next_retry_at - logged.last_attempt_at == timedelta(seconds=300)

    time_passes()
    tasks.retry_due_deliveries()
    logged.refresh_from_db()
    assert (logged.status, logged.attempts, logged.status_code) == (Delivery.Status.DELIVERED, 3, 200)
    assert len(receiver.requests) == 3
    assert len({r["headers"]["X-Webhook-Id"] for r in receiver.requests}) == 1
    assert len({r["body"] for r in receiver.requests}) == 1


def test_attempts_are_bounded_and_then_given_up(
    township, endpoint, receiver, hook_editor, django_capture_on_commit_callbacks
):
    receiver.answers = [(500, {})] * (delivery.MAX_ATTEMPTS + 1)
    publish_committed(township, hook_editor, django_capture_on_commit_callbacks)
    for _ in range(delivery.MAX_ATTEMPTS + 2):
        time_passes()
        tasks.retry_due_deliveries()

    logged = Delivery.objects.get()
    assert (logged.status, logged.attempts) == (Delivery.Status.FAILED, delivery.MAX_ATTEMPTS)
    assert logged.next_retry_at is None and logged.delivered_at is None
    assert len(receiver.requests) == delivery.MAX_ATTEMPTS


def test_a_second_run_of_the_same_attempt_sends_nothing(
    township, endpoint, receiver, hook_editor, django_capture_on_commit_callbacks
):
    receiver.answers = [(500, {})]
    publish_committed(township, hook_editor, django_capture_on_commit_callbacks)
    logged = Delivery.objects.get()

    assert tasks.deliver(logged.pk) is None  # its backoff has not run out
    assert len(receiver.requests) == 1 and Delivery.objects.get().attempts == 1


def test_a_redirect_is_not_followed(
    township, endpoint, receiver, hook_editor, django_capture_on_commit_callbacks
):
    receiver.answers = [(302, {"Location": "http://169.254.169.254/latest/meta-data/"})]
    publish_committed(township, hook_editor, django_capture_on_commit_callbacks)

    logged = Delivery.objects.get()
    assert (logged.status, logged.status_code) == (Delivery.Status.RETRYING, 302)
    assert "不跟随重定向" in logged.response_excerpt and "169.254.169.254" in logged.response_excerpt
    assert len(receiver.requests) == 1


def test_an_unreachable_receiver_is_logged_and_retried(
    township, endpoint, hook_editor, receiver, django_capture_on_commit_callbacks
):
    receiver.server.shutdown()
    receiver.server.server_close()
    publish_committed(township, hook_editor, django_capture_on_commit_callbacks)

    logged = Delivery.objects.get()
    assert (logged.status, logged.status_code) == (Delivery.Status.RETRYING, None)
    assert logged.response_excerpt.startswith("连接失败")


def test_only_the_countys_active_endpoints_subscribed_to_the_event_receive_it(
    county, township, receiver, hook_editor, django_capture_on_commit_callbacks
):
    elsewhere = make_county("别县", "999008")
    Endpoint.objects.create(county=elsewhere, url=receiver.url, events=list(Event.values))
    Endpoint.objects.create(county=county, url=receiver.url, events=[Event.ADJUSTMENT_APPROVED])
    Endpoint.objects.create(county=county, url=receiver.url, events=list(Event.values), is_active=False)
    subscribed = Endpoint.objects.create(county=county, url=receiver.url, events=[Event.EDITION_PUBLISHED])

    publish_committed(township, hook_editor, django_capture_on_commit_callbacks)

    assert list(Delivery.objects.values_list("endpoint", flat=True)) == [subscribed.pk]
    assert len(receiver.requests) == 1


def test_a_county_without_endpoints_pays_one_query_for_its_events(
    township, hook_editor, django_assert_num_queries
):
    edition = publish(township, [row("事项甲")], by=hook_editor)
    with django_assert_num_queries(1):
        events.edition_published(edition)
    assert Delivery.objects.count() == 0
