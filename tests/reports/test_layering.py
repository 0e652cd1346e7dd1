"""Apps depend one way: members <- agenda <- registrations <- badges <- reports."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOWER_APPS = ["members", "agenda", "registrations", "badges"]


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


@pytest.mark.parametrize("app", LOWER_APPS)
def test_lower_apps_never_import_reports(app):
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / app).rglob("*.py"))
        if any(m == "reports" or m.startswith("reports.") for m in imported_modules(path))
    ]

    assert offenders == []


def test_imported_modules_finds_an_import_of_reports(tmp_path):
    module = tmp_path / "module.py"
    module.write_text("from reports.selectors import hours_attended\nimport reports.models\n")

    assert imported_modules(module) == {"reports.selectors", "reports.models"}
