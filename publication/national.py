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
    """A township's edition in force, a county's editions (its items per township), or the average of
    those shown, beside the national figures."""

    label: str
    township: object  # None for a county's row and for the average
    items: float  # items per township
    share: float  # coordinated + reclaimed, % of its items
    items_width: float  # the items on a 0–100 scale holding the largest count and 340
    url: str = ""  # where a county's row leads (a township's row leads to its list)

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


@dataclass
class Figures:
    """What one row compares: a township's edition in force, or a county's editions together."""

    label: str
    township: object  # the township of a township's row, else None
    townships: int
    items: int
    shared: int  # coordinated + reclaimed
    url: str = ""

    @property
    def per_township(self) -> float:
        if self.townships == 1:
            return self.items
        return round(self.items / self.townships, 1) if self.townships else 0.0


def compare(figures: list[Figures], average_label: str) -> Comparison:
    """Each row's items per township and share against the national means, and their average; no query."""
    scale = max([ITEMS_PER_TOWNSHIP, *(f.per_township for f in figures)])
    rows = [
        Row(
            f.label,
            f.township,
            f.per_township,
            share_of(f.shared, f.items),
            round(100 * f.per_township / scale, 1),
            f.url,
        )
        for f in figures
    ]
    total = sum(f.items for f in figures)
    townships = sum(f.townships for f in figures)
    mean = round(total / townships, 1) if townships else 0.0
    shared = sum(f.shared for f in figures)
    average = Row(average_label, None, mean, share_of(shared, total), round(100 * mean / scale, 1))
    return Comparison(average, rows, scale)


def compare_townships(editions: list) -> Comparison:
    """The editions in force (with their per-part counts) against the national means; no query."""
    figures = [
        Figures(
            edition.township.name,
            edition.township,
            1,
            edition.item_count,
            edition.coordinated_count + edition.reclaimed_count,
        )
        for edition in editions
    ]
    return compare(figures, "本县平均")
