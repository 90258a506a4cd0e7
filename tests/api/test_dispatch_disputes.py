"""派单异议 (退单): POST /api/v1/dispatch-disputes/ records a refused ticket against an item in force;
the county editor finds it in 待我处理, answers it, or turns several into one adjustment request
with the items prefilled; the annual review reads the counts per item."""

import pytest
from django.urls import reverse

from api import tokens
from api.models import IntegrationAccount
from catalog.actors import SYSTEM
from catalog.models import Part
from publication.evidence import dispatch_counts
from publication.models import Adjustment, DispatchDispute, DispatchLookup
from review.inbox import inbox_for
from tests.api.conftest import again, other_county, publish, row
from tests.conftest import make_township, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed(township, editor):
    return publish(
        township,
        [
            row("殡葬管理", Part.COORDINATED, township_duties="配合开展殡葬改革宣传"),
            row("宅基地审批", Part.RECLAIMED),
            row("农村供水保障", content="巡查农村供水设施"),
        ],
        by=editor,
    )


@pytest.fixture
def hotline(county):
    return make_user("hotline", "consultee", county=county)


def key_of(edition, name: str):
    return edition.items.get(name=name).key


def dispute(client, item_key, ticket="12345-20261201-0001", HTTP_AUTHORIZATION=None, **fields):
    body = {
        "key": str(item_key),
        "ticket_number": ticket,
        "refused_by": "城关镇人民政府",
        "reason": "不属于本镇职责",
    }
    headers = {"HTTP_AUTHORIZATION": HTTP_AUTHORIZATION} if HTTP_AUTHORIZATION else {}
    return client.post(
        reverse("api:dispatch_disputes"), body | fields, content_type="application/json", **headers
    )


def test_a_hotline_account_records_a_refused_ticket_against_the_item_in_force(
    client, township, listed, hotline
):
    client.force_login(hotline)
    response = dispute(client, key_of(listed, "殡葬管理"))
    assert response.status_code == 201
    stored = DispatchDispute.objects.get()
    assert response.json() | {"filed_at": None} == {
        "id": stored.pk,
        "key": str(stored.key),
        "item_name": "殡葬管理",
        "part": "coordinated",
        "township": township.code,
        "edition": 1,
        "item": f"http://testserver/api/v1/items/{stored.key}/",
        "ticket_number": "12345-20261201-0001",
        "refused_by": "城关镇人民政府",
        "reason": "不属于本镇职责",
        "state": "open",
        "state_label": "待处理",
        "filed_at": None,
    }
    assert (stored.township, stored.edition, stored.filed_by) == (township, listed, hotline)
    assert stored.history.get().history_user == hotline


def test_a_dispute_needs_a_signed_in_account(client, listed):
    response = dispute(client, key_of(listed, "殡葬管理"))
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
    assert not DispatchDispute.objects.exists()


