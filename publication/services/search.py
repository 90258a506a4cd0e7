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


# The digits of a township's division code that name its province, city and county (GB/T 2260
# codes nest, and `Township.clean`, `County.clean` and `City.clean` hold them to it).
AREA_DIGITS = {"province": 2, "city": 4, "county": 6}


def area_gram(code: str, level: str) -> str:
    """The word that places an item in its province, city or county: `area` and the leading digits
    of the division code. No text yields it (grams are Chinese pairs and lower-case words of the
    text, and no query asks for a Latin word through the index)."""
    return f"area{code[: AREA_DIGITS[level]]}"


def placed(grams_of_text: str, township_code: str) -> str:
    """An edition item's `search_grams`: its text's grams and the words placing it in its province,
    city and county, so that a search within an area asks the gram index for both at once
    (docs/decisions/0039-area-words-in-the-search-index.md)."""
    return " ".join([grams_of_text, *(area_gram(township_code, level) for level in AREA_DIGITS)]).strip()
