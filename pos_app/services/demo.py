"""`caretill demo load`: a realistic small hospital to try CareTill on and to train cashiers.

Users cashier/supervisor/admin (password = user name, changed on first GUI sign-in),
a price list of all five service kinds, pharmacy stock, patients with wallets
(some topped up through the real deposit use case) and open bills of several items.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from pos_app.adapters import (
    bills_repo,
    patients_repo,
    price_list_repo,
    stock_items_repo,
    users_repo,
)
from pos_app.adapters.passwords import hash_password
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.actors import Actor, Role
from pos_app.domain.errors import BadInput, Refused
from pos_app.domain.facility import Facility
from pos_app.domain.money import Currency
from pos_app.domain.text import refuse_controls
from pos_app.services import shifts
from pos_app.services.deposit import deposit
from pos_app.services.facility import write_facility
from pos_app.services.patients import insert_patients

DEMO_FACILITY = Facility("CareTill Demo Hospital", Currency("KES", 2), require_shift=True)
MAX_DEMO_PATIENTS = 100_000

# code, name, kind, department, price (major units), stock code or lab code
PRICE_LIST = [
    ("CON-GP", "General consultation", "consultation", "Outpatients", 1500, None),
    ("CON-SPEC", "Specialist consultation", "consultation", "Outpatients", 3500, None),
    ("CON-PAED", "Paediatric consultation", "consultation", "Paediatrics", 2000, None),
    ("LAB-FBC", "Full blood count", "lab_test", "Laboratory", 1200, "FBC"),
    ("LAB-MAL", "Malaria rapid test", "lab_test", "Laboratory", 450, "MRDT"),
    ("LAB-UA", "Urinalysis", "lab_test", "Laboratory", 600, "UA"),
    ("LAB-GLU", "Random blood glucose", "lab_test", "Laboratory", 350, "RBG"),
    ("PH-AMOX", "Amoxicillin 500 mg capsules x21", "pharmacy", "Pharmacy", 420, "AMOX500"),
    ("PH-PCM", "Paracetamol 500 mg tablets x20", "pharmacy", "Pharmacy", 120, "PCM500"),
    ("PH-ALU", "Artemether/lumefantrine 20/120 x24", "pharmacy", "Pharmacy", 680, "AL24"),
    ("PH-ORS", "Oral rehydration salts sachet", "pharmacy", "Pharmacy", 50, "ORS"),
    ("PH-MET", "Metformin 500 mg tablets x30", "pharmacy", "Pharmacy", 300, "MET500"),
    ("PRC-DRESS", "Wound dressing", "procedure", "Casualty", 800, None),
    ("PRC-SUTURE", "Suturing, minor", "procedure", "Casualty", 2500, None),
    ("PRC-XRAY", "Chest X-ray", "procedure", "Radiology", 3000, None),
    ("OTH-CARD", "Patient card", "other", "Records", 200, None),
    ("OTH-BED", "Observation bed, per day", "other", "Wards", 4000, None),
]
STOCK = {
    "AMOX500": ("Amoxicillin 500 mg caps x21", 400),
    "PCM500": ("Paracetamol 500 mg x20", 900),
    "AL24": ("Artemether/lumefantrine x24", 250),
    "ORS": ("ORS sachet", 1200),
    "MET500": ("Metformin 500 mg x30", 300),
}
GIVEN = [
    "Amina",
    "Brian",
    "Chebet",
    "David",
    "Esther",
    "Faith",
    "Grace",
    "Hassan",
    "Irene",
    "James",
    "Joseph",
    "Kevin",
    "Lilian",
    "Mary",
    "Moses",
    "Nakato",
    "Njeri",
    "Otieno",
    "Peter",
    "Rehema",
    "Samuel",
    "Wanjirũ",
    "Zawadi",
    "Zoë",
    "Achieng",
    "Baraka",
]
FAMILY = [
    "Achieng",
    "Kamau",
    "Mwangi",
    "Odhiambo",
    "Wanjiku",
    "Njoroge",
    "Ssewanyana",
    "Mutua",
    "Omondi",
    "Kiprono",
    "Nabukenya",
    "Müller",
    "Atieno",
    "Okello",
    "Chebet",
    "Wekesa",
    "Hussein",
    "Nyambura",
]
DEMO_USERS = [
    ("cashier", Role.CASHIER, "Demo Cashier"),
    ("supervisor", Role.SUPERVISOR, "Demo Supervisor"),
    ("admin", Role.ADMIN, "Demo Administrator"),
]


@dataclass(frozen=True)
class DemoSummary:
    patients: int
    bills: int
    items: int
    deposits: int
    users: list[str]

    def to_json(self) -> dict:
        return {
            "patients": self.patients,
            "bills": self.bills,
            "items": self.items,
            "deposits": self.deposits,
            "users": self.users,
        }


def load_demo(
    new_uow: Callable[[], UnitOfWork],
    *,
    workstation: str,
    patients: int = 50,
    seed: int = 1,
    facility_name: str | None = None,
) -> DemoSummary:
    """Fill an empty database; refuses one that already has users or patients.

    `facility_name` (e.g. typed in the first-start dialog) replaces the demo's own.
    """
    if not 1 <= patients <= MAX_DEMO_PATIENTS:
        raise BadInput(f"Demo patients must be 1 to {MAX_DEMO_PATIENTS}.", code="invalid_count")
    rng = random.Random(seed)
    with new_uow() as uow:
        if users_repo.count(uow) or patients_repo.count(uow):
            raise Refused(
                "The database already has data; the demo fills only an empty one.",
                code="database_not_empty",
            )
        name = (
            refuse_controls((facility_name or "").strip(), what="facility name")
            or DEMO_FACILITY.name
        )
        write_facility(uow, replace(DEMO_FACILITY, name=name))
        cashier = _users(uow)
        service_ids = _price_list(uow)
        mrns = _patients(uow, rng, patients)
        bills, items = _bills(uow, rng, mrns, service_ids)
        uow.commit()
    topped_up = [mrn for mrn in mrns if rng.random() < 0.6]
    # The top-ups are an earlier shift of the demo cashier, closed with the cash all there:
    # the facility requires a shift for cash, and the cashier opens their own at sign-in.
    shifts.open_shift(new_uow(), actor=cashier, workstation=workstation, opening_float="0")
    cash = 0
    for index, mrn in enumerate(topped_up):
        amount = rng.choice([500, 1000, 2000, 3000, 5000, 10000])
        done = deposit(
            new_uow(),
            actor=cashier,
            workstation=workstation,
            mrn=mrn,
            amount=str(amount),
            method=rng.choice(["cash", "mobile_money"]),
            reference=f"DEMO{seed:04d}{index:07d}",
            key=f"demo-{seed}-{index:08d}",
        )
        cash += amount if done.method == "cash" else 0
    shifts.close_shift(new_uow(), actor=cashier, workstation=workstation, counted_cash=str(cash))
    return DemoSummary(len(mrns), bills, items, len(topped_up), [u[0] for u in DEMO_USERS])


def _users(uow: UnitOfWork) -> Actor:
    now = uow.clock()
    ids = {
        name: users_repo.add(
            uow,
            username=name,
            full_name=full,
            role=role.value,
            password_hash=hash_password(name),
            must_change_password=True,
            now=now,
        )
        for name, role, full in DEMO_USERS
    }
    return Actor(ids["cashier"], "cashier", Role.CASHIER)


def _price_list(uow: UnitOfWork) -> dict[str, tuple[int, int, str]]:
    """Insert stock and services; returns code -> (service id, unit price minor, kind)."""
    stock_ids = stock_items_repo.add(
        uow,
        [
            stock_items_repo.NewStockItem(code, name, "pack", qty)
            for code, (name, qty) in STOCK.items()
        ],
        uow.clock(),
    )
    currency = DEMO_FACILITY.currency
    services: list[dict[str, Any]] = []
    for code, name, kind, department, price, link in PRICE_LIST:
        services.append(
            {
                "code": code,
                "name": name,
                "kind": kind,
                "department": department,
                "unit_price_minor": currency.to_minor(currency.parse(str(price))),
                "stock_item_id": stock_ids[link] if kind == "pharmacy" and link else None,
                "lab_test_code": link if kind == "lab_test" else None,
            }
        )
    ids = price_list_repo.add(uow, services)
    return {s["code"]: (ids[s["code"]], s["unit_price_minor"], s["kind"]) for s in services}


def _patients(uow: UnitOfWork, rng: random.Random, count: int) -> list[str]:
    today = uow.clock().date()
    people: list[dict[str, Any]] = []
    for number in range(1, count + 1):
        people.append(
            {
                "mrn": f"MRN{number:06d}",
                "name": f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
                "phone": f"07{rng.randint(10_000_000, 99_999_999)}",
                "dob": today - timedelta(days=rng.randint(200, 85 * 365)),
            }
        )
    insert_patients(uow, people)
    return [p["mrn"] for p in people]


def _bills(
    uow: UnitOfWork,
    rng: random.Random,
    mrns: list[str],
    service_ids: dict[str, tuple[int, int, str]],
) -> tuple[int, int]:
    patient_ids = patients_repo.ids_of(uow, mrns)
    codes = list(service_ids)
    bill_rows: list[tuple[str, int]] = []
    items: list[bills_repo.NewItem] = []
    for mrn in mrns:
        for _ in range(rng.choice([0, 1, 1, 2])):
            bill_no = f"B{len(bill_rows) + 1:07d}"
            bill_rows.append((bill_no, patient_ids[mrn]))
            for code in rng.sample(codes, rng.randint(2, 5)):
                service_id, price, kind = service_ids[code]
                quantity = rng.randint(1, 3) if kind == "pharmacy" else 1
                items.append(
                    bills_repo.NewItem(bill_no, patient_ids[mrn], service_id, quantity, price)
                )
    bills_repo.add(uow, bill_rows, items, uow.clock())
    return len(bill_rows), len(items)
