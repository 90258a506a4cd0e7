import pytest
from django.urls import reverse

from catalog.models import DutyList
from review.models import StageChange, Submission
from tests.conftest import make_item

pytestmark = pytest.mark.django_db


def test_the_township_submits_from_the_review_page(client, cast, duty_list):
    make_item(duty_list)
    client.force_login(cast["township_official"])
    page = client.get(reverse("review:list_review", args=[duty_list.pk]))
    assert [a.action for a, _ in page.context["actions"]] == [
        "submit"
    ] and "一上：提交清单" in page.content.decode()

    asked = client.post(
        reverse("review:list_action", args=[duty_list.pk]), {"action": "submit", "note": "请审核"}
    )
    assert asked.status_code == 200 and "确认一上：提交清单" in asked.content.decode()
    assert DutyList.objects.get(pk=duty_list.pk).stage == DutyList.Stage.DRAFTING
    response = client.post(
        reverse("review:list_action", args=[duty_list.pk]),
        {"action": "submit", "note": "请审核", "confirmed": "1"},
    )
    assert response.status_code == 302
    assert DutyList.objects.get(pk=duty_list.pk).stage == DutyList.Stage.FIRST_SUBMITTED
    assert Submission.objects.get().note == "请审核"
    assert "一上稿" in client.get(reverse("review:list_review", args=[duty_list.pk])).content.decode()


@pytest.mark.parametrize(("role", "status"), [("department_reviewer", 403), ("other_county_editor", 404)])
def test_others_cannot_move_the_list(client, cast, duty_list, role, status):
    make_item(duty_list)
    client.force_login(cast[role])
    response = client.post(reverse("review:list_action", args=[duty_list.pk]), {"action": "submit"})
    assert response.status_code == status
    assert not StageChange.objects.exists() and DutyList.objects.get(pk=duty_list.pk).stage == "drafting"


def test_an_action_the_stage_does_not_allow_is_refused_with_a_message(client, cast, duty_list):
    make_item(duty_list)
    client.force_login(cast["county_editor"])
    response = client.post(
        reverse("review:list_action", args=[duty_list.pk]), {"action": "approve"}, follow=True
    )
    assert "处于“起草”阶段，当前阶段不能进行此操作" in response.content.decode()
    assert not StageChange.objects.exists()


def test_the_editor_publishes_an_approved_list_from_its_publication_page(client, cast, duty_list):
    from tests.publication.conftest import approve

    make_item(duty_list, name="农村低保")
    approve(duty_list, cast["county_editor"])
    client.force_login(cast["county_editor"])
    review_page = client.get(reverse("review:list_review", args=[duty_list.pk])).content.decode()
    url = reverse("publication:publish", args=[duty_list.pk])
    assert url in review_page

    page = client.get(url).content.decode()
    assert "成为城关镇清单的第 1 版" in page and "基本履职事项" in page
    bare = client.post(reverse("review:list_action", args=[duty_list.pk]), {"action": "publish"}, follow=True)
    assert "请在“印发公布”页面公布" in bare.content.decode()
    refused = client.post(url, {"publish-effective_on": "2025-07-01"})
    assert refused.status_code == 400 and "请填写印发文号" in refused.content.decode()
    assert DutyList.objects.get(pk=duty_list.pk).stage == DutyList.Stage.APPROVED
    client.post(url, {"publish-effective_on": "2025-07-01", "publish-document_number": "示办发〔2025〕21号"})
    edition = duty_list.editions.get()
    assert (edition.number, edition.document_number) == (1, "示办发〔2025〕21号")
    assert DutyList.objects.get(pk=duty_list.pk).stage == DutyList.Stage.PUBLISHED
    assert client.get(url).status_code == 403  # published: nothing more to publish


def test_only_the_county_editor_sees_the_publication_page(client, cast, duty_list):
    from tests.publication.conftest import approve

    make_item(duty_list)
    approve(duty_list, cast["county_editor"])
    url = reverse("publication:publish", args=[duty_list.pk])
    for role, status in (("township_official", 403), ("county_leader", 403), ("other_county_editor", 404)):
        client.force_login(cast[role])
        assert (
            client.post(
                url, {"publish-effective_on": "2025-07-01", "publish-document_number": "x"}
            ).status_code
            == status
        )
    assert not duty_list.editions.exists()
