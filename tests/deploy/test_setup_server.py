"""packaging/setup-server.sh on a fresh PostgreSQL 15 (issue 14, point 2).

The script runs twice (it must be idempotent) against a server of its own, a fresh
initdb, never the session's shared one. Then a till connects as the application role
with `sslmode=verify-full` to `localhost`, through the pgbouncer the script configured,
and the nightly backup and the restore drill run and see `check` clean.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import text

from pos_app.adapters.database import create_database_engine
from pos_app.domain.errors import Unavailable
from pos_app.services.check import run_check
from tests.conftest import make_app
from tests.helpers.books import PASSWORD, Books
from tests.helpers.money import pay_items, tender
from tests.helpers.pgbouncer import pgbouncer_process
from tests.helpers.postgres import ThrowawayServer, _free_port, throwaway_server

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "packaging" / "setup-server.sh"
OWNER_PW, APP_PW = "owner pw 'quoted' $x", "app-pw-2"


@dataclass(frozen=True)
class Deployment:
    server: ThrowawayServer
    out: Path
    bouncer_port: int
    runs: list[subprocess.CompletedProcess[str]]

    def url(
        self, *, port: int | None = None, sslmode: str = "verify-full", host: str = "localhost"
    ) -> str:
        return (
            f"postgresql://caretill_app:{APP_PW}@{host}:{port or self.server.port}/"
            f"caretill?sslmode={sslmode}&sslrootcert={self.out / 'tls' / 'ca.crt'}"
        )

    def run(self, script: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", str(self.out / script)],
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, **env},
        )


@pytest.fixture(scope="module")
def deployed() -> Iterator[Deployment]:
    with throwaway_server() as server:
        out = server.root / "etc-caretill"
        bouncer_port = _free_port()
        argv = [
            "bash",
            str(SCRIPT),
            "--pgdata",
            str(server.data),
            "--port",
            str(server.port),
            "--socket-dir",
            str(server.root),
            "--host",
            "localhost,db.caretill.test",
            "--out",
            str(out),
            "--backup-dir",
            str(server.root / "backups"),
            "--keep",
            "2",
            "--pgbouncer-port",
            str(bouncer_port),
            "--pgbouncer-listen",
            "127.0.0.1",
            "--caretill",
            f"{sys.executable} -m pos_app",
        ]
        env = {
            **os.environ,
            "CARETILL_OWNER_PASSWORD": OWNER_PW,
            "CARETILL_APP_PASSWORD": APP_PW,
            "PYTHONPATH": str(ROOT),
        }
        runs = []
        for _ in range(2):
            runs.append(
                subprocess.run(argv, capture_output=True, text=True, timeout=600, env=env, cwd=ROOT)
            )
            if runs[-1].returncode:
                break
        yield Deployment(server, out, bouncer_port, runs)


@pytest.fixture(scope="module")
def deployed_books(deployed: Deployment, tmp_path_factory) -> Iterator[Books]:
    """The facility, its users and price list, written once as the application role."""
    app = make_app(deployed.url(), tmp_path_factory.mktemp("till"))
    yield Books.open(app)
    app.close()


def test_the_script_sets_the_server_up_and_a_second_run_changes_nothing(deployed):
    for run in deployed.runs:
        assert run.returncode == 0, run.stdout + run.stderr
    assert len(deployed.runs) == 2
    hba = (deployed.server.data / "pg_hba.conf").read_text()
    assert hba.count("# BEGIN CareTill") == 1
    assert hba.startswith("# BEGIN CareTill")
    assert "hostssl caretill caretill_owner,caretill_app all scram-sha-256" in hba
    for secret in ("tls/ca.key", "tls/server.key", "pgbouncer/userlist.txt"):
        assert (deployed.out / secret).stat().st_mode & 0o077 == 0, secret
    cron = (deployed.out / "caretill-backup.cron").read_text()
    assert "backup.sh" in cron and "restore-drill.sh" in cron
    assert "pool_mode = transaction" in (deployed.out / "pgbouncer/pgbouncer.ini").read_text()


def test_a_till_pays_as_the_app_role_over_verified_tls_to_localhost(deployed_books):
    books = deployed_books
    with books.app.engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT current_user, ssl, current_setting('password_encryption') "
                "FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
            )
        ).one()
    assert tuple(row) == ("caretill_app", True, "scram-sha-256")
    mrn = books.patient("P1", balance="2000.00")
    result = pay_items(
        books, mrn, books.bill(mrn, ("CONS", 1), ("DRUG", 1)), tender("wallet", "1100.00")
    )
    assert result.wallet_balance_after == Decimal("900.00")
    assert run_check(books.app.uow(), actor=books.supervisor) == []


@pytest.mark.parametrize(
    ("how", "why"),
    [
        ({"sslmode": "disable"}, "pg_hba.conf rejects connection"),
        ({"host": "127.0.0.1"}, 'does not match host name "127.0.0.1"'),
    ],
)
def test_a_connection_without_tls_or_to_a_name_off_the_certificate_is_refused(
    deployed, tmp_path, how, why
):
    app = make_app(deployed.url(**how), tmp_path)
    try:
        with pytest.raises(Unavailable) as refused, app.uow():
            pass
    finally:
        app.close()
    assert why in str(refused.value.__cause__)


def test_a_till_pays_through_the_pgbouncer_the_script_configured(
    deployed, deployed_books, tmp_path
):
    bouncer = deployed.out / "pgbouncer"
    with pgbouncer_process(
        bouncer / "pgbouncer.ini", port=deployed.bouncer_port, log=bouncer / "pgbouncer.log"
    ):
        app = make_app(deployed.url(port=deployed.bouncer_port), tmp_path, workstation="WS05")
        try:
            books = replace(deployed_books, app=app)
            mrn = books.patient("P2", balance="1000.00")
            pay_items(
                books,
                mrn,
                books.bill(mrn, ("CONS", 1)),
                tender("wallet", "1000.00"),
                workstation="WS05",
            )
            with app.uow(write=False) as uow:
                inside = uow.execute(text("SELECT current_setting('lock_timeout')")).scalar_one()
            assert inside == "2s", "the engine's own SET LOCAL, not a session setting"
            assert run_check(app.uow(), actor=books.supervisor) == []
        finally:
            app.close()


def test_the_nightly_backup_and_the_restore_drill_see_check_clean(deployed, deployed_books):
    books = deployed_books
    mrn = books.patient("P3", balance="500.00")
    pay_items(books, mrn, books.bill(mrn, ("DRUG", 2)), tender("wallet", "200.00"))
    for _ in range(3):
        backup = deployed.run("backup.sh")
        assert backup.returncode == 0, backup.stdout + backup.stderr
    dumps = sorted((deployed.server.root / "backups").glob("caretill-*.dump"))
    assert len(dumps) == 2, "the newest --keep dumps are kept"
    drill = deployed.run(
        "restore-drill.sh",
        CARETILL_USER="supervisor",
        CARETILL_PASSWORD=PASSWORD,
        PYTHONPATH=str(ROOT),
    )
    assert drill.returncode == 0, drill.stdout + drill.stderr
    assert "restore-drill: check clean" in drill.stdout

    owner_login = f"caretill_owner:{quote(OWNER_PW, safe='')}"
    owner = create_database_engine(deployed.url().replace(f"caretill_app:{APP_PW}", owner_login))
    wallet = "UPDATE wallets SET balance_minor = balance_minor + :d"
    with owner.begin() as conn:  # an insider's edit: the next drill must say so
        conn.execute(text(wallet), {"d": 100})
    try:
        assert deployed.run("backup.sh").returncode == 0
        drill = deployed.run(
            "restore-drill.sh",
            CARETILL_USER="supervisor",
            CARETILL_PASSWORD=PASSWORD,
            PYTHONPATH=str(ROOT),
        )
    finally:
        with owner.begin() as conn:
            conn.execute(text(wallet), {"d": -100})
        owner.dispose()
    assert drill.returncode == 3, drill.stdout + drill.stderr
    assert "wallet_balance_equals_ledger" in drill.stdout
    assert "check clean" not in drill.stdout
