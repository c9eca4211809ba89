"""The backup drill an administrator runs on a single till: create, restore, check."""

from tests.cli.test_cli_end_to_end import Till


def test_backup_drill_on_an_sqlite_till(tmp_path):
    live = Till(f"sqlite:///{tmp_path / 'live.sqlite3'}", tmp_path)
    assert live.run("db", "upgrade")[0] == 0
    assert live.run("demo", "load", "--patients", "3", "--json")[0] == 0
    status, made = live.run(
        "backup", "create", "--out", str(tmp_path / "b.sqlite3"), "--json", user="admin"
    )
    assert status == 0 and made["kind"] == "sqlite" and len(made["sha256"]) == 64

    drill = Till(f"sqlite:///{tmp_path / 'drill.sqlite3'}", tmp_path)
    status, restored = drill.run("backup", "restore", str(tmp_path / "b.sqlite3"), "--json")
    assert status == 0, restored
    assert drill.run("db", "upgrade")[0] == 0
    status, checked = drill.run("check", "--json", user="supervisor")
    assert status == 0 and checked["ok"] is True, checked
    status, again = drill.run("backup", "restore", str(tmp_path / "b.sqlite3"), "--json")
    assert status == 3 and again["error"]["code"] == "database_not_empty"


def test_a_cashier_cannot_take_a_backup(tmp_path):
    live = Till(f"sqlite:///{tmp_path / 'live.sqlite3'}", tmp_path)
    assert live.run("db", "upgrade")[0] == 0
    assert live.run("demo", "load", "--patients", "2", "--json")[0] == 0
    status, refused = live.run("backup", "create", "--out", str(tmp_path / "b.sqlite3"), "--json")
    assert status == 3 and refused["error"]["code"] == "permission_denied"
    assert not (tmp_path / "b.sqlite3").exists()
