"""The words residents search published items by: two-character grams of the searched columns."""

import re

from catalog.columns import SEARCHED_FIELDS
from catalog.models import FrozenItem

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
WORD = re.compile(r"[0-9a-z]+")


def grams(text: str) -> list[str]:
    """The searchable units of a text: every two-character run of its Chinese, and its Latin words and
    numbers. A lone Chinese character stands for itself."""
    text = text.lower()
    units = []
    for run in HAN.findall(text):
        if len(run) == 1:
            units.append(run)
        units.extend(run[i : i + 2] for i in range(len(run) - 1))
    units.extend(WORD.findall(text))
    return units


def search_grams(row: FrozenItem) -> str:
    seen = dict.fromkeys(g for field in SEARCHED_FIELDS for g in grams(str(getattr(row, field) or "")))
    return " ".join(seen)
