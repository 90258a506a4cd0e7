"""The quality check before 一上: near-duplicate names, items without a basis, vague wording; the
county's settings and phrases, the page, the panels and what they cost in queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog import quality
from catalog.actors import SYSTEM
from catalog.models import Part, QualityPolicy, VaguePhrase
from catalog.quality import Kind, draft_quality
from catalog.refusals import refusal_of
from catalog.similarity import BigramIndex, name_similarity
from tests.conftest import make_item

pytestmark = pytest.mark.django_db

BASIS = "《中华人民共和国村民委员会组织法》"


def found(duty_list):
    return [
        (f.kind, f.item.name, f.other.name if f.other else None) for f in draft_quality(duty_list).findings
    ]


def test_names_alike_above_the_countys_threshold_are_a_near_pair_and_others_are_not(duty_list):
    make_item(duty_list, name="最低生活保障申请受理", basis=BASIS)
    make_item(duty_list, Part.COORDINATED, name="最低生活保障申请审核", basis=BASIS)
    make_item(duty_list, name="森林防火巡查", basis=BASIS)

    assert found(duty_list) == [(Kind.NEAR_DUPLICATE, "最低生活保障申请受理", "最低生活保障申请审核")]
    finding = draft_quality(duty_list).findings[0]
    assert finding.score == 77
    assert finding.sentence == (
        "“最低生活保障申请受理”（基本履职事项）与“最低生活保障申请审核”（配合履职事项）名称相近"
        "（相似度 77%），请核对是否重复。"
    )

    QualityPolicy.objects.create(county=duty_list.township.county, similarity_threshold=80)
    assert found(duty_list) == []


def test_the_same_name_in_other_widths_and_spacing_is_a_near_pair(duty_list):
    make_item(duty_list, name="农村（社区）环境整治", basis=BASIS)
    make_item(duty_list, name="农村(社区) 环境整治", basis=BASIS)
    assert [(k, score) for k, score in [(f.kind, f.score) for f in draft_quality(duty_list).findings]] == [
        (Kind.NEAR_DUPLICATE, 100)
    ]


def test_an_item_without_a_basis_is_found_and_deleted_items_are_not_read(duty_list):
    make_item(duty_list, name="村级财务监督", basis="  \n")
    make_item(duty_list, name="殡葬管理", basis=BASIS)
    make_item(duty_list, name="已删除的事项").delete()
    removed = make_item(duty_list, name="软删除的事项")
    removed.deleted_at = removed.duty_list.updated_at
    removed.save()

    assert found(duty_list) == [(Kind.NO_BASIS, "村级财务监督", None)]
    assert draft_quality(duty_list).findings[0].sentence == "“村级财务监督”（基本履职事项）没有填写依据。"


def test_the_countys_vague_phrases_are_found_in_the_wording_of_the_items_part_but_not_in_its_basis(
    duty_list,
):
    county = duty_list.township.county
    for text in ("等相关工作", "其他事项", "积极配合"):
        quality.save_vague_phrase(VaguePhrase(county=county, phrase=text), by=SYSTEM)
    make_item(duty_list, name="人口普查等相关工作", content="做好其他事项", basis=BASIS)
    make_item(
        duty_list, Part.COORDINATED, name="动物防疫", township_duties="积极配合县农业农村局", basis=BASIS
    )
    make_item(duty_list, name="河道保洁", basis="《河道管理条例》第十条及其他事项")  # the law, as written

    assert found(duty_list) == [
        (Kind.VAGUE, "人口普查等相关工作", None),
        (Kind.VAGUE, "动物防疫", None),
    ]
    sentences = [f.sentence for f in draft_quality(duty_list).findings]
    assert (
        sentences[0]
        == "“人口普查等相关工作”的事项名称中有“等相关工作”；具体内容中有“其他事项”，表述不够具体。"
    )
    assert "乡镇（街道）配合职责中有“积极配合”" in sentences[1]


def test_another_countys_phrases_are_not_read(duty_list):
    from tests.conftest import make_county

    VaguePhrase.objects.create(county=make_county("别县"), phrase="等相关工作")
    make_item(duty_list, name="人口普查等相关工作", basis=BASIS)
    assert found(duty_list) == []


def test_the_index_finds_the_same_pairs_as_comparing_every_pair():
    names = [
        "农村宅基地管理",
        "农村宅基地审批管理",
        "宅基地",
        "森林防火",
        "森林防火宣传",
        "殡葬管理",
        "殡葬改革",
    ]
    every_pair = [
        (i, j, name_similarity(names[i], names[j]))
        for i in range(len(names))
        for j in range(i + 1, len(names))
        if name_similarity(names[i], names[j]) >= 0.5
    ]
    assert BigramIndex(names).alike_pairs(0.5) == every_pair
    assert BigramIndex(names).alike("宅基地管理", 0.5)[0][0] == 0


@pytest.mark.parametrize("count", [3, 30])
def test_the_findings_cost_a_fixed_number_of_queries_whatever_the_size(
    duty_list, count, django_assert_num_queries
):
    VaguePhrase.objects.create(county=duty_list.township.county, phrase="等相关工作")
    for number in range(count):
        make_item(duty_list, name=f"第{number}项等相关工作")
    with django_assert_num_queries(4):  # the items with their departments, the settings, the phrases
        result = draft_quality(duty_list)
    assert len(result.of_kind(Kind.VAGUE)) == count and len(result.of_kind(Kind.NO_BASIS)) == count


@pytest.fixture
def findings(duty_list):
    VaguePhrase.objects.create(county=duty_list.township.county, phrase="其他事项")
    return {
        "first": make_item(duty_list, name="农村宅基地审批管理", basis=BASIS),
        "second": make_item(duty_list, name="农村宅基地管理", basis=BASIS),
        "bare": make_item(duty_list, name="统计调查其他事项"),
    }


def test_the_page_lists_each_finding_linking_to_its_items_and_to_their_edit_pages(
    client, cast, duty_list, findings
):
    client.force_login(cast["township_official"])
    page = client.get(reverse("catalog:list_quality", args=[duty_list.pk])).content.decode()

    editor = reverse("catalog:list_editor", args=[duty_list.pk])
    assert "名称相近、可能重复的事项（1 处）" in page and "没有填写依据的事项（1 处）" in page
    assert "含有模糊表述的事项（1 处）" in page and "相似度达到 70%" in page
    for item in findings.values():
        assert f'href="{editor}?part=basic#item-{item.pk}"' in page
        assert reverse("catalog:item_edit", args=[item.pk]) in page


def test_who_cannot_edit_sees_the_findings_without_the_edit_links(client, cast, duty_list, findings):
    client.force_login(cast["department_reviewer"])
    page = client.get(reverse("catalog:list_quality", args=[duty_list.pk])).content.decode()
    assert "农村宅基地管理" in page and reverse("catalog:item_edit", args=[findings["bare"].pk]) not in page


@pytest.mark.parametrize(
    "role", ["county_editor", "township_official", "other_township_official", "other_county_editor"]
)
def test_who_sees_the_quality_page_is_who_may_view_the_list(client, cast, duty_list, findings, role):
    from catalog import permissions

    client.force_login(cast[role])
    response = client.get(reverse("catalog:list_quality", args=[duty_list.pk]))
    assert response.status_code == (200 if permissions.can_view_list(cast[role], duty_list) else 404)


def test_the_editor_and_the_review_page_show_the_counts_before_submitting(client, cast, duty_list, findings):
    client.force_login(cast["township_official"])
    url = reverse("catalog:list_quality", args=[duty_list.pk])
    for page_name in ("catalog:list_editor", "review:list_review"):
        page = client.get(reverse(page_name, args=[duty_list.pk])).content.decode()
        assert "提交前检查：发现 3 处需要核对的表述" in page
        assert f'href="{url}#quality-near_duplicate"' in page and f'href="{url}#quality-vague"' in page


def test_the_review_page_shows_no_panel_to_whoever_cannot_submit(client, cast, duty_list, findings):
    client.force_login(cast["department_reviewer"])
    page = client.get(reverse("review:list_review", args=[duty_list.pk])).content.decode()
    assert "提交前检查：" not in page


def page_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_page_and_the_editor_cost_the_same_queries_at_two_sizes(client, cast, duty_list):
    VaguePhrase.objects.create(county=duty_list.township.county, phrase="等相关工作")
    client.force_login(cast["township_official"])
    urls = [
        reverse("catalog:list_quality", args=[duty_list.pk]),
        reverse("catalog:list_editor", args=[duty_list.pk]),
        reverse("review:list_review", args=[duty_list.pk]),
    ]
    for number in range(2):
        make_item(duty_list, name=f"宅基地审批{number}等相关工作")
    small = [page_queries(client, url) for url in urls]
    for number in range(2, 20):
        make_item(duty_list, Part.COORDINATED, name=f"宅基地审批{number}等相关工作")
    assert [page_queries(client, url) for url in urls] == small


def test_the_county_editor_keeps_the_phrases_and_the_threshold_others_are_refused(cast, duty_list):
    county = duty_list.township.county
    editor, official = cast["county_editor"], cast["township_official"]
    phrase = quality.save_vague_phrase(VaguePhrase(county=county, phrase=" 等相关工作 "), by=editor)
    assert VaguePhrase.objects.get().phrase == "等相关工作"
    policy = quality.save_quality_policy(QualityPolicy(county=county, similarity_threshold=85), by=editor)
    assert QualityPolicy.objects.get().similarity_threshold == 85

    for attempt in (
        lambda: quality.save_vague_phrase(VaguePhrase(county=county, phrase="其他事项"), by=official),
        lambda: quality.delete_vague_phrase(phrase, by=official),
        lambda: quality.save_quality_policy(policy, by=cast["other_county_editor"]),
    ):
        with pytest.raises(Exception) as refused:
            attempt()
        assert refusal_of(refused.value).code == "cannot_manage_quality"
    assert list(VaguePhrase.objects.values_list("phrase", flat=True)) == ["等相关工作"]
    quality.delete_vague_phrase(phrase, by=editor)
    assert not VaguePhrase.objects.exists()


def test_a_phrase_under_two_characters_is_refused_and_nothing_is_written(cast, duty_list):
    county = duty_list.township.county
    with pytest.raises(Exception) as refused:
        quality.save_vague_phrase(VaguePhrase(county=county, phrase=" 等 "), by=cast["county_editor"])
    assert refusal_of(refused.value).message == "模糊表述用语至少两个字：太短的用语几乎每个事项都有。"
    assert refusal_of(refused.value).field == "phrase"
    assert not VaguePhrase.objects.exists()


@pytest.mark.parametrize("threshold", [49, 101])
def test_a_threshold_outside_50_to_100_is_refused_and_nothing_is_written(cast, duty_list, threshold):
    policy = QualityPolicy(county=duty_list.township.county, similarity_threshold=threshold)
    with pytest.raises(Exception) as refused:
        quality.save_quality_policy(policy, by=cast["county_editor"])
    assert refusal_of(refused.value).field == "similarity_threshold"
    assert str(50 if threshold < 50 else 100) in refusal_of(refused.value).message
    assert not QualityPolicy.objects.exists()


def test_the_back_office_saves_and_deletes_phrases_through_the_service(client, cast, duty_list):
    county = duty_list.township.county
    client.force_login(cast["county_editor"])
    response = client.post(
        reverse("admin:catalog_vaguephrase_add"),
        {"county": county.pk, "phrase": "等", "note": "", "is_illustrative": ""},
    )
    assert response.status_code == 200 and "模糊表述用语至少两个字" in response.content.decode()
    assert not VaguePhrase.objects.exists()
    response = client.post(
        reverse("admin:catalog_vaguephrase_add"),
        {"county": county.pk, "phrase": "上级交办的其他工作", "note": "示例"},
    )
    assert response.status_code == 302
    phrase = VaguePhrase.objects.get()
    assert phrase.history.get().history_user == cast["county_editor"]
    client.post(reverse("admin:catalog_vaguephrase_delete", args=[phrase.pk]), {"post": "yes"})
    assert not VaguePhrase.objects.exists()


def test_the_demo_ships_illustrative_phrases_that_its_lists_are_checked_against(db):
    from django.core.management import call_command

    from catalog.models import DutyList
    from publication.management.commands.load_demo import DEMO_FIXTURES
    from tests.catalog.test_demo_data import FIXTURES

    call_command("loaddata", *[FIXTURES / name for name in DEMO_FIXTURES], verbosity=0)
    phrases = VaguePhrase.objects.all()
    assert {"等相关工作", "其他事项"} <= {p.phrase for p in phrases}
    assert all(p.is_illustrative and p.note.startswith("示例") for p in phrases)
    checked = [draft_quality(duty_list) for duty_list in DutyList.objects.select_related("township")]
    assert any(result.of_kind(Kind.VAGUE) for result in checked)
