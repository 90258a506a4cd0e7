"""One comparison engine (`catalog.comparison`) serves the draft's change feed, 版本对比 and the
edition change log (frozen rows), and the import preview: the same edit reads the same in each."""

import pytest

from catalog import comparison, exports, queries, services
from catalog.actors import SYSTEM
from catalog.imports.matching import plan_import
from catalog.models import DutyItem
from publication.services import editions
from review import queries as review_queries
from tests.conftest import make_item, make_office

pytestmark = pytest.mark.django_db

# The edit below, as every comparison lists it: the printed order (具体内容, 责任科室, then 依据).
CHANGED = [("具体内容", "宣传政策", "宣传政策并组织实施"), ("责任科室", "党政办公室", "综合治理办公室")]
CHANGED.append(("依据", "《条例》", "《条例》第五条"))


def test_one_edit_reads_the_same_in_the_feed_the_version_comparison_and_the_import_preview(cast, duty_list):
    township = duty_list.township
    office, other_office = make_office(township, "党政办公室"), make_office(township, "综合治理办公室")
    item = make_item(
        duty_list, name="政策宣传", content="宣传政策", basis="《条例》", responsible_office=office
    )
    file_before = exports.list_workbook(duty_list)
    submitted_before = review_queries.draft_as_submitted(duty_list)

    item = DutyItem.objects.get(pk=item.pk)
    item.content, item.basis, item.responsible_office = "宣传政策并组织实施", "《条例》第五条", other_office
    services.save_item(item, by=cast["township_official"], reason="细化", expected_version=item.version)

    feed = queries.list_changes(duty_list)[0].changes
    assert [(c.label, c.before, c.after) for c in feed] == CHANGED

    diffs = comparison.compare_rows(submitted_before, review_queries.draft_as_submitted(duty_list))
    assert [(d.name, d.kind) for d in diffs] == [("政策宣传", "changed")]
    assert [(c.label, c.before, c.after) for c in diffs[0].fields] == CHANGED

    # The file still says what the draft said before: the preview shows the edit the other way round.
    plan = plan_import(file_before, "城关镇.xlsx", township, by=SYSTEM)
    (change,) = plan.changed
    assert [(c.label, c.after, c.before) for c in change.fields] == CHANGED


def test_every_comparison_uses_the_one_engine():
    assert queries.FieldChange is comparison.FieldChange
    assert review_queries.ItemDiff is comparison.ItemDiff
    assert review_queries.compare_rows is editions.compare_rows is comparison.compare_rows
