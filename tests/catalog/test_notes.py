"""批注: the township's officials and the county editor correct a draft together, in the product."""

import pytest
from django.urls import reverse

from catalog import notes
from catalog.actors import SYSTEM
from catalog.models import DutyItem, DutyList
from catalog.notes import DraftNote
from catalog.refusals import Conflict, Forbidden, Invalid, refusal_of
from review import workflow
from tests.conftest import make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(duty_list):
    return make_item(duty_list, name="秸秆禁烧巡查", basis="《大气污染防治法》")


def notes_url(item):
    return reverse("catalog:item_notes", args=[item.pk])


def test_an_official_asks_the_editor_replies_and_the_official_resolves(client, cast, item):
    client.force_login(cast["township_official"])
    response = client.post(notes_url(item), {"text": "请县委编办核对依据条款。"})
    thread = DraftNote.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#note-{thread.pk}")

    client.force_login(cast["county_editor"])
    client.post(notes_url(item), {"text": "应为第七十七条，已改。", "thread": thread.pk})
    editor_page = client.get(reverse("catalog:list_editor", args=[item.duty_list_id])).content.decode()
    assert 'aria-label="批注（1 条待解决）"' in editor_page

    client.force_login(cast["township_official"])
    client.post(notes_url(item), {"thread": thread.pk, "action": "resolve"})
    thread.refresh_from_db()
    assert (
        thread.resolved_by == cast["township_official"]
        and thread.replies.get().author == cast["county_editor"]
    )
    page = client.get(notes_url(item)).content.decode()
    assert "应为第七十七条，已改。" in page and "已解决" in page
    editor_page = client.get(reverse("catalog:list_editor", args=[item.duty_list_id])).content.decode()
    assert "条待解决" not in editor_page
    # Notes are no change to the draft.
    stored = DutyItem.objects.get(pk=item.pk)
    assert (stored.version, stored.duty_list.version) == (item.version, item.duty_list.version)


def test_a_reply_reopens_a_resolved_thread(cast, item):
    thread = notes.add_note(item, by=cast["township_official"], text="核对依据")
    notes.resolve_note(thread, by=cast["county_editor"])
    notes.add_note(item, by=cast["township_official"], text="还有一处", thread=thread)
    thread.refresh_from_db()
    assert thread.resolved_at is None and notes.open_thread_counts(item.duty_list) == {item.pk: 1}


@pytest.mark.parametrize(
    "who, status",
    [
        ("other_township_official", 403),
        ("department_reviewer", 403),
        ("consultee", 403),
        ("county_leader", 403),
    ],
)
def test_only_the_townships_officials_and_the_county_editor_take_part(client, cast, item, who, status):
    with pytest.raises(Forbidden) as refused:
        notes.add_note(item, by=cast[who], text="越权批注")
    assert refusal_of(refused.value).status == status and refusal_of(refused.value).code == "cannot_note"
    assert not DraftNote.objects.exists()
    with pytest.raises(Forbidden):
        notes.add_note(item, by=SYSTEM, text="系统不是人")
    assert not DraftNote.objects.exists()


def test_the_page_refuses_a_reviewer_with_403_and_hides_another_townships_item(client, cast, item):
    client.force_login(cast["department_reviewer"])
    response = client.post(notes_url(item), {"text": "越权批注"})
    assert (
        response.status_code == 403
        and "只有城关镇的工作人员和县委编办可以批注本清单" in response.content.decode()
    )
    client.force_login(cast["other_township_official"])
    assert client.get(notes_url(item)).status_code == 404
    assert not DraftNote.objects.exists()


def test_notes_close_once_the_list_goes_up_and_reopen_when_it_comes_back(client, cast, item):
    official = cast["township_official"]
    workflow.perform(item.duty_list, "submit", by=official)
    item.refresh_from_db()
    with pytest.raises(Conflict) as refused:
        notes.add_note(item, by=official, text="提交后还能批注吗")
    assert refusal_of(refused.value).status == 409 and "一上" in refusal_of(refused.value).message
    client.force_login(official)
    response = client.post(notes_url(item), {"text": "提交后还能批注吗"})
    assert response.status_code == 409 and not DraftNote.objects.exists()
    assert DutyList.objects.get(pk=item.duty_list_id).stage == DutyList.Stage.FIRST_SUBMITTED


@pytest.mark.parametrize(
    "text, message", [("   ", "请填写批注内容"), ("字" * (notes.MAX_NOTE_LENGTH + 1), "批注不能超过 2000 字")]
)
def test_an_empty_or_overlong_note_is_refused_with_a_message(client, cast, item, text, message):
    client.force_login(cast["township_official"])
    response = client.post(notes_url(item), {"text": text})
    assert response.status_code == 400 and message in response.content.decode()
    assert not DraftNote.objects.exists()


def test_a_reply_to_another_items_thread_is_refused(cast, item, duty_list):
    other = make_item(duty_list, name="另一事项")
    thread = notes.add_note(other, by=cast["township_official"], text="别的事项")
    with pytest.raises(Invalid) as refused:
        notes.add_note(item, by=cast["township_official"], text="串了", thread=thread)
    assert refusal_of(refused.value).code == "other_thread"
    assert DraftNote.objects.count() == 1
