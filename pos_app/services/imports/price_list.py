"""`import services`: the price list. New codes are added; known codes get the new name,
department, price and active flag. Existing bill items keep their own unit price.

A service's kind, stock item and lab test code stay as created: paid items, stock
movements and lab results already rely on them, so a file changing them is refused.
"""

from __future__ import annotations

from typing import Any

from pos_app.adapters import price_list_repo, stock_items_repo
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.kinds import ServiceKind, values
from pos_app.domain.money import Currency
from pos_app.services.imports import csvfile as f
from pos_app.services.imports.plan import Plan

HEADER = f.Header(
    required=("code", "name", "kind", "department", "unit_price"),
    optional=("stock_code", "lab_test_code", "active"),
)
ADDS_UP = False
_CHANGEABLE = ("name", "department", "unit_price_minor", "active")


def plan(uow: UnitOfWork, rows: list[f.Row], findings: f.Findings, currency: Currency) -> Plan:
    """Services to add and to update; skipped when a known code is listed unchanged."""
    wanted = _read_rows(rows, findings, currency)
    stock_ids = {
        code: item.id
        for code, item in stock_items_repo.by_codes(
            uow, {s["stock_code"] for s in wanted.values() if s["stock_code"]}
        ).items()
    }
    known = price_list_repo.by_codes(uow, wanted)
    result = Plan()
    new, changed, price_changes = [], [], []
    for code, service in wanted.items():
        line = service.pop("line")
        stock_code = service.pop("stock_code")
        service["stock_item_id"] = stock_ids.get(stock_code) if stock_code else None
        if stock_code and service["stock_item_id"] is None:
            findings.add(line, f"stock item {stock_code!r} does not exist (import stock first)")
            continue
        old = known.get(code)
        if old is None:
            new.append({**service, "active": service["active"] is not False})
            continue
        for name in ("kind", "stock_item_id", "lab_test_code"):
            if service[name] != getattr(old, name):
                findings.add(
                    line,
                    f"service {code} exists with another {name.replace('_id', '')}"
                    "; that cannot change, add a new code instead",
                )
                break
        else:
            if service["active"] is None:
                service["active"] = old.active
            if all(service[name] == getattr(old, name) for name in _CHANGEABLE):
                result.skipped += 1
                continue
            changed.append({"id": old.id, **{name: service[name] for name in _CHANGEABLE}})
            if old.unit_price_minor != service["unit_price_minor"]:
                price_changes.append(
                    {
                        "code": code,
                        "old": currency.text(old.unit_price_minor),
                        "new": currency.text(service["unit_price_minor"]),
                    }
                )
    result.added, result.updated = len(new), len(changed)
    result.extra["price_changes"] = price_changes
    result.steps.append(lambda uow: _write(uow, new, changed))
    return result


def _read_rows(rows: list[f.Row], findings: f.Findings, currency: Currency) -> dict[str, dict]:
    wanted: dict[str, dict] = {}
    for row in rows:
        before = len(findings)
        service: dict[str, Any] = {
            "line": row.line,
            "code": f.code(row, "code", findings),
            "name": f.text(row, "name", findings, max_length=200),
            "kind": row.get("kind").lower(),
            "department": f.text(row, "department", findings, max_length=64),
            "unit_price_minor": f.money(row, "unit_price", findings, currency),
            "stock_code": f.code(row, "stock_code", findings, required=False),
            "lab_test_code": f.code(row, "lab_test_code", findings, required=False),
            "active": f.flag(row, "active", findings),
        }
        _check_links(row, service, findings)
        if len(findings) > before:
            continue
        if service["code"] in wanted:
            findings.add(
                row.line,
                f"service {service['code']} is also on line {wanted[service['code']]['line']}",
            )
            continue
        wanted[service["code"]] = service
    return wanted


def _check_links(row: f.Row, service: dict, findings: f.Findings) -> None:
    """A pharmacy service needs a stock item and only it; a lab test needs a lab code."""
    kind = service["kind"]
    if kind not in values(ServiceKind):
        findings.add(row.line, f"kind {kind!r} is not one of {', '.join(values(ServiceKind))}")
    elif kind == ServiceKind.PHARMACY and not row.get("stock_code"):
        findings.add(row.line, "a pharmacy service needs the stock_code of its stock item")
    elif kind != ServiceKind.PHARMACY and row.get("stock_code"):
        findings.add(row.line, f"only pharmacy services have a stock_code, not {kind}")
    elif kind == ServiceKind.LAB_TEST and not row.get("lab_test_code"):
        findings.add(row.line, "a lab_test service needs its lab_test_code")
    elif kind != ServiceKind.LAB_TEST and row.get("lab_test_code"):
        findings.add(row.line, f"only lab_test services have a lab_test_code, not {kind}")


def _write(uow: UnitOfWork, new: list[dict], changed: list[dict]) -> None:
    price_list_repo.add(uow, new)
    price_list_repo.change(uow, changed)
