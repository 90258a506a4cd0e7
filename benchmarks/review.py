"""Server time of two review pages at county scale: median, 90th percentile and minimum.

Run with `make bench-review` (SQLite) or `DATABASE_URL=postgresql://… make bench-review`.
In a throwaway test database with the demo county it times GET requests through
Django's test client in this process (routing, queries, template rendering,
without network or browser) of:

- queue: a department's queue (县农业农村局, user `nongye`) while 13 townships'
  lists of 340 items each are open for comments by it and 县应急管理局, with
  about 20 of its comments on each list;
- compare: the comparison of two 400-item submissions of one list (青山镇, user
  `bianban`): round 1, a window of comments by 县农业农村局 answered (some
  applied to the draft, some rejected), then direct edits, deletions and moves
  between parts, then round 2.

The queue's lists are the demo county's lists still in draft (the demo itself
publishes two) and new townships copied from the pilot's, 13 in all; 青山镇 is
kept for the comparison so each list is in one state only. BENCH_RUNS sets the
timed requests per page. The database is dropped afterwards.
"""

import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks.support import demo_database, grow_list  # noqa: E402 - sets Django up first
from catalog.actors import SYSTEM

QUEUE_TOWNSHIPS = 13
QUEUE_ITEMS = 340
QUEUE_COMMENTS = 20  # per list, by 县农业农村局
COMPARE_ITEMS = 400
COMPARE_TOWNSHIP = "青山镇"
MODIFY_COMMENTS, APPLIED = 30, 20  # comments proposing a new name; how many are accepted and applied
EDITED, DELETED, MOVED = 40, 10, 10  # items changed directly between the two rounds
WARM_UP = 3
RUNS = int(os.environ.get("BENCH_RUNS", "40"))


def users():
    from django.contrib.auth import get_user_model

    User = get_user_model()
    return User.objects.get(username="bianban"), User.objects.get(username="nongye")


def queue_county(county, pilot, bianban, nongye, departments):
    """13 lists of 340 items, each submitted and open for comments by the two departments."""
    from catalog.models import DutyItem, DutyList, Township
    from catalog.services import start_list
    from review import services, workflow

    farming = departments[0]
    # Only the lists the demo leaves in draft: it reviews and publishes two of them itself.
    lists = list(
        DutyList.objects.filter(township__county=county, stage=DutyList.Stage.DRAFTING)
        .exclude(township__name=COMPARE_TOWNSHIP)
        .select_related("township")
    )
    for n in range(QUEUE_TOWNSHIPS - len(lists)):
        township = Township.objects.create(
            county=county,
            name=f"基准测试镇{n + 1}",
            code=f"{county.code}{500 + n}",
            kind=Township.Kind.ZHEN,
            order=500 + n,
        )
        lists.append(
            start_list(
                township,
                title=f"{township.name}履行职责事项清单",
                year=pilot.year,
                source=pilot,
                copy_without_offices=True,
                by=SYSTEM,
            )
        )
    deadline = timezone.localdate() + timedelta(days=10)
    for duty_list in lists:
        grow_list(duty_list, QUEUE_ITEMS)
        assert DutyItem.objects.active().filter(duty_list=duty_list).count() == QUEUE_ITEMS
        workflow.perform(duty_list, "submit", by=bianban)
        workflow.perform(duty_list, "open_comments", by=bianban, departments=departments, deadline=deadline)
        window = workflow.open_window(duty_list)
        rows = list(window.submission.items.all())
        # Its own items first (those naming the department), as a reviewer would.
        rows.sort(key=lambda row: farming.pk not in row.lead_department_ids)
        for row in rows[:QUEUE_COMMENTS]:
            services.add_comment(window, by=nongye, item_key=row.key, position="agree")
    return lists


