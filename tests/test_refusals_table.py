"""The rules the pages enforce, as a table: each is a service refusal with a code, a Chinese message,
the field concerned (a service parameter, never a form's name for it) and the status `refusal_of`
gives; a page refusing the same thing answers the same status and message and changes nothing.

The item services' and the workflow's own refusals are in tests/catalog/test_refusals.py.
"""

from datetime import date, timedelta
from functools import cached_property

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog import services as catalog_services
from catalog.models import Catalogue, County, DutyItem, DutyList
from catalog.refusals import refusal_of
from publication import services as publication
from publication.models import Adjustment, AdjustmentRemark, Edition
from review import decisions as review_decisions
from review import services as review
from review import template_rounds, workflow
from review.models import Comment, CommentWindow, Decision, Dispute
from tests.conftest import make_department, make_duty_list, make_item, make_township
from tests.publication.conftest import approve_and_publish, make_adjustment
from tests.review.conftest import make_template, open_template_round

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


class World:
    """Only what a case asks for is built: a review of the list at 一下, a dispute, a published
    neighbour (河西镇) with a request to adjust it."""

    def __init__(self, cast, duty_list, settings):
        self.cast, self.duty_list, self.settings = cast, duty_list, settings
        self.editor, self.reviewer = cast["county_editor"], cast["department_reviewer"]
        self.official = cast["township_official"]

    @cached_property
    def department(self):
        return self.reviewer.memberships.get().department

    @cached_property
    def window(self) -> CommentWindow:
        """一上 with two items, the reviewer's department asked."""
        make_item(self.duty_list, name="农村低保审核")
        make_item(self.duty_list, name="殡葬管理")
        workflow.perform(self.duty_list, "submit", by=self.official)
        workflow.perform(
            self.duty_list,
            "open_comments",
            by=self.editor,
            departments=[self.department],
            deadline=TODAY() + timedelta(days=5),
        )
        return workflow.open_window(self.duty_list)

    def key(self, name: str):
        return self.window.submission.items.get(name=name).key

    @cached_property
    def comment(self) -> Comment:
        """A proposal to rename 农村低保审核, its window closed: 一下, the township answers."""
        comment = review.add_comment(
            self.window,
            by=self.reviewer,
            item_key=self.key("农村低保审核"),
            position=Comment.Position.MODIFY,
            proposed_name="农村低保初审",
        )
        review.finish_feedback(self.window, by=self.reviewer)
        workflow.perform(self.duty_list, "close_comments", by=self.editor)
        return comment

    @cached_property
    def dispute(self) -> Dispute:
        return review_decisions.escalate_comment(self.comment, by=self.editor)

    @cached_property
    def edition(self) -> Edition:
        neighbour = make_duty_list(make_township(self.duty_list.township.county, "河西镇"))
        make_item(neighbour, name="农村低保审核")
        make_item(neighbour, name="殡葬管理")
        return approve_and_publish(neighbour, self.editor)

    @cached_property
    def adjustment(self) -> Adjustment:
        return make_adjustment(self.edition, self.editor)

    @cached_property
    def superseded(self) -> Adjustment:
        """The request of `adjustment`, after another request was approved: a newer edition is in force."""
        first, second = self.adjustment, make_adjustment(self.edition, self.editor)
        approve(second, by=self.editor)
        return first

    @cached_property
    def template_round(self) -> CommentWindow:
        """A round on the county template asking both townships of the county."""
        return open_template_round(make_template(self.duty_list.township.county), self.editor)

    def template_entry(self, name: str):
        return self.template_round.catalogue.entries.get(name=name)

    def other_county(self) -> County:
        return self.cast["other_county_editor"].memberships.get().county


def approve(adjustment, *, by, **fields):
    values = {"approve": True, "document_number": "示办发〔2025〕30号", "effective_on": date(2025, 9, 1)}
    return publication.decide_adjustment(adjustment, by=by, **(values | fields))


def decide(dispute, *, by):
    return review_decisions.decide_dispute(
        dispute, by=by, outcome="维持原状", meeting="协调会", decided_on=TODAY()
    )


def answer_twice(w):
    remark = publication.remark_on(w.adjustment, by=w.editor, text="请补充依据")
    publication.answer_remark(remark, by=w.editor, answer="已补充")
    return publication.answer_remark(remark, by=w.editor, answer="再次补充")


def answered_meanwhile(w):
    comment = w.comment
    seen_at = timezone.now() - timedelta(minutes=5)
    review.answer_comment(comment, by=w.editor, answer="accepted")
    return review.answer_comment(comment, by=w.official, answer="rejected", reason="不改", seen_at=seen_at)


def decided_item(w):
    comment = w.comment
    DutyItem.objects.filter(duty_list=w.duty_list, name="农村低保审核").update(is_decided=True)
    return review.answer_comment(comment, by=w.official, answer="accepted", apply=True)


