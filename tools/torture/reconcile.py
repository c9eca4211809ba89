"""The database held to the workers' logs: every acknowledged command exactly once.

Pure: it takes the logged operations and the effects found in the database (rows of
deposits, payments, reversals and withdrawals) and lists every violation. An effect
belongs to the till key whose stored result names its receipt (a command approved on
the spot runs under the approval's own key, so the row's key may not be the till's),
or to the till key written on it. A key is acknowledged when some till was told `ok`
or `replayed` for it; then it has exactly one effect, of its kind, with the receipt
and amount every till was given. A key refused for good has none; a key in doubt (its
worker was killed and never told) has at most one. No key, and no receipt, has two
owners, and no effect is without one.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tools.torture.oplog import Operation

EFFECT_TABLES = {
    "deposit": "deposits",
    "pay": "payments",
    "reverse": "reversals",
    "withdraw": "withdrawals",
}


@dataclass(frozen=True)
class Effect:
    kind: str
    receipt_no: str
    amount_minor: int
    key: str = ""  # the idempotency key written on the row


def receipts_named(stored: Any) -> Iterator[str]:
    """Every `receipt_no` in a stored result, however deeply nested (an approval's result
    holds the executed command's)."""
    if isinstance(stored, dict):
        for name, value in stored.items():
            if name == "receipt_no" and isinstance(value, str):
                yield value
            else:
                yield from receipts_named(value)
    elif isinstance(stored, list):
        for value in stored:
            yield from receipts_named(value)


def attribute(
    rows: list[Effect], stored: dict[str, Any], keys: set[str]
) -> tuple[dict[str, list[Effect]], list[str]]:
    """({till key: its effects}, violations): each row goes to the key whose stored result
    names its receipt, else to the key written on it; `keys` are the keys tills sent."""
    by_receipt = {row.receipt_no: row for row in rows}
    owned: dict[str, list[Effect]] = defaultdict(list)
    owners: dict[str, list[str]] = defaultdict(list)
    for key in keys:
        for receipt in set(receipts_named(stored.get(key))):
            if receipt in by_receipt:
                owned[key].append(by_receipt[receipt])
                owners[receipt].append(key)
    violations = [
        f"receipt {receipt} is claimed by keys {', '.join(sorted(found))}"
        for receipt, found in owners.items()
        if len(found) > 1
    ]
    violations += [
        f"key {key} is written on {n} effects"
        for key, n in Counter(row.key for row in rows).items()
        if n > 1
    ]
    for row in rows:
        if row.receipt_no in owners:
            continue
        if row.key in keys:
            owned[row.key].append(row)
        else:
            violations.append(f"{row.receipt_no} was made under key {row.key}, which no till sent")
    return dict(owned), violations


@dataclass
class Reconciliation:
    violations: list[str] = field(default_factory=list)
    in_doubt: Counter[str] = field(default_factory=Counter)  # committed / not committed
    keys: int = 0


def minor(amount: str) -> int:
    return int(Decimal(amount).scaleb(2))


def intended_minor(op: Operation) -> int | None:
    """The amount the command asked to move, when the intent alone says it."""
    if op.kind in ("deposit", "withdraw"):
        return minor(op.intent["amount"])
    if op.kind == "pay":
        return sum(minor(tender[1]) for tender in op.intent["tenders"])
    return None


def reconcile(ops: list[Operation], rows: list[Effect], stored: dict[str, Any]) -> Reconciliation:
    """Hold `rows` (every effect in the books) and `stored` (the idempotency store: key ->
    result) to the operations the tills logged."""
    keys = {op.key for op in ops if op.key is not None}
    effects, violations = attribute(rows, stored, keys)
    found = Reconciliation(violations)
    by_key: dict[str, list[Operation]] = defaultdict(list)
    for op in ops:
        if op.key is not None:
            by_key[op.key].append(op)
        if op.expect and op.finished and op.last != op.expect:
            found.violations.append(
                f"{op.op}: {op.mode} {op.kind} {op.key} was answered "
                f"{op.last}; the rules say {op.expect}"
            )
    for key, rows in effects.items():
        if len(rows) > 1:
            found.violations.append(
                f"key {key} has {len(rows)} effects: " + ", ".join(r.receipt_no for r in rows)
            )
    found.keys = len(by_key)
    for key, key_ops in by_key.items():
        _one_key(found, key, key_ops, effects.get(key, []))
    return found


def _one_key(found: Reconciliation, key: str, ops: list[Operation], rows: list[Effect]) -> None:
    acknowledged = [op for op in ops if op.acknowledged]
    if not acknowledged:
        asked = [op for op in ops if op.mode != "conflict"]
        if asked and all(op.finished for op in asked):
            if rows:
                found.violations.append(
                    f"key {key} was refused ({', '.join(op.last or '' for op in asked)}) "
                    f"yet made {rows[0].receipt_no}"
                )
        elif asked:
            found.in_doubt["committed" if rows else "not committed"] += 1
        return
    if len(rows) != 1:
        found.violations.append(f"key {key} was acknowledged but has {len(rows)} effects")
        return
    effect = rows[0]
    for op in acknowledged:
        if op.kind != effect.kind:
            found.violations.append(f"key {key}: a {op.kind} acknowledged, a {effect.kind} made")
        for result in op.results:
            if result["receipt_no"] != effect.receipt_no:
                found.violations.append(
                    f"key {key}: a till was given {result['receipt_no']}, "
                    f"the books hold {effect.receipt_no}"
                )
            if minor(result["amount"]) != effect.amount_minor:
                found.violations.append(
                    f"key {key}: a till was told {result['amount']}, the "
                    f"books hold {effect.amount_minor} minor units"
                )
        wanted = intended_minor(op)
        if op.mode != "conflict" and wanted is not None and wanted != effect.amount_minor:
            found.violations.append(
                f"key {key}: asked for {wanted} minor units, {effect.amount_minor} moved"
            )
