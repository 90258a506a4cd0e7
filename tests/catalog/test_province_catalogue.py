"""The province's reference catalogue (省级参考目录) and the counties' claims on it (认领): who may keep
it, who may claim and drop, what a claim writes, and every refusal with nothing changed."""

import pytest
from django.core.exceptions import ValidationError

from catalog import claims, services
from catalog.models import Catalogue, CatalogueEntry, DroppedEntry, NameAlias, Part
from catalog.refusals import refusal_of
from tests.catalog.province_world import province_entry, province_world
from tests.conftest import make_category, make_department

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast, duty_list):
    return province_world(duty_list)


def refused(call) -> tuple:
    with pytest.raises(Exception) as caught:
        call()
    refusal = refusal_of(caught.value)
    assert any("\u4e00" <= c <= "\u9fff" for c in refusal.message)
    return refusal.status, refusal.code, refusal.field


def snapshot() -> list:
    return [
        list(model.objects.order_by("pk").values())
        for model in (CatalogueEntry, DroppedEntry, NameAlias, Catalogue)
    ]


# Keeping the province's catalogue


def test_province_editor_keeps_own_province_catalogue(cast, world):
    entry = CatalogueEntry(
        catalogue=world.catalogue, name="临时救助", part=Part.BASIC, category_name="民生服务", content="受理"
    )
    services.save_catalogue_entry(entry, by=cast["province_editor"])
    assert world.catalogue.entries.filter(name="临时救助", category_name="民生服务").exists()
    assert entry.history.get().history_user == cast["province_editor"]


@pytest.mark.parametrize("who", ["other_province_editor", "city_editor", "county_editor"])
def test_only_the_province_editor_keeps_the_province_catalogue(cast, world, who):
    world.basic.content = "改写"
    before = snapshot()
    assert refused(lambda: services.save_catalogue_entry(world.basic, by=cast[who])) == (
        403,
        "cannot_manage_catalogue",
        "",
    )
    assert snapshot() == before


def test_a_province_entry_names_county_records_by_text_only(world):
    entry = CatalogueEntry(
        catalogue=world.catalogue, name="临时救助", part=Part.BASIC, category=world.category
    )
    with pytest.raises(ValidationError) as caught:
        entry.full_clean()
    assert "省级参考目录的事项以文字填写类别和部门" in str(caught.value)
    county_entry = CatalogueEntry(
        catalogue=world.template, name="临时救助", part=Part.BASIC, category_name="民生"
    )
    with pytest.raises(ValidationError) as caught:
        county_entry.full_clean()
    assert "县的目录事项选择本县的类别和部门" in str(caught.value)


def test_a_coordinated_province_entry_needs_a_lead_department_named(world):
    entry = CatalogueEntry(
        catalogue=world.catalogue,
        name="防汛",
        part=Part.COORDINATED,
        township_duties="配合",
        category_name="平安",
    )
    with pytest.raises(ValidationError) as caught:
        entry.full_clean()
    assert "配合履职事项至少需要一个县级主责部门" in str(caught.value)


def test_province_editor_starts_a_catalogue_and_not_another_provinces(cast, world):
    province = world.county.city.province
    catalogue = claims.start_province_catalogue(
        province, name="兜底事项目录", kind=Catalogue.Kind.SAFEGUARD, by=cast["province_editor"]
    )
    assert (catalogue.province, catalogue.county) == (province, None)
    before = snapshot()
    assert refused(
        lambda: claims.start_province_catalogue(
            province, name="另一目录", kind=Catalogue.Kind.OTHER, by=cast["other_province_editor"]
        )
    ) == (403, "cannot_manage_catalogue", "")
    assert refused(
        lambda: claims.start_province_catalogue(
            province, name="兜底事项目录", kind=Catalogue.Kind.OTHER, by=cast["province_editor"]
        )
    ) == (409, "duplicate_name", "")
    assert snapshot() == before


# Claiming


def own_entry(world) -> CatalogueEntry:
    """The county template's own entry of the name of the province's basic entry, in its own words."""
    return CatalogueEntry.objects.create(
        catalogue=world.template,
        name="农村低保审核",
        part=Part.BASIC,
        category=world.category,
        content="本县写法",
    )


def test_claim_copies_the_entry_linked_with_the_countys_records(cast, world):
    claim = claims.claim_entry(world.coordinated, into=world.template, by=cast["county_editor"])
    claim.refresh_from_db()
    assert claim.catalogue == world.template
    assert claim.claimed_from == world.coordinated
    assert (claim.name, claim.part, claim.category) == ("殡葬管理", Part.COORDINATED, world.category)
    assert list(claim.lead_departments.all()) == [world.department]
    assert (claim.department_duties, claim.township_duties, claim.basis) == (
        "负责",
        "配合",
        "《社会救助暂行办法》",
    )
    assert (claim.category_name, claim.lead_department_names) == ("", "")
    record = claim.history.get()
    assert (record.history_user, record.history_change_reason) == (
        cast["county_editor"],
        "认领省级参考目录事项（省级参考目录）",
    )


