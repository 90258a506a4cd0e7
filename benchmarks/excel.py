"""Excel import and export timings, and the peak memory of a county export.

Run with `make bench-excel` (SQLite) or `DATABASE_URL=postgresql://… make bench-excel`.
In a throwaway test database with the demo county it measures, each as the
median of several runs in this process:

- import: `plan_import` + `apply_import` of a 400-item workbook into an empty
  township (what the upload page's preview and confirmation do);
- export: `list_workbook` of a 400-item list (the download button);
- county export: 30 townships × 400 items written as a zip of workbooks,
  timed once, with the process's peak resident memory (ru_maxrss) after it.
"""

import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from django.db import connection  # noqa: E402

from benchmarks.support import demo_database, grow_list  # noqa: E402 - sets Django up first
from catalog.actors import SYSTEM

ITEMS = 400
TOWNSHIPS = 30
RUNS = int(os.environ.get("BENCH_RUNS", "5"))


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    from catalog import exports
    from catalog.imports import apply_import, plan_import
    from catalog.models import DutyItem, DutyList, Township
    from catalog.services import start_list

    with demo_database():
        pilot = DutyList.objects.get(township__name="城关镇")
        grow_list(pilot, ITEMS)
        county = pilot.township.county
        workbook = exports.list_workbook(pilot)

        export_times = [timed(lambda: exports.list_workbook(pilot)) for _ in range(RUNS)]

        import_times = []
        for run in range(RUNS):
            township = Township.objects.create(
                county=county,
                name=f"导入测试镇{run}",
                code=f"999001{200 + run}",
                kind="zhen",
                order=200 + run,
            )

            def do_import(township=township):
                plan = plan_import(workbook, "基准.xlsx", township, create_missing=True, by=SYSTEM)
                assert plan.ok and len(plan.added) == ITEMS, plan.problems[:3]
                apply_import(plan, by=SYSTEM)

            import_times.append(timed(do_import))

        for n in range(TOWNSHIPS - DutyList.objects.filter(township__county=county).count()):
            township = Township.objects.create(
                county=county, name=f"全县测试镇{n}", code=f"999001{300 + n}", kind="zhen", order=300 + n
            )
            start_list(
                township,
                title=f"{township.name}清单",
                year=2025,
                source=pilot,
                copy_without_offices=True,
                by=SYSTEM,
            )
        lists = list(DutyList.objects.filter(township__county=county).select_related("township"))
        for duty_list in lists:
            if DutyItem.objects.active().filter(duty_list=duty_list).count() < ITEMS:
                grow_list(duty_list, ITEMS)
        total = DutyItem.objects.active().filter(duty_list__in=lists).count()
        sink = open(os.devnull, "wb")  # noqa: SIM115 - the zip is measured, not kept
        county_ms = timed(lambda: exports.write_county_zip(lists, _Counter(sink)))
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        vendor = connection.vendor
        print(
            f"import of {ITEMS} items, {vendor}: median {statistics.median(import_times):.0f} ms over {RUNS} runs"
        )
        print(
            f"export of {ITEMS} items, {vendor}: median {statistics.median(export_times):.0f} ms over {RUNS} runs"
        )
        print(
            f"county export, {len(lists)} townships / {total} items, {vendor}: {county_ms / 1000:.1f} s, "
            f"peak resident memory of the process {peak_mb:.0f} MB"
        )


class _Counter:
    """A write-only stream that passes bytes on; zipfile needs only write, tell and flush."""

    def __init__(self, sink):
        self.sink, self.position = sink, 0

    def write(self, data) -> int:
        self.position += len(data)
        return self.sink.write(data)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        self.sink.flush()


if __name__ == "__main__":
    main()
