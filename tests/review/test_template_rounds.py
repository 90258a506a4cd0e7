"""Rounds on the county template (issue 14): the county editor asks the townships, their officials
comment entry by entry with the comment machinery departments use, the editor answers each comment,
may adopt a proposal into the template, and sees every township's comments on one entry together."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.actors import SYSTEM
from catalog.models import CatalogueEntry, Membership, Part
from catalog.refusals import refusal_of
from review import services, template_rounds
from review.inbox import inbox_for
from review.models import Comment, CommentWindow, Notification, Reply
from review.notifications import send_deadline_reminders
from tests.conftest import make_township, make_user
from tests.review.conftest import make_template, open_template_round

pytestmark = pytest.mark.django_db

Position = Comment.Position


@pytest.fixture
def template(cast, duty_list):
    return make_template(duty_list.township.county)


@pytest.fixture
def opened(cast, template, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return open_template_round(template, cast["county_editor"])


def entry(template, name: str) -> CatalogueEntry:
    return template.entries.get(name=name)


def comment_on(window, official, name=None, **fields) -> Comment:
    fields.setdefault("position", Position.AGREE)
    target = entry(window.catalogue, name) if name else None
    return services.add_comment(window, by=official, entry=target, **fields)


def refused(call) -> tuple:
    with pytest.raises(Exception) as caught:
        call()
    refusal = refusal_of(caught.value)
    return refusal.status, refusal.code, refusal.field


# Opening a round.


def test_the_editor_asks_the_townships_and_their_officials_are_told(cast, opened, duty_list):
    assert opened.kind == CommentWindow.Kind.TOWNSHIPS and opened.duty_list is None
    assert sorted(i.township.name for i in opened.invitations.all()) == ["城关镇", "青山镇"]
    told = set(Notification.objects.values_list("user__username", flat=True))
    assert told == {"official", "official-next-door"}
    assert inbox_for(cast["township_official"]).to_comment_template[0].window == opened


@pytest.mark.parametrize("who", ["township_official", "other_county_editor", "department_reviewer"])
def test_only_the_countys_editor_opens_a_round(cast, template, who):
    township = template.county.townships.first()
    call = lambda: template_rounds.open_template_round(  # noqa: E731
        template, by=cast[who], townships=[township], deadline=timezone.localdate()
    )
    assert refused(call) == (403, "not_allowed", "")
    assert not CommentWindow.objects.exists()


def test_a_round_asks_only_the_countys_townships_and_one_at_a_time(cast, template, opened):
    elsewhere = make_township(cast["other_county_editor"].memberships.get().county, "外县镇")
    editor, today = cast["county_editor"], timezone.localdate()
    assert refused(
        lambda: template_rounds.open_template_round(
            template, by=editor, townships=[elsewhere], deadline=today
        )
    ) == (409, "window_open", "")
    template_rounds.close_template_round(opened, by=editor)
    assert refused(
        lambda: template_rounds.open_template_round(
            template, by=editor, townships=[elsewhere], deadline=today
        )
    ) == (400, "other_county", "townships")
    assert refused(
        lambda: template_rounds.open_template_round(
            template, by=editor, townships=[], deadline=today - timedelta(days=1)
        )
    ) == (400, "required", "townships")
    assert CommentWindow.objects.count() == 1


# Commenting, township by township.


def test_a_township_official_comments_with_each_position(cast, opened):
    official = cast["township_official"]
    agree = comment_on(opened, official, "农村低保审核")
    modify = comment_on(
        opened,
        official,
        "农村低保审核",
        position=Position.MODIFY,
        proposed_content="受理申请，10日内入户调查",
    )
    unfit = comment_on(
        opened, official, "殡葬管理", position=Position.NOT_APPLICABLE, text="本镇无公墓，由县民政局管理"
    )
    added = comment_on(
        opened,
        official,
        position=Position.ADD,
        proposed_name="河道保洁",
        proposed_part=Part.BASIC,
        proposed_category=entry(opened.catalogue, "殡葬管理").category,
    )
    rows = Comment.objects.order_by("pk").values_list(
        "signature", "township__name", "entry__name", "position", "state"
    )
    assert list(rows) == [
        ("城关镇", "城关镇", "农村低保审核", "agree", "settled"),
        ("城关镇", "城关镇", "农村低保审核", "modify", "open"),
        ("城关镇", "城关镇", "殡葬管理", "not_applicable", "open"),
        ("城关镇", "城关镇", None, "add", "open"),
    ]
    assert [c.duty_list_id for c in (agree, modify, unfit, added)] == [None] * 4
    assert unfit.position_text() == "不适用本乡镇：本镇无公墓，由县民政局管理"


def test_not_applicable_needs_a_reason_and_disagree_is_not_a_townships_position(cast, opened):
    official = cast["township_official"]
    assert refused(lambda: comment_on(opened, official, "殡葬管理", position=Position.NOT_APPLICABLE)) == (
        400,
        "reason_required",
        "text",
    )
    with pytest.raises(Exception) as caught:
        comment_on(opened, official, "殡葬管理", position=Position.DISAGREE, reason="not_our_duty")
    assert refusal_of(caught.value).message == "请选择意见：同意、建议修改、建议增加事项或不适用本乡镇。"
    assert refused(
        lambda: comment_on(
            opened, official, "殡葬管理", position=Position.NOT_APPLICABLE, text="无", proposed_name="殡葬"
        )
    ) == (400, "proposal_not_applicable", "position")
    assert refused(lambda: comment_on(opened, official, position=Position.AGREE)) == (
        400,
        "required",
        "entry",
    )
    assert not Comment.objects.exists()


def test_only_officials_of_an_invited_township_comment(cast, template, duty_list):
    county = duty_list.township.county
    window = open_template_round(template, cast["county_editor"], duty_list.township)
    uninvited = cast["other_township_official"]  # 青山镇 was not asked this time
    assert refused(lambda: comment_on(window, uninvited, "殡葬管理")) == (403, "not_invited", "")
    assert refused(lambda: comment_on(window, cast["department_reviewer"], "殡葬管理")) == (
        403,
        "not_invited",
        "",
    )
    assert refused(lambda: comment_on(window, cast["county_editor"], "殡葬管理")) == (403, "not_invited", "")
    other = make_template(county, "另一模板")  # same county, another catalogue
    foreign = other.entries.first()
    assert refused(
        lambda: services.add_comment(
            window, by=cast["township_official"], entry=foreign, position=Position.AGREE
        )
    ) == (400, "not_in_template", "entry")
    assert not Comment.objects.exists()


def test_a_closed_round_takes_no_comments(cast, opened):
    template_rounds.close_template_round(opened, by=cast["county_editor"])
    assert refused(lambda: comment_on(opened, cast["township_official"], "殡葬管理")) == (
        409,
        "window_closed",
        "",
    )
    assert refused(lambda: template_rounds.close_template_round(opened, by=cast["county_editor"])) == (
        409,
        "window_closed",
        "",
    )
    assert refused(lambda: template_rounds.close_template_round(opened, by=cast["township_official"])) == (
        403,
        "not_allowed",
        "",
    )
    assert not Comment.objects.exists()


# Answering.


def test_adopting_a_proposed_wording_changes_the_template_entry_with_its_cause(cast, opened):
    editor = cast["county_editor"]
    comment = comment_on(
        opened,
        cast["township_official"],
        "农村低保审核",
        position=Position.MODIFY,
        proposed_content="受理申请，10日内入户调查",
    )
    template_rounds.answer_template_comment(comment, by=editor, answer="accepted", apply=True)
    comment.refresh_from_db()
    target = entry(opened.catalogue, "农村低保审核")
    assert target.content == "受理申请，10日内入户调查"
    record = target.history.first()
    assert (record.history_user, record.history_change_reason) == (
        editor,
        f"采纳城关镇意见（意见编号 {comment.pk}）",
    )
    assert (comment.state, comment.answer, comment.applied_at is not None) == ("settled", "accepted", True)
    assert list(comment.replies.values_list("kind", "answer", "by")) == [("answer", "accepted", editor.pk)]


def propose_river_cleaning(window, official) -> Comment:
    """建议增加事项 河道保洁 (基本, 民生服务)."""
    return comment_on(
        window,
        official,
        position=Position.ADD,
        proposed_name="河道保洁",
        proposed_part=Part.BASIC,
        proposed_content="组织河道日常保洁",
        proposed_category=entry(window.catalogue, "殡葬管理").category,
    )


def test_adopting_a_proposed_entry_adds_it_to_the_template(cast, opened):
    comment = propose_river_cleaning(opened, cast["township_official"])
    category = comment.proposed_category
    template_rounds.answer_template_comment(comment, by=cast["county_editor"], answer="accepted", apply=True)
    added = opened.catalogue.entries.get(name="河道保洁")
    assert (added.part, added.category, added.content, added.order) == (
        Part.BASIC,
        category,
        "组织河道日常保洁",
        3,
    )
    comment.refresh_from_db()
    assert comment.entry == added


def test_not_adopting_needs_a_reason_and_only_the_editor_answers(cast, opened):
    comment = comment_on(
        opened, cast["township_official"], "殡葬管理", position=Position.NOT_APPLICABLE, text="无公墓"
    )
    editor = cast["county_editor"]
    assert refused(
        lambda: template_rounds.answer_template_comment(comment, by=editor, answer="rejected")
    ) == (
        400,
        "reason_required",
        "reason",
    )
    for who in ("township_official", "other_county_editor", "department_reviewer"):
        assert refused(
            lambda: template_rounds.answer_template_comment(comment, by=cast[who], answer="accepted")  # noqa: B023
        ) == (403, "cannot_answer", "")
    assert refused(
        lambda: template_rounds.answer_template_comment(
            comment, by=editor, answer="rejected", reason="x", apply=True
        )
    ) == (400, "apply_not_accepted", "apply")
    assert not Reply.objects.exists()
    template_rounds.close_template_round(opened, by=editor)  # answers stay open to give after the round
    template_rounds.answer_template_comment(
        comment, by=editor, answer="rejected", reason="全县统一列入，可不实际发生"
    )
    comment.refresh_from_db()
    assert (comment.state, comment.answer_reason) == ("answered", "全县统一列入，可不实际发生")


def test_an_adopted_and_applied_answer_is_final(cast, opened):
    comment = comment_on(
        opened, cast["township_official"], "殡葬管理", position=Position.MODIFY, proposed_name="殡葬改革"
    )
    editor = cast["county_editor"]
    template_rounds.answer_template_comment(comment, by=editor, answer="accepted", apply=True)
    assert refused(
        lambda: template_rounds.answer_template_comment(comment, by=editor, answer="rejected", reason="改回")
    ) == (409, "already_applied", "")
    agree = comment_on(opened, cast["other_township_official"], "农村低保审核")
    assert refused(lambda: template_rounds.answer_template_comment(agree, by=editor, answer="accepted")) == (
        409,
        "agreed_comment",
        "",
    )


def test_the_inbox_lists_what_the_editor_has_to_answer(cast, opened):
    editor = cast["county_editor"]
    comment_on(opened, cast["township_official"], "殡葬管理", position=Position.NOT_APPLICABLE, text="无公墓")
    comment_on(
        opened,
        cast["other_township_official"],
        "殡葬管理",
        position=Position.MODIFY,
        proposed_name="殡葬改革",
    )
    comment_on(opened, cast["other_township_official"], "农村低保审核")  # 同意 waits for nothing
    inbox = inbox_for(editor)
    assert [(w.pk, w.waiting) for w in inbox.to_answer_template] == [(opened.pk, 2)]
    assert inbox.count == 1


# Pages.


def post_comment(client, window, name, data):
    url = (
        reverse("review:template_comment_add", args=[window.pk])
        + f"?entry={entry(window.catalogue, name).pk}"
    )
    return client.post(url, data)


def test_the_comment_form_offers_the_townships_positions_with_the_current_wording(client, cast, opened):
    client.force_login(cast["township_official"])
    url = (
        reverse("review:template_comment_add", args=[opened.pk])
        + f"?entry={entry(opened.catalogue, '殡葬管理').pk}"
    )
    page = client.get(url).content.decode()
    assert "不适用本乡镇" in page and "不同意" not in page and "受理申请" not in page
    assert "宣传殡葬政策" in page  # 建议具体内容 starts from the entry's wording
    response = post_comment(client, opened, "殡葬管理", {"position": "not_applicable", "text": ""})
    assert response.status_code == 400 and "“不适用本乡镇”须写明不适用的理由。" in response.content.decode()
    response = post_comment(
        client, opened, "殡葬管理", {"position": "modify", "proposed_content": "宣传殡葬改革政策"}
    )
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.entry.name, comment.proposed_content, comment.proposed_name) == (
        "殡葬管理",
        "宣传殡葬改革政策",
        "",
    )


def test_pages_refuse_other_counties_and_closed_rounds(client, cast, opened):
    client.force_login(cast["county_editor"])  # a list window's pages do not serve the template's round
    assert client.get(reverse("review:window", args=[opened.pk])).status_code == 404
    client.force_login(cast["other_county_editor"])
    assert client.get(reverse("review:template_round", args=[opened.pk])).status_code == 404
    entry_url = reverse("review:template_entry", args=[opened.pk, entry(opened.catalogue, "殡葬管理").pk])
    assert client.get(entry_url).status_code == 404
    assert client.post(reverse("review:template_round_close", args=[opened.pk])).status_code == 404
    template_rounds.close_template_round(opened, by=cast["county_editor"])
    client.force_login(cast["township_official"])
    response = post_comment(client, opened, "殡葬管理", {"position": "agree"})
    assert response.status_code == 409 and "本轮意见征求已经结束" in response.content.decode()
    client.force_login(cast["county_editor"])
    response = client.post(reverse("review:template_round_close", args=[opened.pk]))
    assert response.status_code == 409 and "本轮意见征求已经结束。" in response.content.decode()
    assert not Comment.objects.exists()


def test_the_editor_opens_a_round_from_the_page(client, cast, template):
    client.force_login(cast["county_editor"])
    county = template.county
    page = client.get(reverse("review:template_rounds") + f"?county={county.pk}").content.decode()
    assert template.name in page and "发起意见征求" in page
    url = reverse("review:template_round_open", args=[template.pk])
    form = client.get(url).content.decode()
    assert "城关镇" in form and "青山镇" in form
    chengguan = county.townships.get(name="城关镇")
    response = client.post(url, {"townships": [chengguan.pk], "deadline": "2020-01-01"})
    assert response.status_code == 400 and "已经过去" in response.content.decode()
    deadline = timezone.localdate() + timedelta(days=5)
    response = client.post(url, {"townships": [chengguan.pk], "deadline": deadline.isoformat()})
    window = CommentWindow.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "review:template_round", args=[window.pk]
    )
    assert [i.township for i in window.invitations.all()] == [chengguan] and window.deadline == deadline


def test_the_editor_answers_on_the_entry_page(client, cast, opened):
    comment = comment_on(
        opened, cast["township_official"], "殡葬管理", position=Position.MODIFY, proposed_name="殡葬改革"
    )
    client.force_login(cast["township_official"])
    url = reverse("review:template_comment_answer", args=[comment.pk])
    assert client.post(url, {"answer": "accepted"}).status_code == 403
    client.force_login(cast["county_editor"])
    response = client.post(url, {"answer": "accepted", "apply": "1"})
    target = entry(opened.catalogue, "殡葬改革")
    assert response["Location"] == reverse("review:template_entry", args=[opened.pk, target.pk])
    comment.refresh_from_db()
    assert comment.answer == "accepted" and comment.applied_at is not None


def add_townships_commenting(county, window, n: int, start: int) -> None:
    """`n` more townships, each with an official who comments twice on 殡葬管理."""
    for i in range(start, start + n):
        township = make_township(county, f"第{i}乡")
        window.invitations.create(township=township)
        official = make_user(f"official-{i}", Membership.Role.TOWNSHIP_OFFICIAL, township=township)
        comment_on(window, official, "殡葬管理", position=Position.NOT_APPLICABLE, text=f"第{i}乡无此事")
        comment_on(
            window,
            official,
            "殡葬管理",
            position=Position.MODIFY,
            proposed_lead_departments=[],
            text="请细化",
        )


def test_the_entry_page_shows_every_townships_comment_in_a_fixed_number_of_queries(
    client, cast, opened, django_assert_num_queries
):
    county = opened.catalogue.county
    client.force_login(cast["county_editor"])
    url = reverse("review:template_entry", args=[opened.pk, entry(opened.catalogue, "殡葬管理").pk])
    add_townships_commenting(county, opened, 1, 1)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        response = client.get(url)
    assert response.status_code == 200
    add_townships_commenting(county, opened, 4, 2)
    template_rounds.answer_template_comment(
        Comment.objects.filter(position=Position.NOT_APPLICABLE).first(),
        by=cast["county_editor"],
        answer="rejected",
        reason="保留",
    )
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    page = response.content.decode()
    assert all(f"第{i}乡无此事" in page for i in range(1, 6)) and page.count('class="township-comment"') == 10
    assert "县委编办答复" in page


def test_the_round_page_in_a_fixed_number_of_queries(client, cast, opened, django_assert_num_queries):
    county = opened.catalogue.county
    url = reverse("review:template_round", args=[opened.pk])
    for who in ("county_editor", "township_official"):
        client.force_login(cast[who])
        add_townships_commenting(county, opened, 1, 10 if who == "county_editor" else 20)
        client.get(url)
        with CaptureQueriesContext(connection) as small:
            client.get(url)
        add_townships_commenting(county, opened, 3, 30 if who == "county_editor" else 40)
        comment_on(
            opened, cast["township_official"], "农村低保审核", position=Position.MODIFY, proposed_name="低保"
        )
        with django_assert_num_queries(len(small.captured_queries)):
            response = client.get(url)
        assert response.status_code == 200
    page = response.content.decode()  # the township sees its own comments beside each entry
    assert "建议事项名称为“低保”" in page and "第40乡无此事" not in page


def test_the_system_neither_comments_nor_answers(cast, opened):
    assert refused(lambda: comment_on(opened, SYSTEM, "殡葬管理")) == (403, "not_invited", "")
    comment = comment_on(
        opened, cast["township_official"], "殡葬管理", position=Position.NOT_APPLICABLE, text="无"
    )
    assert refused(
        lambda: template_rounds.answer_template_comment(comment, by=SYSTEM, answer="accepted")
    ) == (
        403,
        "cannot_answer",
        "",
    )
    assert Comment.objects.get().answer == ""


def test_townships_are_reminded_before_the_deadline(cast, opened, django_capture_on_commit_callbacks):
    Notification.objects.all().delete()
    CommentWindow.objects.filter(pk=opened.pk).update(deadline=timezone.localdate() + timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_deadline_reminders() == 2
    texts = Notification.objects.values_list("user__username", "text", "url")
    url = reverse("review:template_round", args=[opened.pk])
    assert sorted(texts) == [
        (
            who,
            f"“{opened.catalogue.name}”的意见征求将于 {timezone.localdate() + timedelta(days=1):%Y-%m-%d} 截止，请及时提出意见。",
            url,
        )
        for who in ("official", "official-next-door")
    ]


def test_the_back_office_shows_the_rounds_to_their_countys_editor(client, cast, opened, superuser):
    comment = comment_on(
        opened, cast["township_official"], "殡葬管理", position=Position.NOT_APPLICABLE, text="无"
    )
    for who, seen in ((cast["county_editor"], True), (cast["other_county_editor"], False), (superuser, True)):
        client.force_login(who)
        listing = client.get(reverse("admin:review_commentwindow_changelist")).content.decode()
        assert (opened.catalogue.name in listing) is seen
        status = client.get(reverse("admin:review_comment_change", args=[comment.pk])).status_code
        assert (status == 200) is seen


def test_a_township_withdraws_its_comment_until_it_is_answered(client, cast, opened):
    comment = comment_on(
        opened, cast["township_official"], "殡葬管理", position=Position.NOT_APPLICABLE, text="无"
    )
    client.force_login(cast["township_official"])
    round_page = client.get(reverse("review:template_round", args=[opened.pk])).content.decode()
    assert reverse("review:comment_withdraw", args=[comment.pk]) in round_page
    response = client.post(reverse("review:comment_withdraw", args=[comment.pk]))
    assert response["Location"] == reverse("review:template_round", args=[opened.pk])
    assert not Comment.objects.exists()
    client.force_login(cast["other_county_editor"])
    other = comment_on(opened, cast["township_official"], "殡葬管理")
    assert client.post(reverse("review:comment_withdraw", args=[other.pk])).status_code == 404
    assert Comment.objects.filter(pk=other.pk).exists()


def test_the_editor_answers_a_proposed_entry_on_the_round_page(client, cast, opened):
    comment = propose_river_cleaning(opened, cast["other_township_official"])
    client.force_login(cast["county_editor"])
    url = reverse("review:template_round", args=[opened.pk])
    page = client.get(url).content.decode()
    assert "建议增加的事项" in page and reverse("review:template_comment_answer", args=[comment.pk]) in page
    response = client.post(
        reverse("review:template_comment_answer", args=[comment.pk]),
        {"answer": "partly", "answer_reason": ""},
    )
    assert response.status_code == 400 and "部分采纳或不采纳须写明理由" in response.content.decode()
    response = client.post(
        reverse("review:template_comment_answer", args=[comment.pk]),
        {"answer": "accepted", "apply": "1"},
    )
    assert response["Location"] == url + "#added"
    assert opened.catalogue.entries.filter(name="河道保洁").exists()