def test_claim_resolves_a_name_through_the_countys_alias(cast, world):
    own = make_category(world.county, "民生保障")
    NameAlias.objects.create(county=world.county, kind=NameAlias.Kind.CATEGORY, text="社会民生", category=own)
    entry = province_entry(world.catalogue, "临时救助", category_name="社会民生")
    claim = claims.claim_entry(entry, into=world.template, by=cast["county_editor"])
    assert claim.category == own


def test_an_unknown_category_is_left_empty(cast, world):
    entry = province_entry(world.catalogue, "文化服务", category_name="公共文化")
    claim = claims.claim_entry(entry, into=world.template, by=cast["county_editor"])
    assert claim.category is None


def test_an_unknown_department_is_asked_and_the_answer_remembered(cast, world):
    entry = province_entry(
        world.catalogue, "殡葬改革", Part.COORDINATED, lead_department_names="县殡葬管理所"
    )
    before = snapshot()
    assert refused(lambda: claims.claim_entry(entry, into=world.template, by=cast["county_editor"])) == (
        400,
        "unresolved_names",
        "choices",
    )
    assert snapshot() == before

    choices = {("department", "县殡葬管理所"): world.department}
    claim = claims.claim_entry(entry, into=world.template, by=cast["county_editor"], choices=choices)
    assert list(claim.lead_departments.all()) == [world.department]
    alias = NameAlias.objects.get(county=world.county, text="县殡葬管理所")
    assert (alias.department, alias.created_by) == (world.department, cast["county_editor"])


def test_an_answer_naming_another_countys_record_is_refused(cast, world):
    entry = province_entry(
        world.catalogue, "殡葬改革", Part.COORDINATED, lead_department_names="县殡葬管理所"
    )
    elsewhere = make_department(cast["other_county_editor"].memberships.get().county, "别县民政局")
    before = snapshot()
    assert refused(
        lambda: claims.claim_entry(
            entry,
            into=world.template,
            by=cast["county_editor"],
            choices={("department", "县殡葬管理所"): elsewhere},
        )
    ) == (400, "other_county", "choices")
    assert snapshot() == before


def test_claim_links_the_countys_own_entry_of_that_name_keeping_its_wording(cast, world):
    own = own_entry(world)
    claim = claims.claim_entry(world.basic, into=world.template, by=cast["county_editor"])
    own.refresh_from_db()
    assert claim.pk == own.pk
    assert (own.claimed_from, own.content) == (world.basic, "本县写法")
    assert world.template.entries.count() == 1


@pytest.mark.parametrize(
    "who", ["province_editor", "city_editor", "township_official", "other_county_editor"]
)
def test_only_the_countys_editor_claims_for_it(cast, world, who):
    before = snapshot()
    assert refused(lambda: claims.claim_entry(world.basic, into=world.template, by=cast[who])) == (
        403,
        "cannot_claim",
        "",
    )
    assert refused(
        lambda: claims.drop_entry(world.basic, county=world.county, by=cast[who], reason="不适用")
    ) == (
        403,
        "cannot_claim",
        "",
    )
    assert snapshot() == before


def test_a_county_claims_only_into_its_own_catalogues_and_from_its_own_province(cast, world):
    elsewhere = cast["other_county_editor"].memberships.get().county
    their_template = Catalogue.objects.create(county=elsewhere, name="别县模板", kind=Catalogue.Kind.TEMPLATE)
    before = snapshot()
    # Into another county's catalogue: not the county editor's county to claim for.
    assert refused(
        lambda: claims.claim_entry(world.basic, into=their_template, by=cast["county_editor"])
    ) == (
        403,
        "cannot_claim",
        "",
    )
    # Another province's county claiming this province's entry.
    assert refused(
        lambda: claims.claim_entry(world.basic, into=their_template, by=cast["other_county_editor"])
    ) == (400, "other_province", "entry")
    # A county's own entry is nothing to claim.
    own = CatalogueEntry.objects.create(
        catalogue=world.template, name="本县事项", part=Part.BASIC, content="做"
    )
    before = snapshot()
    assert refused(lambda: claims.claim_entry(own, into=world.template, by=cast["county_editor"])) == (
        400,
        "not_provincial",
        "entry",
    )
    assert refused(
        lambda: claims.claim_entry(world.basic, into=world.catalogue, by=cast["county_editor"])
    ) == (
        400,
        "not_county_catalogue",
        "into",
    )
    assert snapshot() == before