def escalated_in_coordination(w):
    comment = w.comment
    DutyList.objects.filter(pk=w.duty_list.pk).update(stage=DutyList.Stage.COORDINATION)
    return review_decisions.escalate_comment(comment, by=w.editor)


def with_remark(w):
    publication.remark_on(w.adjustment, by=w.editor, text="请补充依据")
    return approve(w.adjustment, by=w.editor)


def too_often(w):
    w.settings.FEEDBACK_PER_HOUR = 0
    item = w.edition.items.first()
    return publication.report_item(
        w.edition.township, item.key, kind="wrong", text="电话号码写错了", contact="", address="198.51.100.7"
    )


def past_deadline(w):
    CommentWindow.objects.filter(pk=w.window.pk).update(deadline=TODAY() - timedelta(days=1))
    return disagree(w, w.window)


def disagree(w, window, **fields):
    values = {"item_key": w.key("殡葬管理"), "position": Comment.Position.DISAGREE, "reason": "not_our_duty"}
    return review.add_comment(window, by=w.reviewer, **(values | fields))


def on_template(w, *, by=None, **fields):
    values = {
        "entry": w.template_entry("殡葬管理"),
        "position": Comment.Position.NOT_APPLICABLE,
        "text": "无公墓",
    }
    return review.add_comment(w.template_round, by=by or w.official, **(values | fields))


def in_a_closed_template_round(w):
    template_rounds.close_template_round(w.template_round, by=w.editor)
    return on_template(w)


def start_from_other_county(w):
    catalogue = Catalogue.objects.create(
        county=w.other_county(), name="别县模板", kind=Catalogue.Kind.TEMPLATE
    )
    township = make_township(w.duty_list.township.county, "白云乡")
    return catalog_services.start_list(
        township, title="白云乡清单", year=2026, by=w.editor, catalogue=catalogue
    )


# rule: (what the service is asked in the world, (status, code, field))
RULES = {
    "other township answers a comment": (
        lambda w: review.answer_comment(w.comment, by=w.cast["other_township_official"], answer="accepted"),
        (403, "cannot_answer", ""),
    ),
    "other township files an adjustment": (
        lambda w: publication.file_adjustment(w.edition.township, by=w.official, summary="调整", changes=[]),
        (403, "cannot_file_adjustment", ""),
    ),
    "other county's department proposed": (
        lambda w: disagree(
            w,
            w.window,
            position=Comment.Position.MODIFY,
            reason="",
            proposed_lead_departments=[make_department(w.other_county(), "别县民政局")],
        ),
        (400, "other_county", "proposed_lead_departments"),
    ),
    "other county's catalogue": (start_from_other_county, (400, "other_county", "catalogue")),
    "other county's leader decides": (
        lambda w: decide(w.dispute, by=w.cast["other_county_leader"]),
        (403, "cannot_decide", ""),
    ),
    "escalating at the wrong stage": (escalated_in_coordination, (409, "wrong_stage", "")),
    "answering while the window is open": (
        lambda w: review.answer_comment(disagree(w, w.window), by=w.official, answer="accepted"),
        (409, "wrong_stage", ""),
    ),
    "a decided item changed by a proposal": (decided_item, (403, "decided_item", "")),
    "a decision taken twice": (
        lambda w: (
            decide(w.dispute, by=w.cast["county_leader"]),
            decide(w.dispute, by=w.cast["county_leader"]),
        ),
        (409, "already_decided", ""),
    ),
    "an answer given meanwhile": (answered_meanwhile, (409, "stale_answer", "")),
    "commenting in a closed window": (lambda w: disagree(w, w.comment.window), (409, "window_closed", "")),
    "commenting after the deadline": (past_deadline, (409, "deadline_passed", "")),
    "answering a remark twice": (answer_twice, (409, "already_answered", "")),
    "deciding a dispute without being a leader": (
        lambda w: decide(w.dispute, by=w.editor),
        (403, "cannot_decide", ""),
    ),
    "reviewing an adjustment without being the county editor": (
        lambda w: approve(w.adjustment, by=w.reviewer),
        (403, "cannot_review_adjustment", ""),
    ),
    "approving against a superseded edition": (
        lambda w: approve(w.superseded, by=w.editor),
        (409, "edition_superseded", ""),
    ),
    "approving with a remark unanswered": (with_remark, (412, "remarks_unanswered", "")),
    "approving without a 文号": (
        lambda w: approve(w.adjustment, by=w.editor, document_number=" "),
        (400, "required", "document_number"),
    ),
    "not adopting without a reason": (
        lambda w: review.answer_comment(w.comment, by=w.official, answer="rejected", reason=" "),
        (400, "reason_required", "reason"),
    ),
    "disagreeing without a reason": (
        lambda w: disagree(w, w.window, reason=""),
        (400, "reason_required", "reason"),
    ),
    "rejecting an adjustment without a reason": (
        lambda w: publication.decide_adjustment(w.adjustment, by=w.editor, approve=False, note=""),
        (400, "reason_required", "note"),
    ),
    "a second open list": (
        lambda w: catalog_services.start_list(
            w.duty_list.township, title="又一份", year=2026, by=w.editor, catalogue=None, source=w.duty_list
        ),
        (409, "open_list_exists", ""),
    ),
    "reporting too often": (too_often, (429, "rate_limited", "")),
    "commenting in a closed template round": (in_a_closed_template_round, (409, "window_closed", "")),
    "not applicable to a township without a reason": (
        lambda w: on_template(w, text=" "),
        (400, "reason_required", "text"),
    ),
    "a township official answers on the template": (
        lambda w: template_rounds.answer_template_comment(on_template(w), by=w.official, answer="accepted"),
        (403, "cannot_answer", ""),
    ),
    "another county's editor closes a template round": (
        lambda w: template_rounds.close_template_round(w.template_round, by=w.cast["other_county_editor"]),
        (403, "not_allowed", ""),
    ),
}


