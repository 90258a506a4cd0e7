"""Reads for the pages of the rounds on the county template, each in a fixed number of queries
whatever the number of entries, townships and comments."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch

from catalog.models import Catalogue, CatalogueEntry, Township

from . import permissions
from .models import Comment, CommentWindow, Invitation, Reply
from .queries import comments_with_names

Position = Comment.Position


def template_comments():
    """Comments with everything the round's pages print: the township, the proposal, every turn."""
    return (
        comments_with_names()
        .select_related("township", "entry")
        .prefetch_related(Prefetch("replies", queryset=Reply.objects.select_related("by")))
    )


def entries_of(catalogue: Catalogue):
    return catalogue.entries.select_related("category", "receiving_department").prefetch_related(
        "lead_departments"
    )


@dataclass
class EntryRow:
    entry: CatalogueEntry
    comments: list = field(default_factory=list)  # the user's township's, or (editor) nobody's
    counts: list = field(default_factory=list)  # (position label, n) of all townships' comments
    waiting: int = 0  # comments the editor has still to answer


@dataclass
class RoundPage:
    window: CommentWindow
    rows: list[EntryRow]
    added: list[Comment]  # 建议增加事项: the user's township's, or (editor) every township's
    invitations: list[Invitation]
    township: Township | None  # the invited township the user comments for
    is_editor: bool


def round_page(window: CommentWindow, user) -> RoundPage:
    """The template's entries in order; per entry, how the townships stand on it (counts for the
    editor, the township's own comments for its officials)."""
    is_editor = permissions.can_run_template_rounds(user, window.county_id)
    invitations = list(window.invitations.select_related("township").order_by("township__order"))
    township = permissions.signing_township(user, window)
    rows = {entry.pk: EntryRow(entry) for entry in entries_of(window.catalogue)}
    tallies = (
        Comment.objects.filter(window=window, entry__isnull=False)
        .values("entry", "position")
        .annotate(n=Count("pk"), waiting=Count("pk", filter=Comment.waiting()))
    )
    counts = defaultdict(Counter)
    for tally in tallies:
        counts[tally["entry"]][tally["position"]] += tally["n"]
        if tally["entry"] in rows:
            rows[tally["entry"]].waiting += tally["waiting"]
    for pk, row in rows.items():
        row.counts = [
            (Position(p).label, counts[pk][p]) for p in Comment.POSITIONS[window.kind] if counts[pk][p]
        ]
    if township is not None:
        shown = template_comments().filter(window=window, township=township)
    elif is_editor:  # the editor answers the proposed entries here, the rest entry by entry
        shown = template_comments().filter(window=window, entry__isnull=True)
    else:
        shown = Comment.objects.none()
    added = []
    for comment in shown:
        if comment.entry_id is None:
            added.append(comment)
        elif comment.entry_id in rows:
            rows[comment.entry_id].comments.append(comment)
    return RoundPage(window, list(rows.values()), added, invitations, township, is_editor)


def entry_comments(window: CommentWindow, entry: CatalogueEntry) -> list[Comment]:
    """Every township's comments on one entry, township by township."""
    return list(
        template_comments().filter(window=window, entry=entry).order_by("township__order", "created_at", "pk")
    )


def template_rounds(county_id: int) -> list[tuple[Catalogue, list[CommentWindow]]]:
    """The county's templates, each with its rounds and how many comments wait for an answer."""
    windows = CommentWindow.objects.filter(catalogue__county_id=county_id).annotate(
        waiting=Count("comments", filter=Comment.waiting("comments__")),
        total=Count("comments"),
    )
    catalogues = Catalogue.objects.filter(county_id=county_id, kind=Catalogue.Kind.TEMPLATE).prefetch_related(
        Prefetch("comment_windows", queryset=windows.order_by("-opened_at"), to_attr="rounds")
    )
    return [(catalogue, catalogue.rounds) for catalogue in catalogues]