def account_token(county, scopes=("dispatch",), name="12345 热线") -> dict:
    account = tokens.create_account(
        by=SYSTEM, county=county, name=name, kind=IntegrationAccount.Kind.HOTLINE, scopes=list(scopes)
    )
    _, secret = tokens.create_token(by=SYSTEM, name="派单系统", account=account)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_the_hotlines_integration_account_records_a_dispute_with_its_token(client, county, listed, editor):
    """The hotline is a system, not a person: its token with the dispatch scope records the dispute,
    which names the account, and the county editor is told."""
    headers = account_token(county)
    response = client.post(
        reverse("api:dispatch_disputes"),
        {
            "key": str(key_of(listed, "殡葬管理")),
            "ticket_number": "GD-7",
            "refused_by": "县民政局",
            "reason": "应由乡镇办理",
        },
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 201, response.json()
    recorded = DispatchDispute.objects.get()
    assert (recorded.filed_by, recorded.filed_via, recorded.filer) == (None, "12345 热线", "12345 热线")
    assert recorded.history.get().history_user is None
    assert [t.text for t in inbox_for(editor).elsewhere] == ["城关镇“殡葬管理”：1 件退单"]
    client.force_login(editor)
    page = client.get(reverse("publication:dispatch_disputes"))
    assert "12345 热线" in page.content.decode()


def test_an_account_token_without_the_dispatch_scope_or_of_another_county_records_nothing(
    client, county, listed
):
    reading = account_token(county, scopes=(), name="省级平台")
    response = dispute(client, key_of(listed, "殡葬管理"), **reading)
    assert response.status_code == 403 and "dispatch" in response.json()["message"]
    elsewhere = account_token(other_county(), name="外县热线")
    response = dispute(client, key_of(listed, "殡葬管理"), **elsewhere)
    assert response.status_code == 404 and response.json()["code"] == "item_not_found"
    assert not DispatchDispute.objects.exists()


def test_the_hotlines_lookups_are_counted_and_an_anonymous_visitors_are_not(client, county, listed):
    url = reverse("api:route") + "?q=殡葬&township=" + listed.township.code
    assert client.get(url).status_code == 200
    headers = account_token(county)
    assert client.get(url, **headers).status_code == 200
    assert client.get(url, **headers).status_code == 200
    elsewhere = account_token(other_county(), name="外县热线")
    assert client.get(url, **elsewhere).status_code == 200
    year = DispatchLookup.objects.get().day.year
    assert dispatch_counts(county, year) == {key_of(listed, "殡葬管理"): (2, 0)}


def test_an_item_no_longer_in_force_is_refused(client, township, editor, listed, hotline):
    kept = listed.items.get(name="殡葬管理")
    publish(township, [again(kept)], by=editor, number="示办发〔2026〕5号")
    client.force_login(hotline)
    response = dispute(client, key_of(listed, "宅基地审批"))
    assert response.status_code == 409
    assert response.json() == {
        "code": "not_in_force",
        "message": "“宅基地审批”已不在城关镇的现行清单中，不能作为派单依据登记退单。",
        "field": "key",
    }
    assert dispute(client, kept.key).status_code == 201  # the item kept in the new edition
    assert list(DispatchDispute.objects.values_list("edition__number", flat=True)) == [2]


def test_another_county_s_item_and_an_unknown_key_are_not_found(client, listed, editor):
    elsewhere = make_township(other_county())
    theirs = publish(elsewhere, [row("殡葬管理")], by=editor)
    client.force_login(make_user("hotline-elsewhere", "consultee", county=elsewhere.county))
    for key in (key_of(listed, "殡葬管理"), "6f1c2b1e-0000-4000-8000-000000000000"):
        response = dispute(client, key)
        assert response.status_code == 404 and response.json()["code"] == "item_not_found"
        assert response.json()["field"] == "key"
    assert dispute(client, key_of(theirs, "殡葬管理")).status_code == 201
    assert DispatchDispute.objects.get().township == elsewhere


@pytest.mark.parametrize(
    ("fields", "status", "code", "field"),
    [
        ({"ticket_number": ""}, 400, "blank", "ticket_number"),
        ({"refused_by": "   "}, 400, "blank", "refused_by"),
        ({"reason": "理" * 2001}, 400, "too_long", "reason"),
        ({"key": "不是标识"}, 400, "invalid", "key"),
    ],
)
def test_bad_input_names_the_field_and_records_nothing(client, listed, hotline, fields, status, code, field):
    client.force_login(hotline)
    response = dispute(client, key_of(listed, "殡葬管理"), **fields)
    assert (response.status_code, response.json()["code"], response.json()["field"]) == (status, code, field)
    assert response.json()["message"] and not DispatchDispute.objects.exists()


def test_the_same_ticket_and_item_are_recorded_once(client, listed, hotline):
    client.force_login(hotline)
    assert dispute(client, key_of(listed, "殡葬管理")).status_code == 201
    again_ = dispute(client, key_of(listed, "殡葬管理"))
    assert again_.status_code == 409 and again_.json()["code"] == "dispute_recorded"
    assert dispute(client, key_of(listed, "宅基地审批")).status_code == 201  # same ticket, other item
    assert DispatchDispute.objects.count() == 2


def file_three(client, listed, hotline):
    client.force_login(hotline)
    for n, name in enumerate(["殡葬管理", "殡葬管理", "宅基地审批"]):
        assert dispute(client, key_of(listed, name), ticket=f"T-{n}").status_code == 201
    client.logout()


def test_disputes_reach_the_county_editor_s_inbox_one_task_per_item(client, listed, hotline, editor):
    file_three(client, listed, hotline)
    tasks = [t for t in inbox_for(editor).elsewhere if t.section == "待处理的派单异议"]
    assert [t.text for t in tasks] == ["城关镇“殡葬管理”：2 件退单", "城关镇“宅基地审批”：1 件退单"]
    assert inbox_for(editor).count == 2
    assert inbox_for(make_user("other-editor", "county_editor", county=other_county())).count == 0
    client.force_login(editor)
    assert "城关镇“殡葬管理”：2 件退单" in client.get(reverse("review:inbox")).content.decode()
    assert client.get(reverse("review:inbox_count")).content.decode() == "2"


def test_the_editor_answers_a_dispute_and_it_leaves_the_inbox(client, listed, hotline, editor):
    file_three(client, listed, hotline)
    first = DispatchDispute.objects.get(ticket_number="T-2")
    client.force_login(hotline)  # not the county editor
    refused = client.post(reverse("publication:dispatch_dispute_answer", args=[first.pk]), {"answer": "维持"})
    assert refused.status_code == 404
    client.force_login(editor)
    blank = client.post(reverse("publication:dispatch_dispute_answer", args=[first.pk]), {"answer": " "})
    assert blank.status_code == 400 and "请填写答复。" in blank.content.decode()
    client.post(
        reverse("publication:dispatch_dispute_answer", args=[first.pk]),
        {"answer": "该事项已收回，请改派县民政局。"},
    )
    first.refresh_from_db()
    assert (first.state, first.answer, first.answered_by) == (
        "answered",
        "该事项已收回，请改派县民政局。",
        editor,
    )
    assert [t.text for t in inbox_for(editor).elsewhere] == ["城关镇“殡葬管理”：2 件退单"]
    again_ = client.post(reverse("publication:dispatch_dispute_answer", args=[first.pk]), {"answer": "再答"})
    assert again_.status_code == 409 and "已答复" in again_.content.decode()


def test_several_disputes_become_one_adjustment_request_with_the_item_filled_in(
    client, listed, hotline, editor
):
    file_three(client, listed, hotline)
    chosen = list(DispatchDispute.objects.filter(item_name="殡葬管理").order_by("pk"))
    client.force_login(editor)
    queue = client.get(reverse("publication:dispatch_disputes")).content.decode()
    assert "将选中的异议转为调整申请" in queue and 'name="dispute"' in queue

    url = reverse("publication:adjustment_new", args=[listed.township.code])
    url += "".join(f"{'&' if n else '?'}dispute={d.pk}" for n, d in enumerate(chosen))
    form = client.get(url)
    rows = form.context["rows"]
    assert len(rows.forms) == 1 and rows.forms[0].initial["key"] == str(chosen[0].key)
    assert (
        rows.forms[0].initial["name"] == "殡葬管理"
        and rows.forms[0].initial["content"] == "配合开展殡葬改革宣传"
    )
    assert rows.forms[0].initial["reason"] == (
        "12345 派单异议。工单 T-0 被城关镇人民政府退回：不属于本镇职责；工单 T-1 被城关镇人民政府退回：不属于本镇职责"
    )
    assert form.context["form"].initial["summary"] == "根据 12345 派单异议（工单 T-0、T-1）申请调整。"

    data = {
        "summary": "根据 12345 派单异议申请调整",
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "1",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "50",
        "items-0-action": "change",
        "items-0-key": str(chosen[0].key),
        "items-0-content": "配合开展殡葬改革宣传，劝导文明治丧",
        "items-0-basis": "《殡葬管理条例》",
        "items-0-reason": "退单反映配合职责写得不清",
        "confirm": "1",
    }
    filed = client.post(url, data)
    adjustment = Adjustment.objects.get()
    assert filed.status_code == 302 and filed["Location"] == reverse(
        "publication:adjustment", args=[adjustment.pk]
    )
    assert list(adjustment.items.values_list("key", "content")) == [
        (chosen[0].key, "配合开展殡葬改革宣传，劝导文明治丧")
    ]
    assert set(DispatchDispute.objects.filter(adjustment=adjustment).values_list("pk", flat=True)) == {
        d.pk for d in chosen
    }
    assert set(DispatchDispute.objects.values_list("ticket_number", "state")) == {
        ("T-0", "adjusting"),
        ("T-1", "adjusting"),
        ("T-2", "open"),
    }
    assert [t.text for t in inbox_for(editor).elsewhere] == ["城关镇“宅基地审批”：1 件退单"]


def test_counts_per_item_for_the_annual_review(client, county, listed, hotline):
    file_three(client, listed, hotline)
    year = DispatchDispute.objects.first().filed_at.year
    assert dispatch_counts(county, year) == {
        key_of(listed, "殡葬管理"): (0, 2),
        key_of(listed, "宅基地审批"): (0, 1),
    }
    assert dispatch_counts(county, year + 1) == {}


def test_the_queue_takes_as_many_queries_for_12_disputes_as_for_3(
    client, county, editor, listed, hotline, django_assert_num_queries
):
    file_three(client, listed, hotline)
    client.force_login(editor)
    url = reverse("publication:dispatch_disputes")
    client.get(url)
    with django_assert_num_queries(5):  # session, user, memberships, tabs, rows
        client.get(url)
    neighbour = make_township(county, "青山镇")
    theirs = publish(neighbour, [row("殡葬管理")], by=editor)
    client.force_login(hotline)
    for n in range(9):
        assert dispute(client, key_of(theirs, "殡葬管理"), ticket=f"N-{n}").status_code == 201
    client.force_login(editor)
    with django_assert_num_queries(5):
        page = client.get(url).content.decode()
    assert page.count('name="dispute"') == 12 and "青山镇" in page


def test_only_the_county_s_editor_handles_a_dispute_and_one_township_per_request(
    client, county, editor, listed, hotline
):
    from catalog.refusals import Forbidden, Invalid
    from publication import services

    file_three(client, listed, hotline)
    first = DispatchDispute.objects.get(ticket_number="T-0")
    for user in (hotline, make_user("other-editor", "county_editor", county=other_county())):
        with pytest.raises(Forbidden) as refused:
            services.answer_dispute(first, by=user, answer="维持")
        assert refused.value.code == "cannot_handle_dispute"
    neighbour = make_township(county, "青山镇")
    publish(neighbour, [row("殡葬管理")], by=editor)
    change = services.RequestedChange("remove", key=first.key, basis="依据", reason="理由")
    with pytest.raises(Invalid) as refused:
        services.file_adjustment_for_disputes(
            neighbour, by=editor, summary="调整", changes=[change], disputes=[first]
        )
    assert refused.value.code == "other_township"
    assert not Adjustment.objects.exists()
    assert set(DispatchDispute.objects.values_list("state", flat=True)) == {"open"}
    assert set(DispatchDispute.objects.values_list("answer", flat=True)) == {""}
