"""群众监督: reports on published items reach the county editors, are limited per address, never shown."""

import pytest
from django.urls import reverse

from catalog.models import Part
from publication.models import Feedback
from review.models import Notification
from tests.conftest import make_department, make_item
from tests.publication.conftest import approve_and_publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition(cast, duty_list):
    department = make_department(duty_list.township.county, "县民政局")
    make_item(duty_list, name="最低生活保障申请受理")
    make_item(duty_list, Part.COORDINATED, name="殡葬管理", leads=[department], township_duties="劝导")
    return approve_and_publish(duty_list, cast["county_editor"])


def feedback_url(edition, name="殡葬管理"):
    return reverse("publication:feedback", args=[edition.township.code, edition.items.get(name=name).key])


def test_a_visitor_reports_an_item_and_the_county_editor_is_told(
    client, cast, edition, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            feedback_url(edition), {"kind": "not_carried_out", "text": "村里没人管文明治丧", "contact": "138"}
        )
    assert response.status_code == 200 and "已收到您的反映" in response.content.decode()
    report = Feedback.objects.get()
    assert (report.item_name, report.kind, report.edition, report.contact) == (
        "殡葬管理",
        "not_carried_out",
        edition,
        "138",
    )
    assert report.address_hash and "127.0.0.1" not in report.address_hash
    notice = Notification.objects.get(user=cast["county_editor"])
    assert "殡葬管理" in notice.text and notice.url == reverse(
        "publication:feedback_handle", args=[report.pk]
    )
    assert not Notification.objects.filter(user=cast["township_official"]).exists()


def test_a_report_needs_a_kind_and_text(client, edition):
    response = client.post(feedback_url(edition), {"kind": "", "text": " "})
    assert response.status_code == 400 and "请选择反映的问题" in response.content.decode()
    assert not Feedback.objects.exists()


def test_reports_are_limited_per_address(client, edition, settings):
    settings.FEEDBACK_PER_HOUR = 2
    for _ in range(2):
        assert client.post(feedback_url(edition), {"kind": "wrong", "text": "有误"}).status_code == 200
    refused = client.post(feedback_url(edition), {"kind": "wrong", "text": "第三次"})
    assert refused.status_code == 429 and "一小时后再试" in refused.content.decode()
    other = client.post(
        feedback_url(edition), {"kind": "wrong", "text": "别的地址"}, REMOTE_ADDR="203.0.113.9"
    )
    assert other.status_code == 200 and Feedback.objects.count() == 3


def test_reports_are_never_shown_publicly(client, edition):
    client.post(feedback_url(edition), {"kind": "wrong", "text": "秘密的举报内容"})
    code = edition.township.code
    for url in [
        "/",
        reverse("publication:township", args=[code]),
        reverse("publication:item", args=[code, edition.items.get(name="殡葬管理").key]),
        reverse("publication:search") + "?q=秘密",
        reverse("publication:download", args=[code, 1, "json"]),
    ]:
        assert "秘密的举报内容" not in client.get(url).content.decode()


def test_the_form_page_is_not_cached(client, edition):
    response = client.get(feedback_url(edition))
    assert "no-store" in response["Cache-Control"] and "csrfmiddlewaretoken" in response.content.decode()


def test_an_ipv6_household_counts_as_one_address(client, edition, settings):
    settings.FEEDBACK_PER_HOUR = 1
    first = client.post(
        feedback_url(edition), {"kind": "wrong", "text": "一"}, REMOTE_ADDR="2001:db8:1:2::10"
    )
    second = client.post(
        feedback_url(edition), {"kind": "wrong", "text": "二"}, REMOTE_ADDR="2001:db8:1:2::99"
    )
    assert (first.status_code, second.status_code) == (200, 429) and Feedback.objects.count() == 1


def test_a_spoofed_forwarded_address_does_not_escape_the_limit(client, edition, settings):
    settings.FEEDBACK_PER_HOUR = 1
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    first = client.post(
        feedback_url(edition), {"kind": "wrong", "text": "一"}, HTTP_X_FORWARDED_FOR="203.0.113.1"
    )
    second = client.post(
        feedback_url(edition), {"kind": "wrong", "text": "二"}, HTTP_X_FORWARDED_FOR="203.0.113.2"
    )
    assert (first.status_code, second.status_code) == (200, 429) and Feedback.objects.count() == 1


def test_behind_a_trusted_proxy_each_visitor_has_their_own_limit(client, edition, settings):
    settings.FEEDBACK_PER_HOUR = 1
    settings.TRUSTED_PROXIES = ["10.0.0.1"]

    def post(text, forwarded):
        data = {"kind": "wrong", "text": text}
        return client.post(
            feedback_url(edition), data, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded
        )

    assert post("一", "203.0.113.1").status_code == 200
    assert post("二", "203.0.113.2").status_code == 200
    assert post("三", "203.0.113.1").status_code == 429
    assert Feedback.objects.count() == 2
