"""The national figures a county's statistics are compared with, stated once with their source, and
the per-township comparison drawn from them.

Source: the national results of compiling the township responsibility lists (乡镇（街道）履行职责
事项清单) as issue 13 and the project's domain reference cite them: about 340 items per township on
average, of which coordinated and reclaimed items are 65.6%. They are national means, a point of
reference for a county, not a target.
"""

from dataclasses import dataclass

SOURCE = "全国乡镇（街道）履行职责事项清单编制完成后公布的全国平均数"
SHARED_SHARE = 65.6  # % of a township's items that are coordinated or reclaimed, nationally
ITEMS_PER_TOWNSHIP = 340  # items per township, national mean


def share_of(shared: int, total: int) -> float:
    return round(100 * shared / total, 1) if total else 0.0


def signed(number) -> str:
    """A difference as a person reads it: +12, −30, 0."""
    return f"+{number}" if number > 0 else (f"−{-number}" if number < 0 else "0")


@dataclass
class Row:
    """A township's edition in force (or the county's average) beside the national figures."""

    label: str
    township: object  # None for the county's average
    items: float
    share: float  # coordinated + reclaimed, % of its items
    items_width: float  # the items on a 0–100 scale holding the largest count and 340

    @property
    def items_difference(self) -> str:
        difference = self.items - ITEMS_PER_TOWNSHIP
        return signed(round(difference, 1) if isinstance(difference, float) else difference)

    @property
    def share_difference(self) -> str:
        return signed(round(self.share - SHARED_SHARE, 1))


@dataclass
class Comparison:
    average: Row
    rows: list[Row]
    items_scale: int  # what 100 on the items bars stands for

    @property
    def items_mark(self) -> float:
        """Where 340 stands on the items bars."""
        return round(100 * ITEMS_PER_TOWNSHIP / self.items_scale, 1)

    share_mark = SHARED_SHARE
    items_per_township = ITEMS_PER_TOWNSHIP
    source = SOURCE


def compare_townships(editions: list) -> Comparison:
    """The editions in force (with their per-part counts) against the national means; no query."""
    scale = max([ITEMS_PER_TOWNSHIP, *(edition.item_count for edition in editions)])
    rows = [
        Row(
            edition.township.name,
            edition.township,
            edition.item_count,
            share_of(edition.coordinated_count + edition.reclaimed_count, edition.item_count),
            round(100 * edition.item_count / scale, 1),
        )
        for edition in editions
    ]
    total = sum(edition.item_count for edition in editions)
    shared = sum(edition.coordinated_count + edition.reclaimed_count for edition in editions)
    mean = round(total / len(editions), 1) if editions else 0.0
    average = Row("本县平均", None, mean, share_of(shared, total), round(100 * mean / scale, 1))
    return Comparison(average, rows, scale)
