"""`import stock`: code,name,quantity[,unit]. New items, or a delivery onto a known one.

Every unit received goes through a stock_movements row (reason "receipt"), so the
quantity on hand always equals the sum of its movements and `caretill check` holds.
A delivery adds up, so the same file imported twice would count it twice: the
import refuses to (see ADDS_UP) unless told it is a second delivery.
"""

from __future__ import annotations

from sqlalchemy import bindparam, insert, select, update

from pos_app.adapters import tables as t
from pos_app.adapters.types import utcnow
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.money import Currency
from pos_app.services.imports import csvfile as f
from pos_app.services.imports.plan import Plan, chunks, rows_where_in

HEADER = f.Header(required=("code", "name", "quantity"), optional=("unit",))
ADDS_UP = True


def plan(uow: UnitOfWork, rows: list[f.Row], findings: f.Findings, currency: Currency) -> Plan:
    """Items to add, deliveries to receive, and name or unit corrections."""
    wanted: dict[str, dict] = {}
    for row in rows:
        before = len(findings)
        item = {"line": row.line, "code": f.code(row, "code", findings),
                "name": f.text(row, "name", findings, max_length=200),
                "quantity": f.whole_number(row, "quantity", findings, minimum=0),
                "unit": f.text(row, "unit", findings, max_length=32, required=False)}
        if len(findings) > before:
            continue
        if item["code"] in wanted:
            findings.add(row.line, f"stock item {item['code']} is also on line "
                                   f"{wanted[item['code']]['line']}")
            continue
        wanted[item["code"]] = item
    s = t.stock_items
    known = {row.code: row for row in rows_where_in(
        uow, select(s.c.id, s.c.code, s.c.name, s.c.unit), s.c.code, wanted)}
    result = Plan()
    new, changed = [], []
    for code, item in wanted.items():
        old = known.get(code)
        if old is None:
            new.append(item)
            continue
        unit = item["unit"] or old.unit
        if item["quantity"] == 0 and (item["name"], unit) == (old.name, old.unit):
            result.skipped += 1
            continue
        changed.append({"_id": old.id, "v_name": item["name"], "v_unit": unit,
                        "delta": item["quantity"]})
    result.added, result.updated = len(new), len(changed)
    result.extra["units_received"] = sum(item["quantity"] for item in wanted.values())
    result.steps.append(lambda uow: _write(uow, new, changed))
    return result


def _write(uow: UnitOfWork, new: list[dict], changed: list[dict]) -> None:
    now = utcnow()
    movements = []
    s = t.stock_items
    for part in chunks(new):
        ids = dict(uow.execute(insert(s).returning(s.c.code, s.c.id), [
            {"code": i["code"], "name": i["name"], "unit": i["unit"] or "unit",
             "quantity_on_hand": i["quantity"]} for i in part]).all())
        movements += [(ids[i["code"]], i["quantity"]) for i in part]
    if changed:
        # By id, the order payments lock stock in, so the two never deadlock.
        statement = update(s).where(s.c.id == bindparam("_id")).values(
            name=bindparam("v_name"), unit=bindparam("v_unit"),
            quantity_on_hand=s.c.quantity_on_hand + bindparam("delta"))
        for part in chunks(sorted(changed, key=lambda c: c["_id"])):
            uow.execute(statement, list(part))
        movements += [(c["_id"], c["delta"]) for c in changed]
    rows = [{"stock_item_id": item_id, "delta": delta, "reason": "receipt", "created_at": now}
            for item_id, delta in movements if delta]
    for part in chunks(rows):
        uow.execute(insert(t.stock_movements), list(part))