def refused(world, rule):
    call, _ = RULES[rule]
    with pytest.raises(Exception) as caught:
        call(world)
    refusal = refusal_of(caught.value)
    assert any("\u4e00" <= c <= "\u9fff" for c in refusal.message)
    return refusal


@pytest.mark.parametrize("rule", RULES)
def test_each_rule_is_refused_with_its_code_field_and_status(cast, duty_list, settings, rule):
    refusal = refused(World(cast, duty_list, settings), rule)
    assert (refusal.status, refusal.code, refusal.field) == RULES[rule][1]


def snapshot() -> list:
    models = [DutyItem, DutyList, Comment, Dispute, Decision, Adjustment, AdjustmentRemark, Edition]
    return [list(model.objects.order_by("pk").values()) for model in models]


APPROVAL = {"approve": "1", "document_number": "示办发〔2025〕30号", "effective_on": "2025-09-01"}
ANSWER = {"answer": "rejected", "answer_reason": "不改"}

# rule: (who posts, to which page, what) — the page is posted after the service was refused
PAGES = {
    "not adopting without a reason": (
        "township_official",
        lambda w: reverse("review:comment_answer", args=[w.comment.pk]),
        ANSWER | {"answer_reason": ""},
    ),
    "an answer given meanwhile": (
        "township_official",
        lambda w: reverse("review:comment_answer", args=[w.comment.pk]),
        ANSWER | {"seen_at": "2020-01-01T00:00:00+08:00"},
    ),
    "commenting in a closed window": (
        "department_reviewer",
        lambda w: reverse("review:comment_add", args=[w.comment.window_id]) + f"?item={w.key('殡葬管理')}",
        {"position": Comment.Position.DISAGREE, "reason": "not_our_duty"},
    ),
    "commenting in a closed template round": (
        "township_official",
        lambda w: (
            reverse("review:template_comment_add", args=[w.template_round.pk])
            + f"?entry={w.template_entry('殡葬管理').pk}"
        ),
        {"position": Comment.Position.NOT_APPLICABLE, "text": "无公墓"},
    ),
    "not applicable to a township without a reason": (
        "township_official",
        lambda w: (
            reverse("review:template_comment_add", args=[w.template_round.pk])
            + f"?entry={w.template_entry('殡葬管理').pk}"
        ),
        {"position": Comment.Position.NOT_APPLICABLE, "text": ""},
    ),
    "deciding a dispute without being a leader": (
        "county_editor",
        lambda w: reverse("review:decide", args=[w.dispute.pk]),
        {"outcome": "维持原状", "meeting": "协调会", "decided_on": TODAY().isoformat()},
    ),
    "approving against a superseded edition": (
        "county_editor",
        lambda w: reverse("publication:adjustment_decide", args=[w.superseded.pk]),
        APPROVAL,
    ),
    "approving with a remark unanswered": (
        "county_editor",
        lambda w: reverse("publication:adjustment_decide", args=[w.adjustment.pk]),
        APPROVAL,
    ),
    "rejecting an adjustment without a reason": (
        "county_editor",
        lambda w: reverse("publication:adjustment_decide", args=[w.adjustment.pk]),
        {"approve": "0", "note": ""},
    ),
    "a second open list": (
        "county_editor",
        lambda w: reverse("catalog:list_start"),
        lambda w: {"year": 2026, "township": w.duty_list.township.pk, "source": w.duty_list.pk},
    ),
}


@pytest.mark.parametrize("rule", PAGES)
def test_a_page_answers_a_refusal_with_its_status_and_message_and_changes_nothing(
    client, cast, duty_list, settings, rule
):
    who, url, posted = PAGES[rule]
    world = World(cast, duty_list, settings)
    refusal = refused(world, rule)
    address, posted = url(world), posted(world) if callable(posted) else posted
    before = snapshot()
    client.force_login(cast[who])
    response = client.post(address, posted)
    assert (response.status_code, refusal.message in response.content.decode()) == (refusal.status, True)
    assert snapshot() == before
