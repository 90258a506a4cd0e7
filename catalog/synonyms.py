"""近义词: the everyday words people and hotline operators use (低保, 五保, 盖房) and the terms the
county's lists use for the same thing (最低生活保障, 特困人员, 宅基地).

A county's editors keep them in the back office; the public search and the 12345 lookup expand a
word into its terms (`publication.queries.matching`). They are county data, not code: counties
word their lists differently.
"""

import re

from django.db import models, transaction
from simple_history.models import HistoricalRecords

from . import permissions
from .actors import permits
from .models import County
from .refusals import Forbidden, Invalid

MAX_WORD_LENGTH = 20
MAX_TERMS = 10
# The terms are written as one text, separated the way people type lists.
TERM_SEPARATORS = re.compile(r"[、，,；;\s]+")


class Synonym(models.Model):
    county = models.ForeignKey(
        County, on_delete=models.CASCADE, related_name="synonyms", verbose_name="所属县"
    )
    word = models.CharField("群众说法", max_length=MAX_WORD_LENGTH, help_text="如“低保”。")
    terms = models.CharField(
        "清单用语",
        max_length=200,
        help_text="清单里对同一件事的说法，多个用“、”隔开，如“最低生活保障”。",
    )

    history = HistoricalRecords()

    class Meta:
        app_label = "catalog"
        verbose_name = "近义词"
        verbose_name_plural = "近义词"
        ordering = ["county", "word"]
        constraints = [
            models.UniqueConstraint(fields=["county", "word"], name="synonym_word_unique_in_county"),
        ]

    def __str__(self) -> str:
        return f"{self.word} → {self.terms}"

    @property
    def term_list(self) -> list[str]:
        return split_terms(self.terms)


def split_terms(text: str) -> list[str]:
    return list(dict.fromkeys(t for t in TERM_SEPARATORS.split(text or "") if t))


def synonyms_of(county_ids=None, words=None) -> dict[str, list[str]]:
    """word → terms, of the given counties (every county's when None), in one query. Two counties
    giving the same word different terms both count: a search across counties finds either.
    With `words`, only those words' rows are read: a search needs its own words, not every
    county's vocabulary."""
    rows = Synonym.objects.all() if county_ids is None else Synonym.objects.filter(county_id__in=county_ids)
    if words is not None:
        rows = rows.filter(word__in=list(words))
    found: dict[str, list[str]] = {}
    for word, terms in rows.order_by("county_id", "word").values_list("word", "terms"):
        found[word] = list(dict.fromkeys([*found.get(word, []), *split_terms(terms)]))
    return found


def synonym_problems(synonym: Synonym) -> dict[str, tuple[str, str]]:
    """What is wrong with the row, by field (the back office's form shows the same); it is
    normalised first: no spaces in the word, the terms joined with 、."""
    synonym.word = "".join((synonym.word or "").split())
    terms = split_terms(synonym.terms)
    synonym.terms = "、".join(terms)
    problems = {}
    if not synonym.word:
        problems["word"] = ("required", "请填写群众说法，如“低保”。")
    elif TERM_SEPARATORS.search(synonym.word) or len(synonym.word) > MAX_WORD_LENGTH:
        problems["word"] = (
            "synonym_word",
            f"群众说法应是一个词（不超过 {MAX_WORD_LENGTH} 字，不含逗号、顿号）。",
        )
    if not terms:
        problems["terms"] = ("required", "请填写至少一个清单用语，如“最低生活保障”。")
    elif len(terms) > MAX_TERMS:
        problems["terms"] = ("synonym_terms", f"清单用语最多 {MAX_TERMS} 个，现有 {len(terms)} 个。")
    elif synonym.word in terms:
        problems["terms"] = ("synonym_terms", f"清单用语中不必再写“{synonym.word}”本身。")
    elif len(synonym.terms) > Synonym._meta.get_field("terms").max_length:
        problems["terms"] = ("synonym_terms", "清单用语合计不超过 200 字。")
    duplicate = Synonym.objects.filter(county_id=synonym.county_id, word=synonym.word).exclude(pk=synonym.pk)
    if "word" not in problems and synonym.county_id and duplicate.exists():
        problems["word"] = ("synonym_exists", f"本县已有“{synonym.word}”的近义词，请修改那一条。")
    return problems


@transaction.atomic
def save_synonym(synonym: Synonym, *, by) -> Synonym:
    """Add or change one word and its terms, in the county the row names (its editors only)."""
    if not permits(by, permissions.can_manage_county, synonym.county_id):
        raise Forbidden("只有本县的县委编办可以维护近义词。", code="cannot_manage_synonyms")
    if problems := synonym_problems(synonym):
        raise Invalid.fields(problems)
    synonym.save()
    return synonym


@transaction.atomic
def delete_synonym(synonym: Synonym, *, by) -> None:
    if not permits(by, permissions.can_manage_county, synonym.county_id):
        raise Forbidden("只有本县的县委编办可以维护近义词。", code="cannot_manage_synonyms")
    synonym.delete()
