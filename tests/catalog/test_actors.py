"""Every service and workflow function takes the acting user as `by=`; the system is an explicit actor."""

import inspect
import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

import api.tokens
import catalog.catalogue_imports
import catalog.imports.matching
import catalog.imports.staging
import catalog.merging
import catalog.quality
import catalog.services
import catalog.synonyms
import publication.services.adjustments
import publication.services.admissions
import publication.services.annual_review
import publication.services.dispatch
import publication.services.editions
import publication.services.feedback
import review.changes
import review.decisions
import review.records
import review.rounds
import review.services
import review.template_rounds
import review.workflow
import webhooks.services
from catalog.actors import SYSTEM, SystemActor
from catalog.models import DutyItem
from publication.services import RequestedChange, decide_adjustment, file_adjustment
from review import workflow
from review.models import CommentWindow
from tests.catalog.test_import_export import place, small_workbook  # noqa: F401 (a fixture)
from tests.conftest import make_item
from tests.publication.conftest import approve_and_publish
from tests.review.conftest import make_window

pytestmark = pytest.mark.django_db

SERVICE_MODULES = [
    api.tokens,
    catalog.services,
    catalog.catalogue_imports,
    catalog.imports.matching,
    catalog.imports.staging,
    catalog.merging,
    catalog.synonyms,
    catalog.quality,
    review.decisions,
    review.records,
    review.changes,
    review.rounds,
    review.template_rounds,
    review.services,
    review.workflow,
    publication.services.adjustments,
    publication.services.admissions,
    publication.services.annual_review,
    publication.services.dispatch,
    publication.services.editions,
    publication.services.feedback,
    webhooks.services,
]


def acting_parameters():
    for module in SERVICE_MODULES:
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != module.__name__:
                continue
            for parameter in inspect.signature(function).parameters.values():
                if parameter.name in {"user", "by"}:
                    yield f"{module.__name__}.{name}", parameter


def test_services_take_the_actor_as_by_and_never_default_it():
    found = list(acting_parameters())
    assert len(found) > 30
    named_user = [name for name, parameter in found if parameter.name == "user"]
    defaulted = [name for name, parameter in found if parameter.default is not inspect.Parameter.empty]
    assert named_user == [] and defaulted == []


def test_a_missing_actor_is_refused_not_read_as_everything_allowed(cast, duty_list):
    item = make_item(duty_list, name="低保受理")
    with pytest.raises(TypeError):
        catalog.services.save_item(item, by=None, reason="无人")
    with pytest.raises(TypeError):
        workflow.perform(duty_list, "submit", by=None)
    assert DutyItem.objects.get(pk=item.pk).version == item.version
    assert duty_list.stage_changes.count() == 0


def test_the_system_edits_what_services_allow_and_is_no_person(cast, duty_list):
    item = make_item(duty_list, name="低保受理")
    catalog.services.save_item(item, by=SYSTEM, reason="系统修正")
    assert item.history.first().history_user is None

    workflow.perform(duty_list, "submit", by=cast["township_official"])
    window = make_window(duty_list)
    with pytest.raises(PermissionDenied):
        review.services.add_comment(window, by=SYSTEM, item_key=item.key, position="agree")
    assert not CommentWindow.objects.get(pk=window.pk).comments.exists()


@pytest.mark.usefixtures("place")
def test_the_import_command_acts_as_the_system_on_the_named_users_record(cast, duty_list, tmp_path):
    workbook = tmp_path / "清单.xlsx"
    workbook.write_bytes(small_workbook())
    township = duty_list.township.code
    official = cast["township_official"]
    call_command(
        "import_lists",
        str(workbook),
        "--township",
        township,
        "--user",
        official.username,
        stdout=io.StringIO(),
    )

    records = DutyItem.history.filter(duty_list=duty_list)
    assert records.exists() and set(records.values_list("history_user", flat=True)) == {official.pk}


def test_an_approved_adjustment_writes_its_changes_as_the_system_on_the_approvers_record(cast, duty_list):
    item = make_item(duty_list, name="最低生活保障申请受理", content="受理申请")
    edition = approve_and_publish(duty_list, cast["county_editor"])
    change = RequestedChange("change", key=item.key, content="受理并调查", basis="依据", reason="修订")
    adjustment = file_adjustment(
        duty_list.township, by=cast["township_official"], summary="修订", changes=[change]
    )
    decide_adjustment(
        adjustment,
        by=cast["county_editor"],
        approve=True,
        document_number="示办发〔2026〕10号",
        effective_on=date(2026, 6, 1),
    )

    latest = DutyItem.objects.get(pk=item.pk).history.first()
    assert latest.content == "受理并调查" and latest.history_user == cast["county_editor"]
    assert edition.township.current_edition.edition.number == 2
    assert SystemActor(recorded_as=cast["county_editor"]) != SYSTEM
