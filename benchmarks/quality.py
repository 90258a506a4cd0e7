"""The quality check of a 400-item list: the near-duplicate search through the bigram index against
comparing every pair of names, and the server time of the check's page.

Run with `make bench-quality` (SQLite) or `DATABASE_URL=postgresql://… make bench-quality`. It builds a
throwaway test database with the demo county, grows the pilot township's list to 400 active items
(copies of its own items named “…（2）”, so most items have a near twin: many findings, the
expensive case), then times, in this process: the findings computed from items already read
(`quality_of` minus its two queries), the same pairs found by comparing every pair, and GET requests
of the page through Django's test client.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from benchmarks.support import demo_database, grow_list  # noqa: E402 - sets Django up first

ITEMS = 400
RUNS = int(os.environ.get("BENCH_RUNS", "20"))


def timed(function, runs: int = RUNS) -> tuple[float, float]:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.9) - 1]


def every_pair(names: list[str], threshold: float) -> list:
    """The same pairs by comparing every pair of names (each name's bigrams computed once)."""
    from catalog.similarity import bigrams, compared_text, dice

    grams = [bigrams(compared_text(name)) for name in names]
    return [
        (i, j)
        for i in range(len(names))
        for j in range(i + 1, len(names))
        if dice(grams[i], grams[j]) >= threshold
    ]


def main() -> None:
    from django.contrib.auth import get_user_model

    from catalog import coverage, quality
    from catalog.models import DutyList
    from catalog.similarity import BigramIndex

    with demo_database():
        duty_list = DutyList.objects.get(township__name="城关镇")
        grow_list(duty_list, ITEMS)
        items = list(coverage.draft_items(duty_list))
        assert len(items) == ITEMS
        names = [item.name for item in items]
        threshold = quality.policy_for(duty_list.township.county_id).threshold
        pairs = BigramIndex(names).alike_pairs(threshold)
        assert [(i, j) for i, j, _ in pairs] == every_pair(names, threshold)
        index_time = timed(lambda: BigramIndex(names).alike_pairs(threshold))
        naive_time = timed(lambda: every_pair(names, threshold))
        county_id = duty_list.township.county_id
        check_time = timed(lambda: quality.quality_of(county_id, items))
        found = quality.quality_of(county_id, items)
        client = Client()
        client.force_login(get_user_model().objects.get(username="chengguan"))
        url = reverse("catalog:list_quality", args=[duty_list.pk])
        for _ in range(3):
            assert client.get(url).status_code == 200
        page_time = timed(lambda: client.get(url))
        print(
            f"{ITEMS} items, {connection.vendor}, {len(pairs)} near pairs at {threshold:.0%}, "
            f"{len(found)} findings:\n"
            f"  near pairs through the bigram index: median {index_time[0]:.1f} ms, p90 {index_time[1]:.1f} ms\n"
            f"  near pairs comparing every pair:     median {naive_time[0]:.1f} ms\n"
            f"  whole check (2 queries + findings):  median {check_time[0]:.1f} ms, p90 {check_time[1]:.1f} ms\n"
            f"  quality page:                        median {page_time[0]:.1f} ms, p90 {page_time[1]:.1f} ms"
        )


if __name__ == "__main__":
    main()
