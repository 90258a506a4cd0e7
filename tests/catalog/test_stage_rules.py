"""What each stage allows is one table (`catalog.models.STAGE_RULES`); permissions, services, queries and
the database constraint read it. Tested as a table: every stage, every role."""

import pytest
from django.db import IntegrityError, transaction

from catalog import permissions
from catalog.models import STAGE_RULES, DutyList, Stage
from review import decisions as review_decisions
from review import services as review_services

pytestmark = pytest.mark.django_db

ROLES = ["county_editor", "township_official", "department_reviewer", "county_leader", "consultee"]


def test_every_stage_has_a_rule():
    assert set(STAGE_RULES) == set(Stage)


@pytest.mark.parametrize("stage", list(Stage))
def test_who_edits_a_list_follows_the_stage_rule(cast, duty_list, stage):
    duty_list.stage = stage
    rule = STAGE_RULES[stage]
    expected = {
        "county_editor": not rule.locked,
        "township_official": rule.township_edits and not rule.locked,
        "department_reviewer": False,
        "county_leader": False,
        "consultee": False,
    }
    assert {role: permissions.can_edit_list(cast[role], duty_list) for role in ROLES} == expected


@pytest.mark.parametrize("stage", list(Stage))
def test_answers_and_decisions_follow_the_stage_rule(stage):
    rule = STAGE_RULES[stage]
    assert (stage in review_services.ANSWERING_STAGES) == (rule.answers == "departments")
    assert (stage in review_services.CONSULTEE_STAGES) == (rule.answers == "consultees")
    assert (stage in review_decisions.DECIDING_STAGES) == rule.decides


@pytest.mark.parametrize("stage", list(Stage))
def test_the_database_allows_a_second_list_only_beside_locked_ones(duty_list, stage):
    DutyList.objects.filter(pk=duty_list.pk).update(stage=stage)
    try:
        with transaction.atomic():
            DutyList.objects.create(township=duty_list.township, title="新一轮", year=2027)
        created = True
    except IntegrityError:
        created = False
    assert created == STAGE_RULES[stage].locked
