"""近义词 are county data: the county editor keeps them in the back office through the service,
which refuses other counties' editors and malformed words; searches read them per county."""

import pytest
from django.urls import reverse

from catalog.models import Synonym
from catalog.refusals import Forbidden, Invalid
from catalog.synonyms import save_synonym, synonyms_of
from tests.conftest import make_county

pytestmark = pytest.mark.django_db


def test_the_county_editor_adds_a_word_and_its_terms_normalised(cast, county):
    synonym = save_synonym(
        Synonym(county=county, word=" 低 保 ", terms="最低生活保障， 低保金;最低生活保障"),
        by=cast["county_editor"],
    )
    stored = Synonym.objects.get(pk=synonym.pk)
    assert (stored.word, stored.terms, stored.term_list) == (
        "低保",
        "最低生活保障、低保金",
        ["最低生活保障", "低保金"],
    )
    assert stored.history.get().history_type == "+"


@pytest.mark.parametrize(
    ("word", "terms", "field", "code"),
    [
        ("", "最低生活保障", "word", "required"),
        ("低保、五保", "最低生活保障", "word", "synonym_word"),
        ("低保", " 、 ", "terms", "required"),
        ("低保", "低保、最低生活保障", "terms", "synonym_terms"),
        ("低保", "、".join(f"词{n}" for n in range(11)), "terms", "synonym_terms"),
        ("户口", "户籍", "word", "synonym_exists"),
    ],
)
def test_malformed_words_are_refused_naming_the_field(cast, county, word, terms, field, code):
    Synonym.objects.create(county=county, word="户口", terms="户籍")
    with pytest.raises(Invalid) as refused:
        save_synonym(Synonym(county=county, word=word, terms=terms), by=cast["county_editor"])
    assert (refused.value.field, refused.value.code) == (field, code)
    assert list(Synonym.objects.values_list("word", flat=True)) == ["户口"]


def test_another_county_s_editor_and_a_township_official_are_refused(cast, county):
    for user in (cast["other_county_editor"], cast["township_official"]):
        with pytest.raises(Forbidden) as refused:
            save_synonym(Synonym(county=county, word="低保", terms="最低生活保障"), by=user)
        assert refused.value.code == "cannot_manage_synonyms"
    assert not Synonym.objects.exists()


def test_the_back_office_saves_through_the_service_and_shows_its_message(client, cast, county):
    client.force_login(cast["county_editor"])
    url = reverse("admin:catalog_synonym_add")
    refused = client.post(url, {"county": county.pk, "word": "低保", "terms": "低保"})
    assert refused.status_code == 200 and "清单用语中不必再写“低保”本身。" in refused.content.decode()
    assert not Synonym.objects.exists()
    added = client.post(url, {"county": county.pk, "word": "低保", "terms": "最低生活保障，低保金"})
    assert added.status_code == 302
    stored = Synonym.objects.get()
    assert (
        stored.terms == "最低生活保障、低保金" and stored.history.get().history_user == cast["county_editor"]
    )
    elsewhere = client.post(
        url,
        {
            "county": cast["other_county_editor"].memberships.get().county_id,
            "word": "五保",
            "terms": "特困人员",
        },
    )
    assert elsewhere.status_code == 200 and Synonym.objects.count() == 1  # not a county of theirs


def test_synonyms_are_read_per_county_and_merged_across_counties(county):
    other = make_county("别县", "889007")
    Synonym.objects.create(county=county, word="低保", terms="最低生活保障")
    Synonym.objects.create(county=other, word="低保", terms="低保金、最低生活保障")
    assert synonyms_of([county.pk]) == {"低保": ["最低生活保障"]}
    assert synonyms_of([other.pk]) == {"低保": ["低保金", "最低生活保障"]}
    assert synonyms_of() == {"低保": ["最低生活保障", "低保金"]}
    assert synonyms_of([make_county("空县", "889006").pk]) == {}


def test_a_search_reads_only_the_synonyms_of_its_words(county):
    Synonym.objects.create(county=county, word="低保", terms="最低生活保障")
    Synonym.objects.create(county=county, word="五保", terms="特困人员")
    assert synonyms_of(None, words=["低保", "殡葬"]) == {"低保": ["最低生活保障"]}
    assert synonyms_of([county.pk], words=["五保"]) == {"五保": ["特困人员"]}
    assert synonyms_of([county.pk], words=[]) == {}
