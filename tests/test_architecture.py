"""The import contract: dependencies point inward (STYLE.md), checked on the source's AST.

PySide6 only in gui/; SQLAlchemy only in adapters/ (and the composition root); domain/
on the standard library alone; services never reach for an entry point (gui/, cli/).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pos_app"

# Modules that still write their own SQL while the signed audit chain (K2) moves it into
# adapters/. Shrink this to empty as it lands; a new module importing SQLAlchemy outside
# adapters/ is never added here.
SQL_NOT_YET_IN_ADAPTERS = {
    "pos_app/services/receipts.py": "verify_receipt only (K2)",
    "pos_app/services/workstations.py": "K2: workstation keys and enrolment",
}


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _name(path: Path) -> str:
    return path.relative_to(PACKAGE.parent).as_posix()


def _dotted(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    """Every module `path` imports, anywhere in it (also inside functions), fully dotted.

    `from pos_app import gui` counts as `pos_app.gui`; relative imports are resolved.
    """
    package = _dotted(path) if path.name == "__init__.py" else _dotted(path).rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _top(module: str) -> str:
    return module.partition(".")[0]


def _under(path: Path, *folders: str) -> bool:
    return any(_name(path).startswith(f"pos_app/{folder}/") for folder in folders)


def violations(rule: str) -> dict[str, set[str]]:
    """Module -> the imports that break `rule`, over the whole package."""
    broken: dict[str, set[str]] = {}
    for path in _modules():
        bad = {m for m in imported(path) if _breaks(rule, path, m)}
        if bad:
            broken[_name(path)] = bad
    return broken


def _breaks(rule: str, path: Path, module: str) -> bool:
    if rule == "pyside6":
        return _top(module) == "PySide6" and not _under(path, "gui")
    if rule == "sqlalchemy":
        return (
            _top(module) == "sqlalchemy"
            and not _under(path, "adapters")
            and _name(path) != "pos_app/bootstrap.py"
        )
    if rule == "domain":
        return _under(path, "domain") and not (
            _top(module) in sys.stdlib_module_names
            or module == "pos_app.domain"
            or module.startswith("pos_app.domain.")
        )
    if rule == "services":
        return _under(path, "services") and module.startswith(("pos_app.gui", "pos_app.cli"))
    raise ValueError(rule)


def test_pyside6_is_imported_only_in_gui():
    assert violations("pyside6") == {}


def test_sqlalchemy_is_imported_only_in_adapters_and_the_allow_list():
    new = {
        m: bad for m, bad in violations("sqlalchemy").items() if m not in SQL_NOT_YET_IN_ADAPTERS
    }
    assert new == {}, "move this SQL into a repository in pos_app/adapters/"


def test_the_allow_list_names_only_modules_that_still_import_sqlalchemy():
    stale = set(SQL_NOT_YET_IN_ADAPTERS) - set(violations("sqlalchemy"))
    assert stale == set(), "these modules no longer import SQLAlchemy: drop them from the list"


def test_domain_imports_only_the_standard_library_and_itself():
    assert violations("domain") == {}


def test_services_never_import_an_entry_point():
    assert violations("services") == {}


@pytest.mark.parametrize(
    ("rule", "folder", "source"),
    [
        ("pyside6", "services", "from PySide6.QtCore import QObject\n"),
        ("pyside6", "cli", "def f():\n    import PySide6\n"),
        ("sqlalchemy", "services", "from sqlalchemy import select\n"),
        ("sqlalchemy", "gui", "import sqlalchemy.exc\n"),
        ("domain", "domain", "from pos_app.adapters import tables\n"),
        ("domain", "domain", "import argon2\n"),
        ("services", "services", "from pos_app import gui\n"),
        ("services", "services", "from ..cli import main\n"),
    ],
)
def test_each_rule_catches_a_new_violation(rule, folder, source, tmp_path, monkeypatch):
    package = tmp_path / "pos_app"
    (package / folder).mkdir(parents=True)
    (package / folder / "intruder.py").write_text(source, encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", package)
    assert list(violations(rule)) == [f"pos_app/{folder}/intruder.py"]


@pytest.mark.parametrize(
    ("rule", "name", "source"),
    [
        ("pyside6", "gui/window.py", "from PySide6.QtWidgets import QWidget\n"),
        ("sqlalchemy", "adapters/repo.py", "from sqlalchemy import select\n"),
        ("sqlalchemy", "bootstrap.py", "from sqlalchemy.engine import Engine\n"),
        ("domain", "domain/rules.py", "from decimal import Decimal\nfrom . import money\n"),
        ("services", "services/pay.py", "from pos_app.adapters import ledger\n"),
    ],
)
def test_each_rule_lets_the_allowed_imports_pass(rule, name, source, tmp_path, monkeypatch):
    path = tmp_path / "pos_app" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source, encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", tmp_path / "pos_app")
    assert violations(rule) == {}
