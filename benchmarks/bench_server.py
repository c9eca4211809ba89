"""The side-by-side harness's server: a throwaway durable PostgreSQL with both databases.

`pgbench` holds pgbench's own tables (scale 1); `caretill` holds CareTill's schema,
migrated by the owner and granted to the application role the tills connect as, a
facility with one cashier, and the tills (open shifts, enrolled keys). The payment the
replay is made of is captured here, on a till of its own.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine

from benchmarks.common import facility_with_user
from benchmarks.pay_seed import TENDERS, Block, open_tills, seed, till_app
from benchmarks.pgbench_replay import PGBENCH, Captured, Known, capture
from pos_app.adapters import tables as t
from pos_app.adapters.database import create_database_engine
from pos_app.adapters.grants import grant
from pos_app.adapters.migrate import upgrade
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.actors import Actor, Role
from pos_app.services.pay import pay
from tests.helpers.postgres import (
    APP_PASSWORD,
    APP_ROLE,
    OWNER,
    ThrowawayServer,
    as_role,
    create_roles,
)

DURABLE = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}
CAPTURE_TILL = "CAP"
FIRST_ID = 1_000_000


@dataclass
class Bench:
    """The running server, the two databases and what the runs share."""

    server: ThrowawayServer
    owner: Engine
    app_url: str
    actor: Actor
    service_id: int
    root: Path  # the tills' data folders
    next_id: int = FIRST_ID

    @property
    def app_password(self) -> str:
        return APP_PASSWORD

    def block(self, patients: int, bills: int = 1) -> Block:
        """Seed a fresh block of patients with bills, with ids no other block has."""
        block = Block(self.next_id, patients, bills)
        self.next_id += block.size + 1
        seed(self.owner, block, service_id=self.service_id)
        return block

    def paid_items(self, block: Block) -> int:
        """How many of the block's items are paid (the replay's proof of work)."""
        with self.owner.connect() as conn:
            return conn.execute(
                select(func.count()).where(
                    t.bill_items.c.id.between(2 * block.first, 2 * (block.first + block.size)),
                    t.bill_items.c.status == "paid",
                )
            ).scalar_one()

    def checkpoint(self) -> None:
        """Flush dirty pages now, so no run pays for the one before it."""
        admin = create_engine(self.server.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("CHECKPOINT"))
        admin.dispose()

    def close(self) -> None:
        self.owner.dispose()
        self.server.remove()
        shutil.rmtree(self.root, ignore_errors=True)


def start(*, tills: list[str], replay_tills: list[str]) -> Bench:
    """Start the server, build both databases and open every till's shift."""
    server = ThrowawayServer(settings=DURABLE)
    server.start()
    try:
        create_roles(server.url)
        admin = create_engine(server.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE caretill OWNER {OWNER}"))
            conn.execute(text("CREATE DATABASE pgbench"))
        admin.dispose()
        subprocess.run(
            [
                str(PGBENCH),
                "-i",
                "-q",
                "-s",
                "1",
                "-h",
                "127.0.0.1",
                "-p",
                str(server.port),
                "-U",
                server.user,
                "pgbench",
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        owner = create_database_engine(as_role(server.url, OWNER, database="caretill"))
        upgrade(owner)
        grant(owner, APP_ROLE)
        uow = UnitOfWork(owner)
        with uow:
            actor, service_id = facility_with_user(uow, Role.CASHIER)
            uow.commit()
        bench = Bench(
            server,
            owner,
            as_role(server.url, APP_ROLE, database="caretill"),
            actor,
            service_id,
            Path(tempfile.mkdtemp(prefix="caretill-tills-")),
        )
        open_tills(bench.app_url, bench.root, [CAPTURE_TILL, *tills, *replay_tills], actor)
        return bench
    except BaseException:
        server.remove()
        raise


def capture_payment(bench: Bench) -> tuple[list[Captured], Known]:
    """The statements of one steady-state payment at the capture till, and its values."""
    block = bench.block(2)
    jobs = block.split(1)[0]
    with bench.owner.begin() as conn:  # a payment id no other literal of the payment has
        conn.execute(text("SELECT setval('payments_id_seq', 10000000)"))
    app = till_app(bench.app_url, bench.root / CAPTURE_TILL, CAPTURE_TILL)
    try:

        def one(job, key):  # noqa: ANN001, ANN202
            return pay(
                app.uow(),
                actor=bench.actor,
                workstation=CAPTURE_TILL,
                mrn=job.mrn,
                item_ids=job.item_ids,
                tenders=list(TENDERS),
                key=key,
            )

        one(jobs[0], "capture-warm-up")
        result = None

        def paid() -> None:
            nonlocal result
            result = one(jobs[1], "capture-payment")

        statements = capture(app.engine, paid)
        assert result is not None
        with bench.owner.connect() as conn:
            payment_id, receipt_seq = conn.execute(
                select(t.payments.c.id, t.receipts.c.seq)
                .join(t.receipts, t.receipts.c.receipt_no == t.payments.c.receipt_no)
                .where(t.payments.c.receipt_no == result.receipt_no)
            ).one()
            audit_seq = conn.execute(
                select(t.audit_events.c.seq).where(t.audit_events.c.receipt_no == result.receipt_no)
            ).scalar_one()
        return statements, Known(
            jobs[1],
            block.first + 1,
            CAPTURE_TILL,
            "capture-payment",
            result.receipt_no,
            receipt_seq,
            audit_seq,
            payment_id,
        )
    finally:
        app.close()
