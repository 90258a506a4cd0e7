"""The demo county's published lists: two townships taken through the whole review and published,
one of them twice, so the public site has editions and a change log from the first `make demo`."""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from catalog import services as catalog_services
from catalog.models import Department, DutyItem, DutyList, Township
from review import notifications, workflow
from review import services as review_services

from . import services

# (township, effective date and 文号 of each edition)
DEMO_EDITIONS = [
    ("白云乡", [(date(2025, 7, 1), "示办发〔2025〕21号")]),
    ("东湖街道", [(date(2025, 7, 1), "示办发〔2025〕22号"), (date(2026, 3, 1), "示办发〔2026〕5号")]),
]


def review_and_publish(
    duty_list: DutyList, *, editor, reviewer, effective_on: date, document_number: str
) -> None:
    """One review cycle with nothing disputed, then 审定 and 印发公布."""
    department = reviewer.memberships.get().department
    for _round in ("一", "二"):  # two rounds of comments, nothing left contested
        workflow.perform(duty_list, "submit", by=editor, note="演示数据")
        workflow.perform(
            duty_list, "open_comments", by=editor, departments=[department], deadline=timezone.localdate()
        )
        review_services.finish_feedback(workflow.open_window(duty_list), by=reviewer)
        workflow.perform(duty_list, "close_comments", by=editor)
    workflow.perform(duty_list, "submit", by=editor, note="演示数据")
    for action in ("start_coordination", "start_consultation", "start_deliberation"):
        workflow.perform(duty_list, action, by=editor)
    workflow.perform(
        duty_list,
        "approve",
        by=editor,
        meeting="县委常委会会议",
        approved_on=effective_on - timedelta(days=10),
        document_number=document_number.replace("办发", "委发"),
    )
    services.publish_list(duty_list, by=editor, effective_on=effective_on, document_number=document_number)


def adjust(duty_list: DutyList, editor) -> None:
    """The changes of the demo's second edition: one item reworded, one moved, one removed."""
    items = list(DutyItem.objects.active().filter(duty_list=duty_list, part="basic").order_by("pk")[:3])
    reworded, moved, removed = items
    reworded.content = f"{reworded.content}（根据新修订的法规调整表述）"
    catalog_services.save_item(reworded, by=editor, reason="法规修订")
    lead = Department.objects.filter(county=duty_list.township.county).order_by("order").first()
    catalog_services.move_items_to_part(
        [moved], part="coordinated", reason="调整为县级部门牵头", lead_departments=[lead], by=editor
    )
    catalog_services.delete_item(removed, by=editor, reason="职责已调整")


def publish_demo_lists() -> None:
    """The demo's reviews happened before anyone logs in: they leave no notifications behind."""
    with notifications.muted():
        replay_demo_reviews()


def replay_demo_reviews() -> None:
    User = get_user_model()
    editor, reviewer = User.objects.get(username="bianban"), User.objects.get(username="nongye")
    for name, editions in DEMO_EDITIONS:
        township = Township.objects.get(name=name, county__code="999001")
        duty_list = township.duty_lists.get()
        for number, (effective_on, document_number) in enumerate(editions, start=1):
            if number > 1:
                duty_list = catalog_services.start_list(
                    township, title=duty_list.title, year=effective_on.year, by=editor, source=duty_list
                )
                adjust(duty_list, editor)
            review_and_publish(
                duty_list,
                editor=editor,
                reviewer=reviewer,
                effective_on=effective_on,
                document_number=document_number,
            )
