"""Test books: a small facility with users, a price list of every kind, patients and bills.

Built through the same tables the product uses; money moves only through services.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from sqlalchemy import insert, select, text

from pos_app.adapters import tables as t
from pos_app.adapters.passwords import hash_password
from pos_app.bootstrap import App
from pos_app.domain.actors import Actor, Role
from pos_app.domain.clock import system_clock
from pos_app.domain.facility import Facility
from pos_app.domain.money import Currency
from pos_app.services.deposit import deposit
from pos_app.services.facility import write_facility
from pos_app.services.patients import insert_patients

PASSWORD = "correct horse"
# code: (kind, price, stock code or lab code)
CATALOG = {
    "CONS": ("consultation", "1000.00", None),
    "LAB": ("lab_test", "500.00", "FBC"),
    "DRUG": ("pharmacy", "100.00", "AMOX"),
    "DRUG2": ("pharmacy", "50.00", "PCM"),
    "PROC": ("procedure", "2500.00", None),
    "MISC": ("other", "0.10", None),
}
STOCK = {"AMOX": 10, "PCM": 10}


@cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


def new_key() -> str:
    return f"test-{uuid.uuid4().hex}"


@dataclass
class Books:
    app: App
    currency: Currency
    cashier: Actor
    cashier2: Actor
    supervisor: Actor
    admin: Actor
    services: dict[str, int] = field(default_factory=dict)
    stock: dict[str, int] = field(default_factory=dict)

    @classmethod
    def open(
        cls, app: App, *, currency: Currency | None = None, require_shift: bool = False
    ) -> Books:
        """Most money tests guard rules other than shifts, so cash needs no shift here
        unless a test asks (`require_shift=True`, the default of a real new facility)."""
        currency = currency or Currency("KES", 2)
        with app.uow() as uow:
            write_facility(uow, Facility("Test Hospital", currency, require_shift=require_shift))
            users = uow.execute(
                insert(t.users).returning(t.users.c.id, t.users.c.username),
                [
                    {
                        "username": name,
                        "role": role,
                        "password_hash": _password_hash(),
                        "created_at": system_clock(),
                    }
                    for name, role in [
                        ("cashier", "cashier"),
                        ("cashier2", "cashier"),
                        ("supervisor", "supervisor"),
                        ("admin", "admin"),
                    ]
                ],
            ).all()
            ids = {row.username: row.id for row in users}
            stock = dict(
                uow.execute(
                    insert(t.stock_items).returning(t.stock_items.c.code, t.stock_items.c.id),
                    [
                        {"code": c, "name": f"{c} pack", "quantity_on_hand": q}
                        for c, q in STOCK.items()
                    ],
                ).all()
            )
            uow.execute(
                insert(t.stock_movements),
                [
                    {
                        "stock_item_id": stock[c],
                        "delta": q,
                        "reason": "receipt",
                        "created_at": system_clock(),
                    }
                    for c, q in STOCK.items()
                ],
            )
            services = dict(
                uow.execute(
                    insert(t.services).returning(t.services.c.code, t.services.c.id),
                    [
                        {
                            "code": code,
                            "name": f"{code} service",
                            "kind": kind,
                            "unit_price_minor": currency.to_minor(Decimal(price)),
                            "stock_item_id": stock[link] if kind == "pharmacy" else None,
                            "lab_test_code": link if kind == "lab_test" else None,
                        }
                        for code, (kind, price, link) in CATALOG.items()
                    ],
                ).all()
            )
            uow.commit()
        role = {
            "cashier": Role.CASHIER,
            "cashier2": Role.CASHIER,
            "supervisor": Role.SUPERVISOR,
            "admin": Role.ADMIN,
        }
        actors = {name: Actor(ids[name], name, role[name]) for name in ids}
        return cls(
            app,
            currency,
            actors["cashier"],
            actors["cashier2"],
            actors["supervisor"],
            actors["admin"],
            services,
            stock,
        )

    def patient(self, mrn: str, *, balance: str | None = None, name: str = "Test Patient") -> str:
        with self.app.uow() as uow:
            insert_patients(uow, [{"mrn": mrn, "name": name, "phone": None, "dob": None}])
            uow.commit()
        if balance is not None:
            self.top_up(mrn, balance)
        return mrn

    def top_up(self, mrn: str, amount: str) -> None:
        deposit(
            self.app.uow(),
            actor=self.cashier,
            workstation=self.app.workstation,
            mrn=mrn,
            amount=amount,
            method="cash",
            key=new_key(),
        )

    def bill(self, mrn: str, *lines: tuple[str, int]) -> list[int]:
        """A new open bill for `mrn` with (service code, quantity) lines; returns item ids."""
        with self.app.uow() as uow:
            patient_id = uow.execute(
                select(t.patients.c.id).where(t.patients.c.mrn == mrn)
            ).scalar_one()
            bill_id = uow.execute(
                insert(t.bills)
                .values(
                    bill_no=f"B-{uuid.uuid4().hex[:10]}",
                    patient_id=patient_id,
                    created_at=system_clock(),
                )
                .returning(t.bills.c.id)
            ).scalar_one()
            prices = dict(
                uow.execute(select(t.services.c.code, t.services.c.unit_price_minor)).all()
            )
            ids = (
                uow.execute(
                    insert(t.bill_items).returning(t.bill_items.c.id),
                    [
                        {
                            "bill_id": bill_id,
                            "patient_id": patient_id,
                            "service_id": self.services[code],
                            "quantity": qty,
                            "unit_price_minor": prices[code],
                            "amount_minor": prices[code] * qty,
                            "created_at": system_clock(),
                        }
                        for code, qty in lines
                    ],
                )
                .scalars()
                .all()
            )
            uow.commit()
        return sorted(ids)

    def bill_no_of(self, item_id: int) -> str:
        with self.app.uow(write=False) as uow:
            return uow.execute(
                select(t.bills.c.bill_no)
                .join(t.bill_items, t.bill_items.c.bill_id == t.bills.c.id)
                .where(t.bill_items.c.id == item_id)
            ).scalar_one()

    def balance(self, mrn: str) -> Decimal:
        with self.app.uow(write=False) as uow:
            minor = uow.execute(
                select(t.wallets.c.balance_minor)
                .join(t.patients, t.patients.c.id == t.wallets.c.patient_id)
                .where(t.patients.c.mrn == mrn)
            ).scalar_one()
        return self.currency.from_minor(minor)

    def stock_on_hand(self, code: str = "AMOX") -> int:
        with self.app.uow(write=False) as uow:
            return uow.execute(
                select(t.stock_items.c.quantity_on_hand).where(t.stock_items.c.code == code)
            ).scalar_one()

    def item_status(self, item_id: int) -> str:
        with self.app.uow(write=False) as uow:
            return uow.execute(
                select(t.bill_items.c.status).where(t.bill_items.c.id == item_id)
            ).scalar_one()

    def count(self, table: str) -> int:
        with self.app.uow(write=False) as uow:
            return uow.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()

    def snapshot(self) -> dict[str, list[tuple]]:
        """Every row of every table, in a stable order: compare before and after."""
        with self.app.uow(write=False) as uow:
            return {
                name: sorted(tuple(map(repr, row)) for row in uow.execute(select(table)).all())
                for name, table in t.metadata.tables.items()
            }
