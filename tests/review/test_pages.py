"""The review pages: what each shows, what a POST changes, and query counts that do not grow."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from catalog import services as catalog_services
from catalog.models import DutyItem, DutyList, Part
from review import decisions, notifications, services, workflow
from review.inbox import inbox_for
from review.models import Comment, Digest, Dispute, Notification, ReplyTemplate
from tests.conftest import make_department, make_item, make_township

pytestmark = pytest.mark.django_db
Stage = DutyList.Stage


def add_items(duty_list, department, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        if n % 2:
            make_item(
                duty_list, Part.COORDINATED, name=f"配合事项{n}", leads=[department], township_duties="配合"
            )
        else:
            make_item(duty_list, name=f"基本事项{n}")


def open_window(duty_list, cast, department):
    workflow.perform(
        duty_list,
        "open_comments",
        by=cast["county_editor"],
        departments=[department],
        deadline=timezone.localdate() + timedelta(days=5),
    )
    return workflow.open_window(duty_list)


def comment_on(window, user, names, **fields):
    fields = fields or {"position": "modify", "proposed_name": "新名称", "text": "请改名"}
    for name in names:
        item = window.submission.items.get(name=name)
        services.add_comment(
            window, by=user, item_key=item.key, **(fields | {"proposed_name": f"{name}（改）"})
        )


def queries_of(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content.decode()[:500]
    return len(captured)


# The department's queue and a window.


def test_the_queue_lists_each_township_with_the_items_naming_the_department_first(
    client, cast, duty_list, department
):
    add_items(duty_list, department, 4)
    workflow.perform(duty_list, "submit", by=cast["township_official"])
    window = open_window(duty_list, cast, department)
    client.force_login(cast["department_reviewer"])
    page = client.get(reverse("review:queue"))
    [entry] = page.context["entries"]
    assert [i.name for i in entry.own_items] == ["配合事项1", "配合事项3"] and entry.other_count == 2
    rows = client.get(reverse("review:window", args=[window.pk])).context["page"].rows
    assert [r.item.name for r in rows] == ["配合事项1", "配合事项3", "基本事项0", "基本事项2"]


def test_the_queue_is_for_department_reviewers(client, cast):
    client.force_login(cast["township_official"])
    assert client.get(reverse("review:queue")).status_code == 403


def test_queue_and_window_queries_do_not_grow_with_items_or_comments(client, cast, duty_list, department):
    second = make_department(duty_list.township.county, "县应急管理局")
    add_items(duty_list, department, 4)
    workflow.perform(duty_list, "submit", by=cast["township_official"])
    window = open_window(duty_list, cast, department)
    reviewer = cast["department_reviewer"]
    comment_on(window, reviewer, ["配合事项1"])
    client.force_login(reviewer)
    urls = [reverse("review:queue"), reverse("review:window", args=[window.pk])]
    before = [queries_of(client, url) for url in urls]

    # More items in a second township's list, more comments: the same number of queries.
    other = DutyList.objects.create(
        township=cast["other_township_official"].memberships.get().township, title="青山镇清单", year=2025
    )
    add_items(other, department, 6)
    workflow.perform(other, "submit", by=cast["county_editor"])
    workflow.perform(
        other,
        "open_comments",
        by=cast["county_editor"],
        departments=[department, second],
        deadline=timezone.localdate(),
    )
    comment_on(window, reviewer, ["配合事项3", "基本事项0", "基本事项2"])
    assert [queries_of(client, url) for url in urls] == before


def test_a_reviewer_comments_through_the_form_and_sees_it_on_the_item(client, cast, duty_list, department):
    add_items(duty_list, department, 2)
    workflow.perform(duty_list, "submit", by=cast["township_official"])
    window = open_window(duty_list, cast, department)
    item = window.submission.items.get(name="配合事项1")
    client.force_login(cast["department_reviewer"])
    url = reverse("review:comment_add", args=[window.pk]) + f"?item={item.key}"
    refused = client.post(url, {"position": "disagree", "text": ""})
    assert refused.status_code == 400 and "“不同意”须选择理由" in refused.content.decode()
    assert not Comment.objects.exists()
    response = client.post(
        url, {"position": "disagree", "reason": "beyond_capacity", "text": "乡镇无执法队伍"}
    )
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.item_key, comment.signature, comment.reason) == (
        item.key,
        "县农业农村局",
        "beyond_capacity",
    )
    page = client.get(reverse("review:window", args=[window.pk])).content.decode()
    assert "乡镇无执法队伍" in page and "不同意（乡镇无力承担）" in page


def test_a_township_official_posting_a_comment_gets_403_and_nothing_is_written(
    client, cast, duty_list, department
):
    add_items(duty_list, department, 1)
    workflow.perform(duty_list, "submit", by=cast["township_official"])
    window = open_window(duty_list, cast, department)
    client.force_login(cast["township_official"])
    response = client.post(
        reverse("review:comment_add", args=[window.pk]), {"position": "modify", "text": "冒充部门"}
    )
    assert response.status_code == 403 and not Comment.objects.exists()


def test_another_countys_user_sees_no_window(client, cast, duty_list, department):
    add_items(duty_list, department, 1)
    workflow.perform(duty_list, "submit", by=cast["township_official"])
    window = open_window(duty_list, cast, department)
    client.force_login(cast["other_county_editor"])
    assert client.get(reverse("review:window", args=[window.pk])).status_code == 404
    assert client.post(reverse("review:window_finish", args=[window.pk])).status_code == 404


def test_the_editor_opens_a_window_from_the_review_page_with_named_departments_ticked(
    client, cast, duty_list, department
):
    add_items(duty_list, department, 2)
    workflow.perform(duty_list, "submit", by=cast["township_official"])
    client.force_login(cast["county_editor"])
    page = client.get(reverse("review:list_review", args=[duty_list.pk]))
    transition, form = page.context["actions"][0]
    assert transition.action == "open_comments" and form.initial["departments"] == [department.pk]
    bad = client.post(
        reverse("review:list_action", args=[duty_list.pk]),
        {"action": "open_comments", "window-deadline": "明天"},
    )
    assert bad.status_code == 400 and "请至少选择一个征求意见的部门" in bad.content.decode()
    deadline = timezone.localdate() + timedelta(days=7)
    client.post(
        reverse("review:list_action", args=[duty_list.pk]),
        {
            "action": "open_comments",
            "window-departments": [department.pk],
            "window-deadline": deadline.isoformat(),
        },
    )
    window = workflow.open_window(duty_list)
    assert window.deadline == deadline and list(window.departments.all()) == [department]


# The township's answers.


@pytest.fixture
def answered_round(cast, duty_list, department):
    add_items(duty_list, department, 4)
    workflow.perform(duty_list, "submit", by=cast["township_official"])
    window = open_window(duty_list, cast, department)
    comment_on(window, cast["department_reviewer"], ["配合事项1", "配合事项3", "基本事项0"])
    services.finish_feedback(window, by=cast["department_reviewer"])
    workflow.perform(duty_list, "close_comments", by=cast["county_editor"])
    return window


def test_the_township_accepts_with_one_click_and_rejects_with_a_reason(
    client, cast, duty_list, answered_round
):
    client.force_login(cast["township_official"])
    first, second, third = Comment.objects.order_by("pk")
    client.post(reverse("review:comment_answer", args=[first.pk]), {"answer": "accepted", "apply": "1"})
    refused = client.post(
        reverse("review:comment_answer", args=[second.pk]), {"answer": "rejected"}, follow=True
    )
    assert "部分采纳或不采纳须写明理由" in refused.content.decode()
    client.post(
        reverse("review:comment_answer", args=[second.pk]),
        {"answer": "rejected", "answer_reason": "名称沿用省目录"},
    )
    assert DutyItem.objects.filter(duty_list=duty_list, name="配合事项1（改）").exists()
    second.refresh_from_db()
    assert (second.answer, second.answer_reason) == ("rejected", "名称沿用省目录")
    assert DutyItem.objects.filter(duty_list=duty_list, name="配合事项3").exists()


def test_bulk_answers_use_one_reply_for_many_comments(client, cast, duty_list, answered_round):
    ReplyTemplate.objects.create(
        county=duty_list.township.county, answer="rejected", text="与省级目录表述一致，不予修改"
    )
    client.force_login(cast["township_official"])
    page = client.get(reverse("review:list_comments", args=[duty_list.pk])).content.decode()
    assert "与省级目录表述一致" in page
    ids = list(Comment.objects.values_list("pk", flat=True))
    client.post(
        reverse("review:comments_answer_bulk", args=[duty_list.pk]),
        {"comments": ids, "answer": "rejected", "answer_reason": "与省级目录表述一致，不予修改"},
    )
    assert set(Comment.objects.values_list("answer", "state")) == {("rejected", "answered")}


def test_a_department_reviewer_cannot_answer(client, cast, duty_list, answered_round):
    client.force_login(cast["department_reviewer"])
    comment = Comment.objects.first()
    response = client.post(
        reverse("review:comment_answer", args=[comment.pk]), {"answer": "accepted", "apply": "1"}
    )
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.answer == "" and not DutyItem.objects.filter(name__endswith="（改）").exists()


def test_answer_page_queries_do_not_grow_with_comments(client, cast, duty_list, department, answered_round):
    client.force_login(cast["township_official"])
    url = reverse("review:list_comments", args=[duty_list.pk]) + "?show=all"
    before = queries_of(client, url)
    more = make_department(duty_list.township.county, "县民政局")
    window = answered_round
    for n, name in enumerate(["配合事项1", "基本事项2"]):
        item = window.submission.items.get(name=name)
        Comment.objects.create(
            duty_list=duty_list,
            window=window,
            item_key=item.key,
            item_name=name,
            department=more,
            signature=more.name,
            author=cast["department_reviewer"],
            position="modify",
            text=f"补充{n}",
        ).proposed_lead_departments.set([department, more])
    assert queries_of(client, url) == before


# Comparing versions.


def test_the_comparison_shows_added_removed_changed_and_moved_items_with_their_cause(
    client, cast, duty_list, department, answered_round
):
    official = cast["township_official"]
    first = Comment.objects.order_by("pk").first()
    services.answer_comment(first, by=official, answer="accepted", apply=True)
    removed = DutyItem.objects.get(duty_list=duty_list, name="基本事项2")
    catalog_services.delete_item(removed, by=official)
    moved = DutyItem.objects.get(duty_list=duty_list, name="基本事项0")
    catalog_services.move_items_to_part(
        [moved], part=Part.COORDINATED, reason="部门牵头", lead_departments=[department], by=official
    )
    make_item(duty_list, name="新增事项")
    Comment.objects.exclude(pk=first.pk).update(answer="rejected", answer_reason="不改", state="answered")
    workflow.perform(duty_list, "submit", by=official)

    client.force_login(cast["department_reviewer"])
    page = client.get(reverse("review:compare", args=[duty_list.pk]) + "?before=1&after=2")
    comparison = page.context["comparison"]
    kinds = {item.name: item.kind for item in comparison.items}
    assert kinds == {
        "配合事项1（改）": "changed",
        "基本事项2": "removed",
        "基本事项0": "moved",
        "新增事项": "added",
    }
    renamed = next(i for i in comparison.items if i.kind == "changed")
    assert [(f.label, f.before, f.after) for f in renamed.fields] == [
        ("事项名称", "配合事项1", "配合事项1（改）")
    ]
    assert renamed.comments == [first]
    assert comparison.counts == {"新增": 1, "删除": 1, "修改": 1, "调整清单类型": 1}
    assert "采纳" in page.content.decode()


def test_comparison_queries_do_not_grow_with_items(client, cast, duty_list, department):
    add_items(duty_list, department, 4)
    workflow.perform(duty_list, "submit", by=cast["township_official"])
    client.force_login(cast["county_editor"])
    url = reverse("review:compare", args=[duty_list.pk]) + "?before=1&after=draft"
    before = queries_of(client, url)
    add_items(duty_list, department, 8, start=10)
    assert queries_of(client, url) == before


# Disputes, board, inbox, reports.


@pytest.fixture
def dispute(cast, duty_list, department, answered_round):
    comment = Comment.objects.order_by("pk").first()
    return decisions.escalate_comment(comment, by=cast["county_editor"])


def test_the_docket_prints_and_exports_the_disputes_by_township(client, cast, dispute):
    client.force_login(cast["county_leader"])
    county = dispute.duty_list.township.county
    page = client.get(reverse("review:docket") + f"?county={county.pk}")
    assert "配合事项1" in page.content.decode() and "协调拍板" in page.content.decode()
    response = client.get(reverse("review:docket") + f"?county={county.pk}&format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content))["争议事项"]
    assert sheet["A2"].value == "序号" and sheet["B3"].value == dispute.duty_list.township.name
    assert sheet["D3"].value == "配合事项1" and sheet["G3"].value == "待协调"


def test_the_leader_decides_from_the_page(client, cast, dispute):
    client.force_login(cast["county_leader"])
    url = reverse("review:decide", args=[dispute.pk])
    bad = client.post(url, {"outcome": "", "meeting": "协调会"})
    assert bad.status_code == 400 and "请写明决定内容" in bad.content.decode()
    client.post(
        url,
        {"outcome": "维持原名称", "meeting": "县委协调会", "decided_on": timezone.localdate().isoformat()},
    )
    dispute.refresh_from_db()
    assert dispute.decision.outcome == "维持原名称"
    assert DutyItem.objects.get(key=dispute.item_key).is_decided


def test_an_editor_cannot_decide(client, cast, dispute):
    client.force_login(cast["county_editor"])
    response = client.post(
        reverse("review:decide", args=[dispute.pk]),
        {"outcome": "x", "meeting": "x", "decided_on": "2025-01-01"},
    )
    assert response.status_code == 403 and not hasattr(Dispute.objects.get(), "decision")


def test_the_board_shows_stage_open_comments_late_departments_and_disputes(
    client, cast, duty_list, department, dispute
):
    other = DutyList.objects.create(
        township=cast["other_township_official"].memberships.get().township, title="青山镇清单", year=2025
    )
    add_items(other, department, 2)
    workflow.perform(other, "submit", by=cast["county_editor"])
    open_window(other, cast, department)
    from review.models import CommentWindow

    CommentWindow.objects.filter(duty_list=other).update(deadline=timezone.localdate() - timedelta(days=2))
    client.force_login(cast["county_editor"])
    board = client.get(reverse("review:board")).context["board"]
    rows = {row.duty_list.pk: row for row in board.rows}
    assert rows[duty_list.pk].open_comments == 2 and rows[duty_list.pk].disputes_waiting == 1
    assert rows[other.pk].late_departments == ["县农业农村局"] and rows[other.pk].days_in_stage == 0
    assert board.late == [("青山镇", "县农业农村局", timezone.localdate() - timedelta(days=2))]
    assert ("县农业农村局", 2) in board.open_by_department


def test_the_board_is_for_the_county_editor_and_leader(client, cast, duty_list):
    for role, status in [("department_reviewer", 404), ("other_county_editor", 404), ("county_leader", 200)]:
        client.force_login(cast[role])
        assert (
            client.get(reverse("review:board") + f"?county={duty_list.township.county_id}").status_code
            == status
        )


def township_list_in_review(cast, department, township, items: int) -> DutyList:
    duty_list = DutyList.objects.create(township=township, title=f"{township.name}清单", year=2025)
    add_items(duty_list, department, items)
    workflow.perform(duty_list, "submit", by=cast["county_editor"])
    window = open_window(duty_list, cast, department)
    comment_on(window, cast["department_reviewer"], ["配合事项1", "基本事项0"][: items // 2 + 1])
    return duty_list


def test_board_and_inbox_queries_do_not_grow(client, cast, duty_list, department, answered_round):
    county = duty_list.township.county
    township_list_in_review(cast, department, cast["other_township_official"].memberships.get().township, 2)
    client.force_login(cast["county_editor"])
    board_before = queries_of(client, reverse("review:board"))
    client.force_login(cast["township_official"])
    inbox_before = queries_of(client, reverse("review:inbox"))
    client.force_login(cast["department_reviewer"])
    reviewer_before = queries_of(client, reverse("review:inbox"))

    township_list_in_review(cast, department, make_township(county, "河西乡"), 6)
    client.force_login(cast["county_editor"])
    assert queries_of(client, reverse("review:board")) == board_before
    client.force_login(cast["township_official"])
    assert queries_of(client, reverse("review:inbox")) == inbox_before
    client.force_login(cast["department_reviewer"])
    assert queries_of(client, reverse("review:inbox")) == reviewer_before


def test_each_inbox_shows_what_waits_for_its_owner(client, cast, duty_list, department, answered_round):
    assert inbox_for(cast["township_official"]).to_answer == [(duty_list, 3)]
    assert inbox_for(cast["department_reviewer"]).count == 0
    client.force_login(cast["township_official"])
    assert client.get(reverse("review:inbox_count")).content.decode() == "1"  # one list to answer
    decisions.escalate_comment(Comment.objects.first(), by=cast["county_editor"])
    assert [d.item_name for d in inbox_for(cast["county_leader"]).to_decide] == ["配合事项1"]
    assert inbox_for(cast["township_official"]).to_answer == [(duty_list, 2)]


def test_one_digest_per_user_per_day(cast, duty_list, department, answered_round, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    official = cast["township_official"]
    official.email = "official@example.cn"
    official.save()
    Notification.objects.create(user=official, text="意见已反馈")
    Notification.objects.create(user=official, text="另一条通知")
    assert notifications.send_digests() == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["official@example.cn"]
    assert "3 条意见待答复" in mail.outbox[0].body and "另一条通知" in mail.outbox[0].body
    Notification.objects.create(user=official, text="第三条通知")
    assert notifications.send_digests() == 0 and len(mail.outbox) == 1
    assert Digest.objects.get().user == official
    assert Notification.objects.filter(digested_at__isnull=True).count() == 1


def test_the_disposition_report_lists_every_comment_with_its_answer(client, cast, duty_list, answered_round):
    first = Comment.objects.order_by("pk").first()
    services.answer_comment(first, by=cast["township_official"], answer="rejected", reason="沿用省目录")
    client.force_login(cast["county_editor"])
    url = reverse("review:disposition_report", args=[duty_list.pk]) + "?round=1"
    page = client.get(url).content.decode()
    assert "一上稿" in page and "沿用省目录" in page and "未答复" in page
    sheet = load_workbook(io.BytesIO(client.get(url + "&format=xlsx").content))["意见采纳情况表"]
    assert [c.value for c in sheet[2]] == [
        "序号",
        "轮次",
        "提出单位",
        "事项",
        "意见",
        "意见内容",
        "采纳情况",
        "理由",
    ]
    assert [c.value for c in sheet[3]][1:4] == ["一上稿", "县农业农村局", "配合事项1"]
    assert sheet["G3"].value == "不采纳" and sheet["H3"].value == "沿用省目录"
    assert sheet.max_row == 5


def test_report_and_docket_queries_do_not_grow(client, cast, duty_list, department, answered_round):
    client.force_login(cast["county_editor"])
    county = duty_list.township.county_id
    urls = [
        reverse("review:disposition_report", args=[duty_list.pk]),
        reverse("review:docket") + f"?county={county}",
    ]
    for comment in Comment.objects.all()[:1]:
        decisions.escalate_comment(comment, by=cast["county_editor"])
    before = [queries_of(client, url) for url in urls]
    for comment in Comment.objects.filter(state="open"):
        decisions.escalate_comment(comment, by=cast["county_editor"])
    assert [queries_of(client, url) for url in urls] == before
    assert Dispute.objects.count() == 3


def test_consultees_find_the_open_consultation_in_their_inbox(cast, dispute):
    duty_list = dispute.duty_list
    decisions.decide_dispute(
        dispute, by=cast["county_leader"], outcome="维持", meeting="协调会", decided_on=timezone.localdate()
    )
    Comment.objects.filter(state="open").update(state="disputed")
    DutyList.objects.filter(pk=duty_list.pk).update(stage=Stage.COORDINATION)  # test setup
    duty_list.refresh_from_db()
    workflow.perform(duty_list, "start_consultation", by=cast["county_editor"])
    inbox = inbox_for(cast["consultee"])
    assert [w.duty_list for w in inbox.to_consult] == [duty_list] and inbox.count == 1


def test_the_board_lists_townships_that_have_not_started(client, cast, duty_list):
    make_township(duty_list.township.county, "河西乡")
    client.force_login(cast["county_editor"])
    board = client.get(reverse("review:board")).context["board"]
    assert [t.name for t in board.not_started] == ["青山镇", "河西乡"]


def test_responding_never_redirects_to_another_site(client, cast, duty_list, answered_round):
    client.force_login(cast["department_reviewer"])
    comment = Comment.objects.first()
    response = client.post(
        reverse("review:comment_respond", args=[comment.pk]),
        {"accept": "1", "next": "https://evil.example/"},
    )
    # No later round is open, so the response is refused; the way back is still this site's queue.
    assert response.status_code == 409 and "evil.example" not in response.content.decode()
    assert f'href="{reverse("review:queue")}"' in response.content.decode()


def test_only_leaders_are_offered_the_decision_link(client, cast, dispute):
    url = reverse("review:list_disputes", args=[dispute.duty_list_id])
    decide_url = reverse("review:decide", args=[dispute.pk])
    client.force_login(cast["township_official"])
    assert decide_url not in client.get(url).content.decode()
    client.force_login(cast["county_leader"])
    assert decide_url in client.get(url).content.decode()


def test_days_in_stage_do_not_restart_when_a_window_opens(client, cast, duty_list, department):
    from review.models import StageChange

    add_items(duty_list, department, 2)
    workflow.perform(duty_list, "submit", by=cast["township_official"])
    StageChange.objects.update(changed_at=timezone.now() - timedelta(days=30))
    open_window(duty_list, cast, department)
    client.force_login(cast["county_editor"])
    [row] = client.get(reverse("review:board")).context["board"].rows
    assert row.days_in_stage == 30
