"""Dependencies point one way: api → publication → review → catalog, with no import anywhere in a
module (inside a function included) that goes the other way. webhooks sits beside review: publication
emits events through it, and it knows only catalog."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Each app, and the apps it must not import.
FORBIDDEN = {
    "catalog": {"review", "publication", "api", "webhooks"},
    "review": {"publication", "api"},
    "publication": {"api"},
    "webhooks": {"review", "publication", "api"},
}


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return {name.split(".")[0] for name in names}


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_no_module_imports_an_app_that_builds_on_it(app):
    offending = {
        str(path.relative_to(ROOT)): sorted(imported_apps(path) & FORBIDDEN[app])
        for path in (ROOT / app).rglob("*.py")
        if imported_apps(path) & FORBIDDEN[app]
    }
    assert offending == {}


def test_the_check_sees_an_import_hidden_in_a_function(tmp_path):
    module = tmp_path / "hidden.py"
    module.write_text("def f():\n    from publication.services import publish_list\n", encoding="utf-8")
    assert imported_apps(module) == {"publication"}