def two_rounds(duty_list, bianban, nongye, farming):
    """Round 1, a window of comments answered, direct changes, round 2."""
    from catalog import services as catalog_services
    from catalog.models import DutyItem, Part
    from review import services, workflow
    from review.models import Comment

    grow_list(duty_list, COMPARE_ITEMS)
    assert DutyItem.objects.active().filter(duty_list=duty_list).count() == COMPARE_ITEMS
    workflow.perform(duty_list, "submit", by=bianban)
    workflow.perform(
        duty_list,
        "open_comments",
        by=bianban,
        departments=[farming],
        deadline=timezone.localdate() + timedelta(days=10),
    )
    window = workflow.open_window(duty_list)
    for number, row in enumerate(window.submission.items.order_by("pk")[:MODIFY_COMMENTS]):
        services.add_comment(
            window,
            by=nongye,
            item_key=row.key,
            position="modify",
            proposed_name=f"{row.name}（建议修改{number + 1}）",
        )
    services.finish_feedback(window, by=nongye)
    workflow.perform(duty_list, "close_comments", by=bianban)
    duty_list.refresh_from_db()
    assert duty_list.stage == duty_list.Stage.FIRST_FEEDBACK, duty_list.stage

    comments = list(
        Comment.objects.filter(duty_list=duty_list).exclude(position=Comment.Position.AGREE).order_by("pk")
    )
    for number, comment in enumerate(comments):
        if number < APPLIED:
            services.answer_comment(comment, by=bianban, answer="accepted", apply=True)
        else:
            services.answer_comment(comment, by=bianban, answer="rejected", reason="不采纳")

    commented = {c.item_key for c in comments}
    untouched = [
        item
        for item in DutyItem.objects.active()
        .filter(duty_list=duty_list)
        .select_related("duty_list__township__county", "category")
        .order_by("pk")
        if item.key not in commented
    ]
    movable = [item for item in untouched if item.part != Part.BASIC][:MOVED]
    rest = [item for item in untouched if item not in movable]
    edited, deleted = rest[:EDITED], rest[EDITED : EDITED + DELETED]
    for number, item in enumerate(edited):
        if item.part == Part.BASIC and number % 2 == 0:
            item.content = f"{item.content}（基准修改{number + 1}）"
        else:
            item.basis = f"{item.basis}（基准补充依据{number + 1}）"
        catalog_services.save_item(item, by=SYSTEM, reason="benchmark")
    for item in deleted:
        catalog_services.delete_item(item, by=SYSTEM)
    moved = catalog_services.move_items_to_part(
        movable, part=Part.BASIC, reason="基准测试：移入基本履职事项", by=SYSTEM
    )
    assert moved == MOVED, moved
    workflow.perform(duty_list, "submit", by=bianban)
    return len(comments)


def time_page(client, url, check=None):
    """Timings (ms, sorted), the queries of one request, and the last response."""
    for _ in range(WARM_UP):
        response = client.get(url)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    query_count = len(queries)  # read now: the next request clears the connection's log
    assert response.status_code == 200, response.status_code
    if check is not None:
        check(response)
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    timings.sort()
    return timings, query_count, response


def report(label, target, timings, queries, response) -> None:
    median = statistics.median(timings)
    print(
        f"{label:<44} {median:>8.1f} {timings[int(len(timings) * 0.9) - 1]:>8.1f} {timings[0]:>8.1f}"
        f" {queries:>8} {len(response.content) // 1024:>6}  "
        f"{'ok' if median < target else 'OVER'} (< {target} ms)"
    )


def main() -> None:
    from catalog.models import Department, DutyList

    with demo_database():
        start = time.perf_counter()
        bianban, nongye = users()
        pilot = DutyList.objects.select_related("township__county").get(township__name="城关镇")
        county = pilot.township.county
        departments = [
            Department.objects.get(county=county, name=name) for name in ("县农业农村局", "县应急管理局")
        ]
        lists = queue_county(county, pilot, bianban, nongye, departments)
        compared = DutyList.objects.get(township__name=COMPARE_TOWNSHIP)
        comment_count = two_rounds(compared, bianban, nongye, departments[0])
        setup = time.perf_counter() - start

        def has_every_window(response):
            entries = response.context["entries"]
            assert len(entries) == len(lists), f"{len(entries)} windows in the queue, not {len(lists)}"
            own = sum(len(entry.own_items) for entry in entries)
            print(f"queue: {len(entries)} windows, {own} items naming 县农业农村局")

        client = Client()
        client.force_login(nongye)
        queue = time_page(client, reverse("review:queue"), has_every_window)

        def has_differences(response):
            comparison = response.context["comparison"]
            assert comparison is not None and comparison.items, "the comparison is empty"
            print(f"comparison: {comparison.counts}, {comment_count} comments in round 1")

        client = Client()
        client.force_login(bianban)
        compare = time_page(
            client, reverse("review:compare", args=[compared.pk]) + "?before=1&after=2", has_differences
        )

        print(f"database {connection.vendor}, setup {setup:.1f} s, {RUNS} timed requests each")
        print(f"{'page':<44} {'median':>8} {'p90':>8} {'min':>8} {'queries':>8} {'KiB':>6}")
        report(f"queue, {len(lists)} townships × {QUEUE_ITEMS} items", 300, *queue)
        report(f"compare, 2 × {COMPARE_ITEMS} items (rounds 1 → 2)", 200, *compare)


if __name__ == "__main__":
    main()
