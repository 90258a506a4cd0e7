"""An item's 批注 page: its threads, a new note, replies, resolving. Thin callers of `catalog.notes`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from . import notes, permissions
from .queries import person
from .refusals import REFUSALS, refusal_of
from .views import item_for


@login_required
@require_http_methods(["GET", "POST"])
def item_notes(request, item_id: int):
    item = item_for(request, item_id, edit=False)
    status = 200
    if request.method == "POST":
        try:
            note = act(request, item)
        except REFUSALS as error:  # shown on the page with its status, nothing written
            refusal = refusal_of(error)
            messages.error(request, refusal.message)
            status = refusal.status
        else:
            return redirect(f"{request.path}#note-{note.thread_id or note.pk}")
    threads = notes.threads_of(item)
    for note in threads:
        note.by = person(note.author)
        for reply in note.replies.all():
            reply.by = person(reply.author)
    context = {
        "item": item,
        "duty_list": item.duty_list,
        "threads": threads,
        "can_note": permissions.can_take_part_in_notes(request.user, item.duty_list)
        and permissions.notes_are_open(item.duty_list),
        "max_length": notes.MAX_NOTE_LENGTH,
    }
    return render(request, "catalog/item_notes.html", context, status=status)


def act(request, item) -> notes.DraftNote:
    """The posted action: a new note or a reply (`text`, `thread`), or resolving a thread."""
    thread_id = request.POST.get("thread", "")
    thread = get_object_or_404(notes.DraftNote, pk=thread_id, item=item) if thread_id.isdigit() else None
    action = request.POST.get("action", "note")
    if action in {"resolve", "reopen"} and thread is not None:
        return notes.resolve_note(thread, by=request.user, resolved=action == "resolve")
    return notes.add_note(item, by=request.user, text=request.POST.get("text", ""), thread=thread)
