"""群众反映 after it is made: a receipt number, the county editor's queue and handling (转办 / 办结 with a
reply), and the visitor's look-up by number, which shows the status and the reply only."""

import re

import pytest
from django.urls import reverse

from catalog.refusals import Conflict, refusal_of
from publication import services
from publication.models import Feedback
from tests.conftest import make_department, make_item
from tests.publication.conftest import approve_and_publish, make_feedback

pytestmark = pytest.mark.django_db

RECEIPT = re.compile(r"^\d{8}-[2-9A-HJ-NP-Z]{8}$")


@pytest.fixture
def edition(cast, duty_list):
    make_item(duty_list, name="最低生活保障申请受理")
    return approve_and_publish(duty_list, cast["county_editor"])


def look_up(client, number):
    return client.get(reverse("publication:feedback_look_up"), {"number": number})


def test_a_visitor_is_given_a_receipt_number_that_cannot_be_walked(client, edition):
    key = edition.items.get().key
    url = reverse("publication:feedback", args=[edition.township.code, key])
    thanks = client.post(url, {"kind": "wrong", "text": "电话写错了", "contact": "13800000000"})
    client.post(url, {"kind": "wrong", "text": "还是写错了"}, REMOTE_ADDR="203.0.113.5")
    numbers = list(Feedback.objects.order_by("pk").values_list("receipt_number", flat=True))
    assert all(RECEIPT.match(n) for n in numbers) and len(set(numbers)) == 2
    assert numbers[0][:9] == numbers[1][:9] and numbers[0][9:] != numbers[1][9:]
    assert f'受理编号：<strong class="receipt">{numbers[0]}</strong>' in thanks.content.decode()


def test_the_look_up_shows_status_and_reply_and_no_contact_or_text(client, cast, edition):
    report = make_feedback(edition)
    Feedback.objects.filter(pk=report.pk).update(contact="13800000000")
    pending = look_up(client, report.receipt_number.lower().replace("-", " - ")).content.decode()
    assert "待处理" in pending and "暂无答复" in pending
    services.close_feedback(report, by=cast["county_editor"], reply="已更正电话号码。", note="镇里已核实")
    page = look_up(client, report.receipt_number)
    html = page.content.decode()
    assert page.status_code == 200 and "已办结" in html and "已更正电话号码。" in html
    for private in ("13800000000", "电话号码写错了", "镇里已核实"):
        assert private not in html
    assert "no-store" in page["Cache-Control"]
    assert "没有找到这个受理编号" in look_up(client, "20260101-ABCDEFGH").content.decode()


def test_the_county_editor_forwards_and_then_closes_a_report_in_the_workbench(client, cast, edition):
    report = make_feedback(edition)
    client.force_login(cast["county_editor"])
    queue = client.get(reverse("publication:feedback_queue")).content.decode()
    assert report.receipt_number in queue and "最低生活保障申请受理" in queue
    url = reverse("publication:feedback_handle", args=[report.pk])
    assert "电话号码写错了" in client.get(url).content.decode()
    forwarded = client.post(url, {"action": "forward", "forwarded_to": "县民政局", "reply": ""})
    assert forwarded.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.forwarded_to, report.reply) == (
        "forwarded",
        "县民政局",
        "已转县民政局办理。",
    )
    assert report.handled_by == cast["county_editor"]
    queue = reverse("publication:feedback_queue")
    assert f">{report.receipt_number}</a>" not in client.get(queue).content.decode()
    assert f">{report.receipt_number}</a>" in client.get(queue, {"status": "forwarded"}).content.decode()
    closed = client.post(url, {"action": "close", "reply": "县民政局已更正。", "note": "电话核实"})
    report.refresh_from_db()
    assert closed.status_code == 302 and (report.status, report.reply) == ("closed", "县民政局已更正。")
    assert report.handling_note == "电话核实"
    assert "已办结" in look_up(client, report.receipt_number).content.decode()


def test_closing_needs_a_reply_and_a_closed_report_stays_closed(client, cast, edition):
    report = make_feedback(edition)
    client.force_login(cast["county_editor"])
    url = reverse("publication:feedback_handle", args=[report.pk])
    refused = client.post(url, {"action": "close", "reply": " "})
    assert refused.status_code == 400 and "办结须填写给反映人的答复" in refused.content.decode()
    report.refresh_from_db()
    assert report.status == "pending" and report.handled_at is None
    services.close_feedback(report, by=cast["county_editor"], reply="已处理")
    with pytest.raises(Conflict) as again:
        services.forward_feedback(report, by=cast["county_editor"], to="县民政局")
    assert refusal_of(again.value).status == 409 and refusal_of(again.value).code == "feedback_state"
    report.refresh_from_db()
    assert (report.status, report.forwarded_to) == ("closed", "")


def test_only_the_county_editor_of_the_township_handles_its_reports(client, cast, edition):
    report = make_feedback(edition)
    for role in ("other_county_editor", "township_official"):
        with pytest.raises(Exception) as refused:
            services.close_feedback(report, by=cast[role], reply="越权答复")
        assert refusal_of(refused.value).code == "feedback_not_handler"
        client.force_login(cast[role])
        url = reverse("publication:feedback_handle", args=[report.pk])
        assert client.post(url, {"action": "close", "reply": "越权答复"}).status_code == 403
        assert report.receipt_number not in client.get(reverse("publication:feedback_queue")).content.decode()
    report.refresh_from_db()
    assert report.status == "pending" and report.reply == ""


def test_the_queue_page_reads_a_fixed_number_of_queries(client, cast, edition, django_assert_max_num_queries):
    make_department(edition.township.county, "县民政局")
    for number in range(5):
        make_feedback(edition, address=f"198.51.100.{number}")
    client.force_login(cast["county_editor"])
    with django_assert_max_num_queries(8):
        page = client.get(reverse("publication:feedback_queue"))
    assert page.content.decode().count("/work/feedback/") >= 5


def test_the_back_office_reads_reports_and_leaves_handling_to_the_workbench(admin_client, edition):
    report = make_feedback(edition)
    listed = admin_client.get(reverse("admin:publication_feedback_changelist")).content.decode()
    assert report.receipt_number in listed
    url = reverse("admin:publication_feedback_change", args=[report.pk])
    assert admin_client.get(url).status_code == 200
    admin_client.post(url, {"status": "closed", "reply": "后台改的", "handling_note": "后台"})
    report.refresh_from_db()
    assert (report.status, report.reply, report.handling_note) == ("pending", "", "")
