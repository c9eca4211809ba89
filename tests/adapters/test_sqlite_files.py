"""A missing, read-only or damaged SQLite file: exit 5 with one line, never a traceback.

A missing file is created only by `caretill db upgrade`; every other command says how.
"""

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from pos_app.cli.main import main

NOBODY = 65534


@pytest.fixture(autouse=True)
def _signed_in_env(monkeypatch, tmp_path):
    monkeypatch.setenv("CARETILL_CONFIG", str(tmp_path / "config.json"))
    monkeypatch.setenv("CARETILL_USER", "cashier")
    monkeypatch.setenv("CARETILL_PASSWORD", "cashier")


def _run(capsys, *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def _one_line_failure(status: int, out: str, err: str, *words: str) -> None:
    assert status == 5, (out, err)
    assert out == "" and "Traceback" not in err
    assert err.startswith("caretill: ") and err.count("\n") == 1
    for word in words:
        assert word in err


def test_a_missing_file_is_not_created_and_the_message_says_to_upgrade(capsys, tmp_path):
    path = tmp_path / "typo.sqlite3"
    status, out, err = _run(capsys, "--db", f"sqlite:///{path}", "patient", "search", "x")
    _one_line_failure(status, out, err, "does not exist", "caretill db upgrade", str(path))
    assert not path.exists()

    status, out, _ = _run(capsys, "--db", f"sqlite:///{path}", "--json", "demo", "load")
    assert status == 5 and not path.exists()
    assert json.loads(out)["error"]["code"] == "database_unavailable"


def test_db_upgrade_creates_the_missing_file(capsys, tmp_path):
    path = tmp_path / "new.sqlite3"
    assert _run(capsys, "--db", f"sqlite:///{path}", "db", "upgrade")[0] == 0
    assert path.is_file()
    status, out, _ = _run(
        capsys, "--db", f"sqlite:///{path}", "--json", "demo", "load", "--patients", "2"
    )
    assert status == 0, out


def test_a_file_that_is_not_a_database_is_one_line(capsys, tmp_path):
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(b"These are not the books you are looking for.\n" * 200)
    status, out, err = _run(capsys, "--db", f"sqlite:///{path}", "patient", "search", "x")
    _one_line_failure(status, out, err, "not a database", "backup")


def test_a_database_damaged_inside_is_one_line(capsys, tmp_path, sqlite_url):
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    with path.open("r+b") as handle:  # keep the header, overwrite the pages after it
        handle.seek(100)
        handle.write(b"\xff" * (path.stat().st_size - 100))
    status, out, err = _run(capsys, "--db", sqlite_url, "patient", "search", "x")
    _one_line_failure(status, out, err, "damaged")


def _as_another_user(capsys, *args: str) -> tuple[int, str, str]:
    """Run `main` as a user the file does not belong to (root ignores file modes)."""
    if os.geteuid() != 0:
        return _run(capsys, *args)
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe
        os.close(read)
        try:
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            status = main(list(args))
            out, err = capsys.readouterr()
            os.write(write, json.dumps([status, out, err]).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        answer = pipe.read()
    os.waitpid(child, 0)
    status, out, err = json.loads(answer)
    return status, out, err


def test_a_read_only_file_is_one_line(capsys, sqlite_url, monkeypatch):
    folder = Path(tempfile.mkdtemp(prefix="caretill-ro-"))
    try:
        folder.chmod(0o755)
        monkeypatch.setenv("CARETILL_CONFIG", str(folder / "config.json"))
        path = folder / "books.sqlite3"
        shutil.copyfile(sqlite_url.removeprefix("sqlite:///"), path)
        path.chmod(0o444)
        status, out, err = _as_another_user(
            capsys, "--db", f"sqlite:///{path}", "patient", "search", "x"
        )
    finally:
        shutil.rmtree(folder)
    _one_line_failure(status, out, err, "read-only", str(path))
