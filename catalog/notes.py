"""批注: the township's officials and the county editor leave notes on items of a draft to each other.

The internal round of corrections before a list goes up (and while it is back with the township) —
"科室请核对依据", "已改，请看" — happens here rather than in a WeChat group. A note starts a thread
on one item; replies join it; whoever takes part may mark the thread resolved (or reopen it). Notes
are a conversation about the draft, not part of it: they change no item, no version and no stage,
and are never frozen or published.
"""

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from . import permissions
from .actors import checked
from .models import DutyItem
from .refusals import Conflict, Forbidden, Invalid

MAX_NOTE_LENGTH = 2000


class DraftNote(models.Model):
    item = models.ForeignKey(DutyItem, on_delete=models.CASCADE, related_name="notes", verbose_name="事项")
    # Replies point at the thread's first note; a thread is one level deep.
    thread = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name="所属批注",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="批注人"
    )
    text = models.TextField("内容", max_length=MAX_NOTE_LENGTH)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    resolved_at = models.DateTimeField("解决时间", null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="标为已解决",
    )

    class Meta:
        app_label = "catalog"
        verbose_name = "批注"
        verbose_name_plural = "批注"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["item", "thread"], name="draftnote_item_thread")]

    def __str__(self) -> str:
        return self.text[:30]


def check_can_note(by, item: DutyItem) -> None:
    duty_list = item.duty_list
    if not permissions.can_take_part_in_notes(checked(by), duty_list):
        raise Forbidden(
            f"只有{duty_list.township.name}的工作人员和县委编办可以批注本清单。", code="cannot_note"
        )
    if not permissions.notes_are_open(duty_list):
        raise Conflict(
            f"清单处于“{duty_list.get_stage_display()}”阶段，批注只在乡镇（街道）修改清单时使用。",
            code="notes_closed",
        )


@transaction.atomic
def add_note(item: DutyItem, *, by, text: str, thread: DraftNote | None = None) -> DraftNote:
    """A new thread on the item, or a reply to `thread` (which reopens it)."""
    check_can_note(by, item)
    text = text.strip()
    if not text:
        raise Invalid("请填写批注内容。", code="required", field="text")
    if len(text) > MAX_NOTE_LENGTH:
        raise Invalid(
            f"批注不能超过 {MAX_NOTE_LENGTH} 字（现为 {len(text)} 字）。", code="too_long", field="text"
        )
    if thread is not None:
        thread = DraftNote.objects.select_for_update().get(pk=thread.pk)
        if thread.item_id != item.pk or thread.thread_id is not None:
            raise Invalid("所回复的批注不属于该事项。", code="other_thread", field="thread")
        if thread.resolved_at is not None:
            thread.resolved_at, thread.resolved_by = None, None
            thread.save(update_fields=["resolved_at", "resolved_by"])
    return DraftNote.objects.create(item=item, thread=thread, author=by, text=text)


@transaction.atomic
def resolve_note(note: DraftNote, *, by, resolved: bool = True) -> DraftNote:
    """Mark a thread resolved, or open it again."""
    note = DraftNote.objects.select_for_update().select_related("item__duty_list__township").get(pk=note.pk)
    check_can_note(by, note.item)
    if note.thread_id is not None:
        raise Invalid("只能把整条批注标为已解决。", code="not_a_thread", field="note")
    note.resolved_at, note.resolved_by = (timezone.now(), by) if resolved else (None, None)
    note.save(update_fields=["resolved_at", "resolved_by"])
    return note


def open_thread_counts(duty_list=None, *, item_ids=None) -> dict[int, int]:
    """Unresolved threads per item, of a whole list or of some items (one query)."""
    where = {"item__duty_list": duty_list} if duty_list is not None else {"item_id__in": item_ids}
    rows = (
        DraftNote.objects.filter(thread__isnull=True, resolved_at__isnull=True, **where)
        .values("item_id")
        .annotate(count=models.Count("id"))
    )
    return {row["item_id"]: row["count"] for row in rows}


def threads_of(item: DutyItem) -> list[DraftNote]:
    """The item's threads, oldest first, each with its replies (two queries)."""
    threads = list(
        DraftNote.objects.filter(item=item, thread__isnull=True)
        .select_related("author", "resolved_by")
        .prefetch_related(models.Prefetch("replies", DraftNote.objects.select_related("author")))
    )
    return threads
