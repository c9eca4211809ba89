"""Seeding for the payment benchmarks: patients with wallets and bills in bulk, and tills.

Rows get explicit ids from arithmetic on a block's first id, so a pgbench script can name
the patient, wallet, bill and items of its n-th payment (`pgbench_replay`) exactly as the
worker processes name theirs from a `Job` list. Each bill holds two items of 500.00; each
payment pays one bill with 600.00 from the wallet and 400.00 in cash.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from benchmarks.common import PRICE_MINOR
from pos_app.adapters import tables as t
from pos_app.adapters.database import Timeouts
from pos_app.bootstrap import App, build
from pos_app.config import Settings
from pos_app.domain.actors import Actor
from pos_app.domain.clock import system_clock as utcnow
from pos_app.services.shifts import open_shift
from pos_app.services.tenders import TenderRequest

WALLET_PART_MINOR = 60_000  # of the 2 x PRICE_MINOR a payment pays, the rest in cash
TENDERS = (TenderRequest("wallet", "600.00"), TenderRequest("cash", "400.00"))


@dataclass(frozen=True)
class Job:
    """One payment to take: a patient and the two items of one of their bills."""

    mrn: str
    item_ids: list[int]


@dataclass(frozen=True)
class Block:
    """`patients` patients with `bills` bills each; ids are `first` + arithmetic.

    Patient p has id first + p (its wallet the same id, MRN "RP<id>"); its bill j has id
    first + p * bills + j and items 2 * bill and 2 * bill + 1. Blocks taken from a counter
    that advances by `size` never share an id.
    """

    first: int
    patients: int
    bills: int = 1

    @property
    def size(self) -> int:
        return self.patients * self.bills

    def job(self, patient: int, bill: int) -> Job:
        bill_id = self.first + patient * self.bills + bill
        return Job(f"RP{self.first + patient}", [2 * bill_id, 2 * bill_id + 1])

    def split(self, workers: int) -> list[list[Job]]:
        """Each worker's jobs: its own patients, or, with fewer patients than workers, its
        own bills of a patient it shares with `workers / patients` others."""
        if self.patients >= workers:
            each = self.patients // workers
            return [
                [self.job(p, j) for p in range(w * each, (w + 1) * each) for j in range(self.bills)]
                for w in range(workers)
            ]
        sharing = workers // self.patients
        return [
            [self.job(w % self.patients, j) for j in range(w // self.patients, self.bills, sharing)]
            for w in range(workers)
        ]


def seed(engine: Engine, block: Block, *, service_id: int) -> None:
    """Write the block's patients, funded wallets, open bills and unpaid items."""
    now = utcnow()
    people = range(block.first, block.first + block.patients)
    bills = [
        (block.first + p, block.first + p * block.bills + j)
        for p in range(block.patients)
        for j in range(block.bills)
    ]
    with engine.begin() as conn:
        conn.execute(
            insert(t.patients),
            [{"id": i, "mrn": f"RP{i}", "name": f"Bench {i}", "created_at": now} for i in people],
        )
        conn.execute(
            insert(t.wallets),
            [
                {"id": i, "patient_id": i, "balance_minor": block.bills * WALLET_PART_MINOR}
                for i in people
            ],
        )
        conn.execute(
            insert(t.bills),
            [{"id": b, "bill_no": f"RB{b}", "patient_id": p, "created_at": now} for p, b in bills],
        )
        conn.execute(
            insert(t.bill_items),
            [
                {
                    "id": 2 * b + k,
                    "bill_id": b,
                    "patient_id": p,
                    "service_id": service_id,
                    "quantity": 1,
                    "unit_price_minor": PRICE_MINOR,
                    "amount_minor": PRICE_MINOR,
                    "created_at": now,
                }
                for p, b in bills
                for k in (0, 1)
            ],
        )


def till_app(url: str, folder: Path, workstation: str) -> App:
    """CareTill as one till runs it: its own engine, workstation id and data folder."""
    folder.mkdir(parents=True, exist_ok=True)
    return build(
        Settings(url, workstation, Timeouts(), config_path=folder / "config.json", local={})
    )


def open_tills(url: str, root: Path, workstations: list[str], actor: Actor) -> None:
    """Open the cashier's shift at each till (the facility requires one for cash); this
    also enrols each till's signing key from its own data folder."""
    for workstation in workstations:
        app = till_app(url, root / workstation, workstation)
        try:
            open_shift(app.uow(), actor=actor, workstation=workstation, opening_float="0")
        finally:
            app.close()
