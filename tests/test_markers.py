"""A browser test cannot slip into `make test-fast`: every test module that imports Playwright or
uses the `browser_page` fixture says `pytest.mark.browser` in its `pytestmark`, and the fixture
marks its tests on its own as well."""

import ast
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.conftest import MARKED_BY_FIXTURE, pytest_collection_modifyitems

TESTS = Path(__file__).resolve().parent


def required_marks(tree: ast.Module) -> set[str]:
    """`browser` for a module that imports Playwright, and the mark of each fixture its tests take."""
    marks = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "playwright" for a in node.names):
            marks.add("browser")
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "playwright":
            marks.add("browser")
        if isinstance(node, ast.arg) and node.arg in MARKED_BY_FIXTURE:
            marks.add(MARKED_BY_FIXTURE[node.arg])
    return marks


def module_marks(tree: ast.Module) -> set[str]:
    """Names `n` of the `pytest.mark.n` in the module's `pytestmark` (one mark or a list of them)."""
    marks = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets
        ):
            for part in ast.walk(node.value):
                if (
                    isinstance(part, ast.Attribute)
                    and isinstance(part.value, ast.Attribute)
                    and part.value.attr == "mark"
                ):
                    marks.add(part.attr)
    return marks


def unmarked_modules(folder: Path) -> dict[str, list[str]]:
    """Test modules under `folder` and the marks they need but do not say."""
    unmarked = {}
    for path in sorted(folder.rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        if missing := required_marks(tree) - module_marks(tree):
            unmarked[str(path.relative_to(folder))] = sorted(missing)
    return unmarked


def test_every_module_that_drives_a_browser_or_starts_the_servers_says_so():
    assert unmarked_modules(TESTS) == {}


def test_the_known_browser_and_server_modules_are_found():
    required = {
        str(path.relative_to(TESTS)): required_marks(ast.parse(path.read_text(encoding="utf-8")))
        for path in TESTS.rglob("test_*.py")
    }
    browser = {"catalog", "config", "production", "publication", "review"}
    assert {f"{app}/test_browser.py": required[f"{app}/test_browser.py"] for app in browser} == {
        "catalog/test_browser.py": {"browser"},
        "config/test_browser.py": {"browser"},
        "production/test_browser.py": {"browser", "slow"},
        "publication/test_browser.py": {"browser"},
        "review/test_browser.py": {"browser"},
    }
    assert required["production/test_two_servers.py"] == {"slow"}


@pytest.mark.parametrize(
    "source, missing",
    [
        ("def test_x(browser_page, live_server):\n    pass\n", ["browser"]),
        ("from playwright.sync_api import expect\n\ndef test_x():\n    pass\n", ["browser"]),
        ("import playwright.sync_api\n\ndef test_x():\n    pass\n", ["browser"]),
        (
            "import pytest\n\npytestmark = pytest.mark.django_db\n\ndef test_x(db, browser_page):\n    pass\n",
            ["browser"],
        ),
        (
            "import pytest\n\npytestmark = [pytest.mark.slow]\n\ndef test_x(browser_page, production_servers):\n"
            "    pass\n",
            ["browser"],
        ),
        ("def test_x(production_servers):\n    pass\n", ["slow"]),
    ],
)
def test_the_check_finds_a_module_without_its_marks(tmp_path, source, missing):
    (tmp_path / "test_new.py").write_text(source, encoding="utf-8")
    assert unmarked_modules(tmp_path) == {"test_new.py": missing}


@pytest.mark.parametrize(
    "source",
    [
        "import pytest\n\npytestmark = pytest.mark.browser\n\ndef test_x(browser_page):\n    pass\n",
        "import pytest\n\npytestmark = [pytest.mark.browser, needs_chromium]\n\ndef test_x(browser_page):\n"
        "    pass\n",
        "def test_x(client):\n    pass\n",
    ],
)
def test_the_check_accepts_a_marked_module_and_ignores_the_others(tmp_path, source):
    (tmp_path / "test_new.py").write_text(source, encoding="utf-8")
    assert unmarked_modules(tmp_path) == {}


def test_the_browser_and_server_fixtures_mark_their_tests_at_collection():
    def item(*fixtures):
        marks = []
        return SimpleNamespace(fixturenames=list(fixtures), add_marker=marks.append, marks=marks)

    in_browser, on_servers, both, plain = (
        item("db", "browser_page"),
        item("production_servers"),
        item("browser_page", "production_servers"),
        item("db", "client"),
    )
    pytest_collection_modifyitems([in_browser, on_servers, both, plain])
    assert (in_browser.marks, on_servers.marks, sorted(both.marks), plain.marks) == (
        ["browser"],
        ["slow"],
        ["browser", "slow"],
        [],
    )
