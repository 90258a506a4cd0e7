"""How alike two names are, stated once: the import's matching, near-duplicate items in a list and an
imported row's near-name catalogue entry all read names through these functions.

Names are compared as sets of character bigrams (two neighbouring characters: 宅基地 → 宅基, 基地)
with Dice's coefficient, 2·|A∩B| / (|A|+|B|), from 0 to 1. Chinese names carry their meaning in
character pairs, so this needs no word segmentation. Many names at once are compared through an
inverted index (bigram → the names holding it): a name meets only the names that share a bigram
with it, and each meeting costs one counter step, so a list of 400 items costs a few thousand steps
instead of 80,000 string comparisons (docs/performance.md).
"""

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from itertools import chain, combinations

PUNCTUATION = re.compile(r"[\W_]+")  # Han characters are word characters: only punctuation and spaces go


def name_key(name: str) -> str:
    """Names that differ only in bracket width or spaces are the same item."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))


def compared_text(name: str) -> str:
    """A name as its similarity is judged: full and half width alike, without spaces or punctuation."""
    return PUNCTUATION.sub("", unicodedata.normalize("NFKC", name))


def bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


def dice(first: set[str], second: set[str]) -> float:
    """Dice's coefficient of two bigram sets, from 0 (nothing shared) to 1 (the same)."""
    return 2 * len(first & second) / (len(first) + len(second))


def name_similarity(a: str, b: str) -> float:
    """How alike two item names are, from 0 to 1."""
    return dice(bigrams(compared_text(a)), bigrams(compared_text(b)))


class BigramIndex:
    """Names by the bigrams they hold, to find the names alike without comparing every pair."""

    def __init__(self, names: Sequence[str]):
        self.grams = [bigrams(compared_text(name)) for name in names]
        self.postings: dict[str, list[int]] = {}
        for position, grams in enumerate(self.grams):
            for gram in grams:
                self.postings.setdefault(gram, []).append(position)

    def score(self, grams: set[str], other: int, shared: int) -> float:
        return 2 * shared / (len(grams) + len(self.grams[other]))

    def alike(self, name: str, threshold: float) -> list[tuple[int, float]]:
        """The indexed names (by position) at least `threshold` alike to `name`, closest first."""
        grams = bigrams(compared_text(name))
        shared = Counter(other for gram in grams for other in self.postings.get(gram, ()))
        scored = [(other, self.score(grams, other, count)) for other, count in shared.items()]
        return sorted(
            ((other, score) for other, score in scored if score >= threshold),
            key=lambda pair: (-pair[1], pair[0]),
        )

    def alike_pairs(self, threshold: float) -> list[tuple[int, int, float]]:
        """Every pair of indexed names (first < second) at least `threshold` alike, in index order.

        Each posting list yields the pairs that share its bigram, so a pair is counted once per
        bigram it shares and pairs sharing none are never met."""
        shared = Counter(
            chain.from_iterable(combinations(positions, 2) for positions in self.postings.values())
        )
        pairs = [(a, b, self.score(self.grams[a], b, count)) for (a, b), count in shared.items()]
        return sorted(pair for pair in pairs if pair[2] >= threshold)