def test_an_entry_is_claimed_once_per_county(cast, world):
    claims.claim_entry(world.basic, into=world.template, by=cast["county_editor"])
    other = Catalogue.objects.create(county=world.county, name="兜底事项目录", kind=Catalogue.Kind.SAFEGUARD)
    before = snapshot()
    assert refused(lambda: claims.claim_entry(world.basic, into=other, by=cast["county_editor"])) == (
        409,
        "already_claimed",
        "",
    )
    assert refused(
        lambda: claims.drop_entry(world.basic, county=world.county, by=cast["county_editor"], reason="不适用")
    ) == (409, "already_claimed", "")
    assert snapshot() == before


# Dropping and claiming again


def test_drop_records_who_when_and_why(cast, world):
    drop = claims.drop_entry(
        world.basic, county=world.county, by=cast["county_editor"], reason=" 本县无此职责 "
    )
    drop.refresh_from_db()
    assert (drop.entry, drop.county, drop.dropped_by, drop.reason) == (
        world.basic,
        world.county,
        cast["county_editor"],
        "本县无此职责",
    )
    assert drop.dropped_at is not None


@pytest.mark.parametrize(
    "reason, refusal",
    [(" ", (400, "reason_required", "reason")), ("长" * 501, (400, "too_long", "reason"))],
)
def test_a_drop_needs_a_reason(cast, world, reason, refusal):
    before = snapshot()
    assert (
        refused(
            lambda: claims.drop_entry(
                world.basic, county=world.county, by=cast["county_editor"], reason=reason
            )
        )
        == refusal
    )
    assert snapshot() == before


def test_dropping_twice_is_refused_and_claiming_later_removes_the_drop(cast, world):
    claims.drop_entry(world.basic, county=world.county, by=cast["county_editor"], reason="不适用")
    before = snapshot()
    assert refused(
        lambda: claims.drop_entry(world.basic, county=world.county, by=cast["county_editor"], reason="再次")
    ) == (409, "already_dropped", "")
    assert snapshot() == before

    claim = claims.claim_entry(world.basic, into=world.template, by=cast["county_editor"])
    assert claim.claimed_from == world.basic
    assert not DroppedEntry.objects.exists()
    assert DroppedEntry.history.filter(history_type="-", reason="不适用").exists()


def test_a_claimed_province_entry_cannot_be_deleted(cast, world):
    from django.db.models import ProtectedError

    claims.claim_entry(world.basic, into=world.template, by=cast["county_editor"])
    with pytest.raises(ProtectedError):
        world.basic.delete()


# Claiming all at once


def test_bulk_claim_takes_every_undecided_entry(cast, world):
    claims.drop_entry(world.coordinated, county=world.county, by=cast["county_editor"], reason="不适用")
    reclaimed = province_entry(world.catalogue, "低保资金发放", Part.RECLAIMED)
    claimed = claims.claim_all(world.catalogue, into=world.template, by=cast["county_editor"])
    assert sorted(c.name for c in claimed) == ["低保资金发放", "农村低保审核"]
    assert set(world.template.entries.values_list("claimed_from", flat=True)) == {
        world.basic.pk,
        reclaimed.pk,
    }
    assert world.template.entries.get(claimed_from=reclaimed).receiving_department == world.department
    assert DroppedEntry.objects.filter(entry=world.coordinated).exists()
    assert claims.claim_all(world.catalogue, into=world.template, by=cast["county_editor"]) == []


def test_bulk_claim_names_every_unknown_department_and_writes_nothing(cast, world):
    province_entry(world.catalogue, "殡葬改革", Part.COORDINATED, lead_department_names="县殡葬管理所")
    province_entry(world.catalogue, "防汛", Part.RECLAIMED, receiving_department_name="县水务局")
    before = snapshot()
    with pytest.raises(Exception) as caught:
        claims.claim_all(world.catalogue, into=world.template, by=cast["county_editor"])
    refusal = refusal_of(caught.value)
    assert (refusal.status, refusal.code) == (400, "unresolved_names")
    assert "“殡葬改革”" in refusal.message and "县殡葬管理所" in refusal.message
    assert "“防汛”" in refusal.message and "县水务局" in refusal.message
    assert snapshot() == before


def test_a_province_editor_cannot_bulk_claim_for_a_county(cast, world):
    before = snapshot()
    assert refused(
        lambda: claims.claim_all(world.catalogue, into=world.template, by=cast["province_editor"])
    ) == (403, "cannot_claim", "")
    assert snapshot() == before


def test_a_county_editor_cannot_make_a_catalogue_the_provinces_in_the_back_office(client, cast, world):
    client.force_login(cast["county_editor"])
    page = client.get("/admin/catalog/catalogue/add/")
    assert page.status_code == 200
    assert 'name="province"' not in page.content.decode()
    assert 'name="county"' in page.content.decode()


def test_bulk_claim_links_the_countys_entries_of_the_same_names(cast, world):
    own = own_entry(world)
    claims.claim_all(world.catalogue, into=world.template, by=cast["county_editor"])
    own.refresh_from_db()
    assert own.claimed_from == world.basic
    assert sorted(world.template.entries.values_list("name", flat=True)) == ["农村低保审核", "殡葬管理"]
