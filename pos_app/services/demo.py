"""`caretill demo load`: a realistic small hospital to try CareTill on and to train cashiers.

Users cashier/supervisor/admin (password = user name, changed on first GUI sign-in),
a price list of all five service kinds, pharmacy stock, patients with wallets
(some topped up through the real deposit use case) and open bills of several items.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy import func, insert, select

from pos_app.adapters import tables as t
from pos_app.adapters.passwords import hash_password
from pos_app.adapters.types import utcnow
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
STOCK = {"AMOX500": ("Amoxicillin 500 mg caps x21", 400), "PCM500": ("Paracetamol 500 mg x20", 900),
         "AL24": ("Artemether/lumefantrine x24", 250), "ORS": ("ORS sachet", 1200),
         "MET500": ("Metformin 500 mg x30", 300)}
GIVEN = ["Amina", "Brian", "Chebet", "David", "Esther", "Faith", "Grace", "Hassan", "Irene",
         "James", "Joseph", "Kevin", "Lilian", "Mary", "Moses", "Nakato", "Njeri", "Otieno",
         "Peter", "Rehema", "Samuel", "Wanjirũ", "Zawadi", "Zoë", "Achieng", "Baraka"]
FAMILY = ["Achieng", "Kamau", "Mwangi", "Odhiambo", "Wanjiku", "Njoroge", "Ssewanyana",
          "Mutua", "Omondi", "Kiprono", "Nabukenya", "Müller", "Atieno", "Okello", "Chebet",
          "Wekesa", "Hussein", "Nyambura"]
DEMO_USERS = [("cashier", Role.CASHIER, "Demo Cashier"),
              ("supervisor", Role.SUPERVISOR, "Demo Supervisor"),
              ("admin", Role.ADMIN, "Demo Administrator")]


@dataclass(frozen=True)
class DemoSummary:
    patients: int
    bills: int
    items: int
    deposits: int
    users: list[str]

    def to_json(self) -> dict:
        return {"patients": self.patients, "bills": self.bills, "items": self.items,
                "deposits": self.deposits, "users": self.users}


def load_demo(new_uow: Callable[[], UnitOfWork], *, workstation: str, patients: int = 50,
              seed: int = 1, facility_name: str | None = None) -> DemoSummary:
    """Fill an empty database; refuses one that already has users or patients.

    `facility_name` (e.g. typed in the first-start dialog) replaces the demo's own.
    """
    if not 1 <= patients <= MAX_DEMO_PATIENTS:
        raise BadInput(f"Demo patients must be 1 to {MAX_DEMO_PATIENTS}.", code="invalid_count")
    rng = random.Random(seed)
    with new_uow() as uow:
        filled = uow.execute(select(func.count()).select_from(t.users)).scalar_one() + \
            uow.execute(select(func.count()).select_from(t.patients)).scalar_one()
        if filled:
            raise Refused("The database already has data; the demo fills only an empty one.",
                          code="database_not_empty")
        name = refuse_controls((facility_name or "").strip(),
                               what="facility name") or DEMO_FACILITY.name
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
        done = deposit(new_uow(), actor=cashier, workstation=workstation, mrn=mrn,
                       amount=str(amount), method=rng.choice(["cash", "mobile_money"]),
                       reference=f"DEMO{seed:04d}{index:07d}", key=f"demo-{seed}-{index:08d}")
        cash += amount if done.method == "cash" else 0
    shifts.close_shift(new_uow(), actor=cashier, workstation=workstation,
                       counted_cash=str(cash))
    return DemoSummary(len(mrns), bills, items, len(topped_up), [u[0] for u in DEMO_USERS])


def _users(uow: UnitOfWork) -> Actor:
    now = utcnow()
    rows = uow.execute(insert(t.users).returning(t.users.c.id, t.users.c.username), [
        {"username": name, "role": role.value, "full_name": full,
         "password_hash": hash_password(name), "must_change_password": True, "created_at": now}
        for name, role, full in DEMO_USERS]).all()
    return Actor(next(r.id for r in rows if r.username == "cashier"), "cashier", Role.CASHIER)


def _price_list(uow: UnitOfWork) -> dict[str, tuple[int, int, str]]:
    """Insert stock and services; returns code -> (service id, unit price minor, kind)."""
    now = utcnow()
    stock_rows = uow.execute(insert(t.stock_items).returning(t.stock_items.c.id,
                                                             t.stock_items.c.code), [
        {"code": code, "name": name, "unit": "pack", "quantity_on_hand": qty}
        for code, (name, qty) in STOCK.items()]).all()
    stock_ids = {row.code: row.id for row in stock_rows}
    uow.execute(insert(t.stock_movements), [
        {"stock_item_id": stock_ids[code], "delta": qty, "reason": "receipt", "created_at": now}
        for code, (_name, qty) in STOCK.items()])
    currency = DEMO_FACILITY.currency
    services = []
    for code, name, kind, department, price, link in PRICE_LIST:
        services.append({
            "code": code, "name": name, "kind": kind, "department": department,
            "unit_price_minor": currency.to_minor(currency.parse(str(price))),
            "stock_item_id": stock_ids[link] if kind == "pharmacy" else None,
            "lab_test_code": link if kind == "lab_test" else None,
        })
    rows = uow.execute(insert(t.services).returning(t.services.c.id, t.services.c.code,
                                                    t.services.c.unit_price_minor,
                                                    t.services.c.kind), services).all()
    return {row.code: (row.id, row.unit_price_minor, row.kind) for row in rows}


def _patients(uow: UnitOfWork, rng: random.Random, count: int) -> list[str]:
    today = date.today()
    people = []
    for number in range(1, count + 1):
        people.append({
            "mrn": f"MRN{number:06d}",
            "name": f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
            "phone": f"07{rng.randint(10_000_000, 99_999_999)}",
            "dob": today - timedelta(days=rng.randint(200, 85 * 365)),
        })
    for start in range(0, len(people), 5000):
        insert_patients(uow, people[start:start + 5000])
    return [p["mrn"] for p in people]


def _bills(uow: UnitOfWork, rng: random.Random, mrns: list[str],
           service_ids: dict[str, tuple[int, int, str]]) -> tuple[int, int]:
    now = utcnow()
    patient_ids = dict(uow.execute(select(t.patients.c.mrn, t.patients.c.id)).all())
    codes = list(service_ids)
    bill_rows, item_plans = [], []
    for mrn in mrns:
        for _ in range(rng.choice([0, 1, 1, 2])):
            bill_no = f"B{len(bill_rows) + 1:07d}"
            bill_rows.append({"bill_no": bill_no, "patient_id": patient_ids[mrn],
                              "created_at": now})
            for code in rng.sample(codes, rng.randint(2, 5)):
                quantity = rng.randint(1, 3) if service_ids[code][2] == "pharmacy" else 1
                item_plans.append((bill_no, patient_ids[mrn], code, quantity))
    if not bill_rows:
        return 0, 0
    bill_ids = dict(uow.execute(insert(t.bills).returning(t.bills.c.bill_no, t.bills.c.id),
                                bill_rows).all())
    uow.execute(insert(t.bill_items), [
        {"bill_id": bill_ids[bill_no], "patient_id": patient_id,
         "service_id": service_ids[code][0], "quantity": quantity,
         "unit_price_minor": service_ids[code][1],
         "amount_minor": quantity * service_ids[code][1], "created_at": now}
        for bill_no, patient_id, code, quantity in item_plans])
    return len(bill_rows), len(item_plans)
