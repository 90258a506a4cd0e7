"""A draft's quality before 一上: items that may be the same item twice, items without a basis, and
wording the county counts as vague; and the county's settings for it.

- 名称相近: two items of the list whose names are at least the county's threshold alike
  (`QualityPolicy.similarity_threshold`, judged by `catalog.similarity`, the function the import's
  near-name matching uses too), compared through a bigram index so a long list costs little;
- 没有依据: an item whose 依据 is empty;
- 表述模糊: an item whose name or wording (the text columns of its part, not the basis, which quotes
  the law as written) holds a phrase of the county's list (`VaguePhrase`).

The settings and the phrases are the county editor's data, written only through the services below.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models, transaction

from . import permissions
from .actors import permits
from .columns import COLUMNS, TEXT
from .coverage import Coverage, draft_items, part_label
from .models import DutyList, QualityPolicy, VaguePhrase
from .refusals import Forbidden
from .similarity import BigramIndex

# The columns whose wording is read for vague phrases, per part: every text column of the part but
# the basis.
WORDED = [column for column in COLUMNS if column.kind == TEXT and column.name != "basis"]


class Kind(models.TextChoices):
    """The kinds of quality finding, in the order the page lists them."""

    NEAR_DUPLICATE = "near_duplicate", "名称相近、可能重复的事项"
    NO_BASIS = "no_basis", "没有填写依据的事项"
    VAGUE = "vague", "含有模糊表述的事项"


@dataclass
class Finding:
    kind: Kind
    sentence: str
    item: object  # the draft's item (of a near pair, the first in list order)
    other: object = None  # of a near pair, the second item
    score: int = 0  # of a near pair, how alike the names are, in %

    @property
    def kind_label(self) -> str:
        return self.kind.label


class Quality(Coverage):
    kinds = Kind


def policy_for(county_id: int) -> QualityPolicy:
    """The county's settings, or the defaults when it has stated none."""
    return QualityPolicy.objects.filter(county_id=county_id).first() or QualityPolicy(county_id=county_id)


def quality_of(county_id: int, items: Iterable) -> Quality:
    """The findings of a draft's active items, in list order (two queries: the settings, the phrases)."""
    items = list(items)
    threshold = policy_for(county_id).threshold
    phrases = list(VaguePhrase.objects.filter(county_id=county_id).values_list("phrase", flat=True))
    found = near_duplicates(items, threshold)
    found += [
        Finding(Kind.NO_BASIS, f"“{item.name}”（{part_label(item.part)}）没有填写依据。", item)
        for item in items
        if not item.basis.strip()
    ]
    found += vague_wording(items, phrases)
    return Quality(found)


def near_duplicates(items: list, threshold: float) -> list[Finding]:
    index = BigramIndex([item.name for item in items])
    found = []
    for first, second, score in index.alike_pairs(threshold):
        a, b = items[first], items[second]
        percent = int(score * 100)
        sentence = (
            f"“{a.name}”（{part_label(a.part)}）与“{b.name}”（{part_label(b.part)}）名称相近"
            f"（相似度 {percent}%），请核对是否重复。"
        )
        found.append(Finding(Kind.NEAR_DUPLICATE, sentence, a, b, percent))
    return found


def vague_wording(items: list, phrases: list[str]) -> list[Finding]:
    if not phrases:
        return []
    # One pattern, longest phrase first, so "其他相关事项" is named rather than "其他".
    pattern = re.compile("|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True)))
    found = []
    for item in items:
        said = []
        for column in WORDED:
            if item.part not in column.parts:
                continue
            hits = list(dict.fromkeys(pattern.findall(getattr(item, column.name))))
            if hits:
                said.append(f"{column.label}中有“{'”“'.join(hits)}”")
        if said:
            sentence = f"“{item.name}”的{'；'.join(said)}，表述不够具体。"
            found.append(Finding(Kind.VAGUE, sentence, item))
    return found


def draft_quality(duty_list: DutyList, items: list | None = None) -> Quality:
    """A draft's quality findings; `items` the draft's active items when the caller has read them."""
    rows = list(draft_items(duty_list)) if items is None else items
    return quality_of(duty_list.township.county_id, rows)


# The county editor's data: the settings and the phrases.


def check_may_manage(county_id: int, by) -> None:
    if not permits(by, permissions.can_manage_county, county_id):
        raise Forbidden(
            "只有本县的县委编办可以修改清单质量检查的设置和模糊表述用语。", code="cannot_manage_quality"
        )


@transaction.atomic
def save_vague_phrase(phrase: VaguePhrase, *, by) -> VaguePhrase:
    """Add or change a phrase of the county's list (at least two characters, once per county)."""
    check_may_manage(phrase.county_id, by)
    phrase.phrase = phrase.phrase.strip()  # before the checks: " 等 " is one character
    phrase.full_clean()
    phrase.save()
    return phrase


@transaction.atomic
def delete_vague_phrase(phrase: VaguePhrase, *, by) -> None:
    check_may_manage(phrase.county_id, by)
    phrase.delete()


@transaction.atomic
def save_quality_policy(policy: QualityPolicy, *, by) -> QualityPolicy:
    check_may_manage(policy.county_id, by)
    policy.full_clean()
    policy.save()
    return policy


@transaction.atomic
def delete_quality_policy(policy: QualityPolicy, *, by) -> None:
    """The county goes back to the default settings."""
    check_may_manage(policy.county_id, by)
    policy.delete()
