"""`manage.py generate_sample`: provinces, cities, counties and townships with editions in force, second
editions with their change log and public feedback, at a tiny size; refused over existing codes."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from catalog.models import City, County, DutyList, Office, Province, Synonym, Township
from publication.models import CurrentEdition, Edition, EditionChange, EditionItem, Feedback
from publication.sample import OTHER_NAMES

pytestmark = pytest.mark.django_db

# 2 provinces × 11 counties (two cities each: ten counties to a city) × 6 townships × 12 items.
SMALL = ["--provinces", "2", "--counties", "11", "--townships", "6", "--items", "12"]


def generate(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("generate_sample", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def row_counts() -> dict:
    models = [Province, City, County, Township, DutyList, Edition, EditionItem, EditionChange, Feedback]
    return {model.__name__: model.objects.count() for model in models}


def test_the_command_creates_the_levels_and_publishes_every_township(superuser):
    out, err = generate(*SMALL)

    assert sorted(Province.objects.values_list("code", flat=True)) == ["810000", "820000"]
    assert City.objects.count() == 4
    assert County.objects.count() == 22 and Township.objects.count() == 132
    for county in County.objects.select_related("city__province"):
        assert county.code[:4] == county.city.code[:4] and county.code[:2] == county.city.province.code[:2]
        assert county.departments.count() == 30 and county.categories.count() == 12
    assert Synonym.objects.filter(word="低保").count() == 22  # so 低保 finds 最低生活保障 everywhere
    assert County.history.count() == 22 and Township.history.count() == 132
    assert Office.objects.filter(township__code="810101001").exists()
    # Every township's list is published, with one edition in force of 12 items.
    assert set(DutyList.objects.values_list("stage", flat=True)) == {DutyList.Stage.PUBLISHED}
    assert CurrentEdition.objects.count() == 132
    in_force = EditionItem.objects.filter(edition__current_of__isnull=False)
    assert in_force.count() == 132 * 12
    assert not in_force.filter(search_grams="").exists()
    for edition in Edition.objects.filter(current_of__isnull=False):
        assert edition.item_count == 12 == edition.items.count()
        assert edition.published_by == superuser
    assert "2 个省、4 个市、22 个县、132 个乡镇（街道），现行事项 1,584 条" in out
    assert "已公布事项 [" in err and "1,584/1,584" in err  # the progress bar, on stderr


def test_one_township_in_ten_has_a_second_edition_with_its_change_log(superuser):
    out, _ = generate(*SMALL)

    seconds = Edition.objects.filter(number=2)
    assert seconds.count() == 22  # the sixth township of each county
    assert set(seconds.values_list("current_of__township__order", flat=True)) == {6}
    for edition in seconds:
        kinds = sorted(edition.changes.values_list("kind", flat=True))
        assert kinds == ["added", "changed", "moved", "removed"]
        first = Edition.objects.get(township=edition.township_id, number=1)
        removed = edition.changes.get(kind="removed")
        assert first.items.filter(key=removed.key).exists()
        assert not edition.items.filter(key=removed.key).exists()
        assert edition.items.filter(key=edition.changes.get(kind="added").key).exists()
        moved = edition.items.get(key=edition.changes.get(kind="moved").key)
        assert moved.part == "coordinated" and moved.lead_departments == "县委组织部"
    assert EditionChange.objects.count() == 88
    assert "22 个乡镇公布了第 2 版（变更 88 条）" in out


def test_feedback_cites_items_of_the_edition_in_force(superuser):
    generate(*SMALL)

    assert 22 <= Feedback.objects.count() <= 66  # one to three reports for each fifth township
    assert set(Feedback.objects.values_list("township__order", flat=True)) == {5}
    for report in Feedback.objects.select_related("edition", "township__current_edition"):
        assert report.edition_id == report.township.current_edition.edition_id
        assert report.edition.items.filter(key=report.key, name=report.item_name).exists()
        assert report.status == Feedback.Status.PENDING


def test_a_long_list_adds_varied_and_other_real_items_that_the_public_search_finds(client, superuser):
    generate("--provinces", "1", "--counties", "1", "--townships", "1", "--items", "240")

    items = EditionItem.objects.filter(edition__current_of__isnull=False)
    assert items.count() == 240
    assert items.filter(name__in=OTHER_NAMES).exists()
    assert items.filter(name__startswith="协助做好").exists()
    response = client.get(reverse("publication:search"), {"q": "城乡居民养老保险"})
    assert response.status_code == 200
    assert "城乡居民养老保险参保登记和待遇资格认证" in response.context["results"]


def test_the_same_seed_and_codes_give_the_same_sample(superuser):
    generate("--provinces", "1", "--counties", "1", "--townships", "2", "--items", "5")
    first = list(EditionItem.objects.order_by("edition__township__code", "order").values_list("key", "name"))
    generate(
        "--provinces", "1", "--counties", "1", "--townships", "2", "--items", "5", "--first-province", "82"
    )
    second = list(
        EditionItem.objects.filter(edition__township__code__startswith="82")
        .order_by("edition__township__code", "order")
        .values_list("key", "name")
    )
    assert [name for _, name in first] == [name for _, name in second]
    assert not {key for key, _ in first} & {key for key, _ in second}  # other codes, other keys


def test_running_twice_over_the_same_codes_is_refused_and_changes_nothing(superuser):
    generate(*SMALL)
    before = row_counts()

    with pytest.raises(CommandError, match="行政区划代码 810000.*已存在：样本数据不能重复生成"):
        generate(*SMALL)

    assert row_counts() == before


def test_a_county_of_another_sample_under_the_first_province_is_refused_too(superuser):
    generate(
        "--provinces", "1", "--counties", "1", "--townships", "1", "--items", "3", "--first-province", "82"
    )
    before = row_counts()

    with pytest.raises(CommandError, match="820000"):
        generate("--provinces", "2", "--counties", "1", "--townships", "1", "--items", "3")

    assert row_counts() == before and not Province.objects.filter(code="810000").exists()


def test_without_a_publisher_or_with_an_impossible_shape_nothing_is_written(db, superuser):
    superuser.is_superuser = False
    superuser.save()
    with pytest.raises(CommandError, match="没有可记为公布人的用户"):
        generate("--counties", "1", "--townships", "1", "--items", "1")
    with pytest.raises(CommandError, match="用户 nobody 不存在"):
        generate("--user", "nobody", "--counties", "1", "--townships", "1", "--items", "1")
    with pytest.raises(CommandError, match="每个县最多 999 个乡镇"):
        generate("--user", superuser.username, "--counties", "1", "--townships", "1000", "--items", "1")

    assert set(row_counts().values()) == {0}
