"""Audit events in words: one readable line per event instead of its JSON details.

"Payment WS01-000012 KES 1,200.00 cash for MRN000042 by cashier" reads at a glance;
the stored details stay untouched (they are what the hash chain signs).
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

from pos_app.domain.cash_count import variance_words
from pos_app.domain.money import Currency

ACTIONS = {
    "payment": "Payment",
    "deposit": "Wallet top-up",
    "payment.reverse": "Refund",
    "wallet.withdraw": "Wallet cash out",
    "refund.request": "Refund requested",
    "refund.reject": "Refund request rejected",
    "shift.open": "Shift opened",
    "shift.close": "Shift closed",
    "shift.tolerance": "Shift variance tolerance set to",
    "day.close": "Day closed (Z report)",
    "receipt.reprint": "Receipt reprinted",
    "user.sign_in": "Signed in",
    "user.sign_out": "Signed out",
    "user.sign_in_failed": "Failed sign-in",
    "user.locked_out": "Locked out",
    "user.add": "User added",
    "user.password_changed": "Password changed",
    "facility.set": "Facility settings changed",
    "db.backup": "Database backed up",
    "bill.new": "Bill raised",
    "workstation.enrolled": "New workstation",
    "workstation.revoked": "Workstation key revoked",
    "approval.limit": "Approval limit set",
}
# Approval events read as "<kind> requested|approved|rejected <subject> (request N)".
APPROVAL_KINDS = {
    "refund": "Refund",
    "withdrawal": "Cash out",
    "adjustment": "Adjustment",
    "shift_variance": "Shift variance sign-off",
    "credit_limit": "Credit limit",
}
METHODS = {
    "cash": "cash",
    "card": "card",
    "mobile_money": "mobile money",
    "wallet": "wallet",
    "insurance": "insurance",
    "credit": "credit",
}


def describe(
    action: str, details: str, *, receipt_no: str | None, user: str | None, currency: Currency
) -> str:
    """One line: what happened, to which receipt, how much, how, for whom and by whom."""
    try:
        data = json.loads(details) if details else {}
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    words = [_title(action, data)]
    how = "" if action.startswith("shift.") else _how(data)  # a shift lists every tender
    words += [
        part
        for part in (receipt_no or "", _amount(data, currency), how, _extra(action, data, currency))
        if part
    ]
    if data.get("mrn"):
        words.append(f"for {data['mrn']}")
    who = user or data.get("username") or data.get("cashier")
    if who:
        words.append(f"by {who}")
    if data.get("reason") and action not in ("user.sign_out",):
        words.append(f"\u2014 \u201c{str(data['reason'])[:80]}\u201d")
    return " ".join(words)


def _title(action: str, data: dict) -> str:
    if action.startswith("approval.") and data.get("kind") in APPROVAL_KINDS:
        return (
            f"{APPROVAL_KINDS[data['kind']]} {action.partition('.')[2]} {data.get('subject', '')}"
        ).strip()
    return ACTIONS.get(action, action.replace(".", " ").replace("_", " ").capitalize())


def _money(currency: Currency, value: object) -> str:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return currency.display(currency.to_minor(amount.quantize(currency.quantum)))


def _amount(data: dict, currency: Currency) -> str:
    for key in ("amount", "tolerance", "float"):
        if data.get(key) not in (None, ""):
            prefix = "float " if key == "float" else ""
            return prefix + _money(currency, data[key])
    return ""


def _how(data: dict) -> str:
    """The tender methods of a payment or payout, or the method of a top-up."""
    parts = data.get("tenders") or data.get("payouts") or []
    methods = (
        [p.get("method") for p in parts if isinstance(p, dict)] if isinstance(parts, list) else []
    )
    if not methods and data.get("method"):
        methods = [data["method"]]
    return " + ".join(METHODS.get(str(m), str(m)) for m in methods if m)


def _extra(action: str, data: dict, currency: Currency) -> str:
    if action == "shift.close" and "variance" in data:
        variance = data.get("variance")
        words = variance_words(currency, None if variance is None else Decimal(str(variance)))
        return words[0].lower() + words[1:]  # "Shift closed cash short by KES 50.00"
    if action == "day.close" and data.get("date"):
        return str(data["date"])
    if action == "receipt.reprint" and data.get("copy"):
        return f"(copy {data['copy']})"
    if action == "user.add" and data.get("role"):
        return f"{data.get('username', '')} as {data['role']}"
    if action == "bill.new" and data.get("bill_no"):  # "Bill raised TWS01-000007 KES 1,500.00"
        return f"{data['bill_no']} {_money(currency, data.get('total'))}"
    if action.startswith(("refund.", "approval.")) and data.get("request_id"):
        return f"(request {data['request_id']})"
    if action == "approval.limit":
        return (
            f"for {data.get('role')} {str(data.get('kind', '')).replace('_', ' ')}: "
            f"{_money(currency, data.get('after'))}"
        )
    return ""
