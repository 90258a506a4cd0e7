"""Every write of the publication app, one module per concern: `editions` (印发公布 and the edition
in force), `search` (the grams residents search by), `feedback` (群众监督), `adjustments`
(动态调整), `admissions` (职责准入) and `dispatch` (12345 lookups counted, 派单异议). Callers use
`publication.services.<name>`; the names are gathered here."""

from .adjustment_preview import ChangePreview, preview_changes
from .adjustments import (
    RequestedChange,
    answer_remark,
    check_changes,
    check_open,
    decide_adjustment,
    file_adjustment,
    publish_adjustment,
    remark_on,
)
from .admissions import Task, act_on_admission, file_admission, matches_in_force
from .annual_review import start_review_adjustment
from .dispatch import answer_dispute, count_lookup, file_adjustment_for_disputes, file_dispute
from .editions import create_edition, current_edition, publish_approved, publish_list
from .feedback import (
    RateLimited,
    address_hash,
    close_feedback,
    forward_feedback,
    report_by_receipt,
    report_item,
    take_report_slot,
)
from .search import SEARCHED_FIELDS, grams, search_grams

__all__ = [
    "SEARCHED_FIELDS",
    "ChangePreview",
    "RateLimited",
    "RequestedChange",
    "Task",
    "act_on_admission",
    "address_hash",
    "answer_dispute",
    "answer_remark",
    "check_changes",
    "check_open",
    "close_feedback",
    "count_lookup",
    "create_edition",
    "current_edition",
    "decide_adjustment",
    "file_adjustment",
    "file_admission",
    "file_adjustment_for_disputes",
    "file_dispute",
    "forward_feedback",
    "grams",
    "matches_in_force",
    "preview_changes",
    "publish_adjustment",
    "publish_approved",
    "publish_list",
    "remark_on",
    "report_by_receipt",
    "report_item",
    "search_grams",
    "start_review_adjustment",
    "take_report_slot",
]
