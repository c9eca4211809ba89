"""The command line run in-process, as scripts use it, on the test books."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from pos_app.cli.main import main
from tests.helpers.books import PASSWORD

Run = Callable[..., tuple[int, dict]]


@pytest.fixture
def cli(books, tmp_path, monkeypatch, capsys) -> Run:
    """Run one `caretill` command as a user (default supervisor); returns (exit status, JSON)."""
    monkeypatch.setenv("CARETILL_DB", books.app.settings.db_url)
    monkeypatch.setenv("CARETILL_WORKSTATION", "WS01")
    monkeypatch.setenv("CARETILL_CONFIG", str(tmp_path / "config.json"))
    monkeypatch.setenv("CARETILL_PASSWORD", PASSWORD)
    monkeypatch.setenv("CARETILL_APPROVER_PASSWORD", PASSWORD)
    monkeypatch.delenv("CARETILL_NEW_PASSWORD", raising=False)

    def run(*args: str, user: str = "supervisor") -> tuple[int, dict]:
        capsys.readouterr()
        status = main([*args, "--user", user, "--json"])
        return status, json.loads(capsys.readouterr().out)

    return run
