"""The torture run's books: a fresh database as an administrator would set it up.

The owner migrates and grants; the tills connect as the application role. Users are
added through the user service, patients through the patients' insert, and every
wallet starts with a card deposit through the deposit service (logged like the
workers' operations, so the verifier accounts for it).
"""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from pos_app.adapters import tables as t
from pos_app.adapters.database import Timeouts, create_database_engine
from pos_app.adapters.grants import grant
from pos_app.adapters.migrate import upgrade
from pos_app.bootstrap import App, build
from pos_app.config import Settings
from pos_app.domain.facility import Facility
from pos_app.domain.money import Currency
from pos_app.services.auth import add_user, sign_in
from pos_app.services.deposit import deposit
from pos_app.services.facility import write_facility
from pos_app.services.patients import insert_patients
from tests.helpers.postgres import APP_ROLE, OWNER, as_role, create_roles
from tools.torture.oplog import OpLog
from tools.torture.plan import AUDITOR, CATALOG, CURRENCY, HARNESS_WORKSTATION, PASSWORD, Plan

SEED_DEPOSIT = "2000.00"


def create_database(admin_url: str) -> tuple[str, str]:
    """A new database owned by the owner role, migrated and granted: (app URL, admin URL)."""
    create_roles(admin_url)
    name = f"torture_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} OWNER {OWNER}"))
    admin.dispose()
    owner = create_database_engine(as_role(admin_url, OWNER, database=name))
    upgrade(owner)
    grant(owner, APP_ROLE)
    owner.dispose()
    admin_db = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    return as_role(admin_url, APP_ROLE, database=name), admin_db


def harness_app(plan: Plan) -> App:
    """CareTill as the harness's own workstation (it seeds and runs `check` from there)."""
    return build(
        Settings(
            db_url=plan.app_url,
            workstation=HARNESS_WORKSTATION,
            timeouts=Timeouts(lock_wait_s=plan.lock_wait_s),
            config_path=Path(plan.out_dir) / HARNESS_WORKSTATION / "config.json",
            local={},
        )
    )


def seed(plan: Plan, patients: int) -> None:
    """Facility, users, price list, stock and patients with a first deposit each."""
    app = harness_app(plan)
    try:
        _facility_and_catalog(app, plan)
        admin = add_user(
            app.uow(),
            actor=None,
            workstation=HARNESS_WORKSTATION,
            username="tadmin",
            role="admin",
            password=PASSWORD,
        )
        admin = sign_in(app.uow(), admin.username, PASSWORD, workstation=HARNESS_WORKSTATION)
        people = [(AUDITOR, "supervisor")]
        for till in plan.tills:
            people += [(till.cashier, "cashier"), (till.supervisor, "supervisor")]
        for username, role in people:
            add_user(
                app.uow(),
                actor=admin,
                workstation=HARNESS_WORKSTATION,
                username=username,
                role=role,
                password=PASSWORD,
            )
        plan.patients = [f"TP{i:05d}" for i in range(patients)]
        with app.uow() as uow:
            insert_patients(
                uow,
                [
                    {"mrn": mrn, "name": f"Torture Patient {i}", "phone": None, "dob": None}
                    for i, mrn in enumerate(plan.patients)
                ],
            )
            uow.commit()
        _first_deposits(app, plan)
    finally:
        app.close()


def _facility_and_catalog(app: App, plan: Plan) -> None:
    with app.uow() as uow:
        now = uow.clock()
        write_facility(
            uow, Facility("Torture Test Hospital", Currency(*CURRENCY), require_shift=True)
        )
        stock = dict(
            uow.execute(
                insert(t.stock_items).returning(t.stock_items.c.code, t.stock_items.c.id),
                [
                    {"code": c, "name": f"{c} pack", "quantity_on_hand": q}
                    for c, q in plan.stock.items()
                ],
            ).all()
        )
        uow.execute(
            insert(t.stock_movements),
            [
                {"stock_item_id": stock[c], "delta": q, "reason": "receipt", "created_at": now}
                for c, q in plan.stock.items()
            ],
        )
        plan.services = dict(
            uow.execute(
                insert(t.services).returning(t.services.c.code, t.services.c.id),
                [
                    {
                        "code": code,
                        "name": f"{code} service",
                        "kind": kind,
                        "unit_price_minor": price,
                        "stock_item_id": stock[link] if kind == "pharmacy" else None,
                        "lab_test_code": link if kind == "lab_test" else None,
                    }
                    for code, (kind, price, link) in CATALOG.items()
                ],
            ).all()
        )
        plan.prices = {code: price for code, (_, price, _) in CATALOG.items()}
        uow.commit()


def _first_deposits(app: App, plan: Plan) -> None:
    """A card top-up for every patient, logged as the harness's own operations."""
    auditor = sign_in(app.uow(), AUDITOR, PASSWORD, workstation=HARNESS_WORKSTATION)
    log = OpLog(plan.log_path(HARNESS_WORKSTATION))
    try:
        for index, mrn in enumerate(plan.patients):
            op, key = f"{HARNESS_WORKSTATION}-{index:06d}", f"seed-{mrn}-{uuid.uuid4().hex[:8]}"
            intent = {
                "mrn": mrn,
                "amount": SEED_DEPOSIT,
                "method": "card",
                "reference": f"SEED{uuid.uuid4().hex[:12].upper()}",
            }
            log.write(
                {
                    "t": "begin",
                    "op": op,
                    "attempt": 1,
                    "kind": "deposit",
                    "mode": "new",
                    "key": key,
                    "intent": intent,
                    "expect": None,
                    "workstation": HARNESS_WORKSTATION,
                }
            )
            result = deposit(
                app.uow(), actor=auditor, workstation=HARNESS_WORKSTATION, key=key, **intent
            )
            log.write(
                {
                    "t": "end",
                    "op": op,
                    "attempt": 1,
                    "outcome": "ok",
                    "result": {
                        "receipt_no": result.receipt_no,
                        "amount": str(result.amount),
                        "replayed": False,
                    },
                }
            )
    finally:
        log.close()
