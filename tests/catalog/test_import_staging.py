"""A workbook waits between its preview and the confirmation as a staged upload, in a store the
caller keeps (the session for the pages); it is kept only when there is something to confirm."""

import pytest

from catalog.actors import SYSTEM
from catalog.imports import plan_import, staging
from catalog.imports.layout import Problem
from tests.catalog.test_import_layouts import sheet_per_part

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan_and_data(township):
    from tests.catalog.test_import_layouts import CATEGORIES, DEPARTMENTS, OFFICES
    from tests.conftest import make_category, make_department, make_office

    for order, name in enumerate(CATEGORIES, start=1):
        make_category(township.county, name, order)
    for name in OFFICES:
        make_office(township, name)
    for name in DEPARTMENTS:
        make_department(township.county, name)
    data = sheet_per_part()
    return plan_import(data, "清单.xlsx", township, by=SYSTEM), data


def test_a_staged_upload_is_read_back_then_discarded_with_its_file(plan_and_data):
    plan, data = plan_and_data
    store = {}

    token = staging.stage_upload(store, data, plan, create_missing=False)

    staged = staging.staged_upload(store, token, plan.township.code)
    assert (staged.filename, staged.create_missing, staged.list_version) == (
        "清单.xlsx",
        False,
        plan.list_version,
    )
    assert staged.read() == data
    assert staging.staged_upload(store, token, "999999999") is None  # another township's address
    staging.discard_upload(store, token)
    assert not staged.path.exists() and store[staging.STORE_KEY] == {}
    assert staging.staged_upload(store, token, plan.township.code) is None


def test_nothing_is_staged_when_there_is_nothing_to_confirm(plan_and_data):
    plan, data = plan_and_data
    plan.problems.append(Problem("缺少事项名称。"))  # a plan with a problem cannot be confirmed
    store = {}

    assert staging.stage_upload(store, data, plan, create_missing=False) == ""
    assert store == {} and list(staging.upload_dir().glob("*.upload")) == []


def test_a_refreshed_preview_keeps_the_file_for_the_new_version(plan_and_data):
    plan, data = plan_and_data
    store = {}
    token = staging.stage_upload(store, data, plan, create_missing=True)
    staged = staging.staged_upload(store, token, plan.township.code)

    assert staging.restage(store, staged, 42) == token
    assert staging.staged_upload(store, token, plan.township.code).list_version == 42
