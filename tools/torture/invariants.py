"""Money invariants checked straight in the database after the run, independently of `check`.

Each rule is one query listing the rows that break it (like `caretill check`, but
written from the money's point of view: flows in and out, not ledger replays).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

_WALLET_FLOWS = """
  LEFT JOIN (SELECT patient_id, SUM(amount_minor) s FROM deposits GROUP BY patient_id) d
    ON d.patient_id = p.id
  LEFT JOIN (SELECT patient_id, SUM(amount_minor) s FROM withdrawals GROUP BY patient_id) x
    ON x.patient_id = p.id
  LEFT JOIN (SELECT py.patient_id, SUM(tn.amount_minor) s FROM tenders tn
             JOIN payments py ON py.id = tn.payment_id WHERE tn.method = 'wallet'
             GROUP BY py.patient_id) pt ON pt.patient_id = p.id
  LEFT JOIN (SELECT py.patient_id, SUM(rp.amount_minor) s FROM refund_payouts rp
             JOIN reversals rv ON rv.id = rp.reversal_id JOIN payments py ON py.id = rv.payment_id
             WHERE rp.method = 'wallet' GROUP BY py.patient_id) rf ON rf.patient_id = p.id"""
_FLOW = "COALESCE(d.s, 0) - COALESCE(x.s, 0) - COALESCE(pt.s, 0) + COALESCE(rf.s, 0)"
_NET_PAID = "COALESCE(pi.n, 0) - COALESCE(ri.n, 0)"

# rule -> (SQL listing offending rows as a, b, c, how to describe one)
RULES: dict[str, tuple[str, str]] = {
    "wallet_money_conserved": (
        f"""SELECT p.mrn a, w.balance_minor b, {_FLOW} c FROM wallets w
            JOIN patients p ON p.id = w.patient_id {_WALLET_FLOWS}
            WHERE w.balance_minor <> {_FLOW}""",
        "wallet of {a}: balance {b}, but deposits - withdrawals - wallet payments "
        "+ wallet refunds = {c}",
    ),
    "payment_tenders_and_items_add_up": (
        """SELECT py.receipt_no a, py.amount_minor b,
                  COALESCE(tn.s, 0) || ' / ' || COALESCE(pi.s, 0) c FROM payments py
           LEFT JOIN (SELECT payment_id, SUM(amount_minor) s FROM tenders GROUP BY payment_id)
             tn ON tn.payment_id = py.id
           LEFT JOIN (SELECT payment_id, SUM(amount_minor) s FROM payment_items
                      GROUP BY payment_id) pi ON pi.payment_id = py.id
           WHERE py.amount_minor <> COALESCE(tn.s, 0) OR py.amount_minor <> COALESCE(pi.s, 0)""",
        "payment {a} of {b}: tenders / items add up to {c}",
    ),
    "refund_payouts_and_items_add_up": (
        """SELECT rv.receipt_no a, rv.amount_minor b,
                  COALESCE(rp.s, 0) || ' / ' || COALESCE(ri.s, 0) c FROM reversals rv
           LEFT JOIN (SELECT reversal_id, SUM(amount_minor) s FROM refund_payouts
                      GROUP BY reversal_id) rp ON rp.reversal_id = rv.id
           LEFT JOIN (SELECT reversal_id, SUM(amount_minor) s FROM reversal_items
                      GROUP BY reversal_id) ri ON ri.reversal_id = rv.id
           WHERE rv.amount_minor <> COALESCE(rp.s, 0) OR rv.amount_minor <> COALESCE(ri.s, 0)""",
        "refund {a} of {b}: payouts / items add up to {c}",
    ),
    "refunds_within_what_each_method_paid": (
        """SELECT py.receipt_no a, rp.method b, rp.s || ' > ' || COALESCE(tn.s, 0) c FROM
             (SELECT rv.payment_id, rp.method, SUM(rp.amount_minor) s FROM refund_payouts rp
              JOIN reversals rv ON rv.id = rp.reversal_id GROUP BY rv.payment_id, rp.method) rp
           JOIN payments py ON py.id = rp.payment_id
           LEFT JOIN (SELECT payment_id, method, SUM(amount_minor) s FROM tenders
                      GROUP BY payment_id, method) tn
             ON tn.payment_id = rp.payment_id AND tn.method = rp.method
           WHERE rp.s > COALESCE(tn.s, 0)""",
        "payment {a}: refunds on {b} exceed what it paid ({c})",
    ),
    "nothing_negative": (
        """SELECT 'wallet' a, id b, balance_minor c FROM wallets WHERE balance_minor < 0
           UNION ALL SELECT 'stock item', id, quantity_on_hand FROM stock_items
             WHERE quantity_on_hand < 0""",
        "{a} {b} is negative ({c})",
    ),
    "item_status_follows_payments": (
        f"""SELECT bi.id a, bi.status b, {_NET_PAID} c FROM bill_items bi
            LEFT JOIN (SELECT bill_item_id, COUNT(*) n FROM payment_items GROUP BY bill_item_id)
              pi ON pi.bill_item_id = bi.id
            LEFT JOIN (SELECT bill_item_id, COUNT(*) n FROM reversal_items
                       GROUP BY bill_item_id) ri ON ri.bill_item_id = bi.id
            WHERE NOT ((bi.status = 'paid' AND {_NET_PAID} = 1)
                       OR (bi.status = 'unpaid' AND {_NET_PAID} = 0))""",
        "bill item {a} is {b} but payments - refunds of it = {c}",
    ),
    "lab_results_follow_paid_items": (
        """SELECT bi.id a, bi.status b, COUNT(lr.id) c FROM bill_items bi
           JOIN services sv ON sv.id = bi.service_id AND sv.kind = 'lab_test'
           LEFT JOIN lab_results lr ON lr.bill_item_id = bi.id AND lr.status <> 'cancelled'
           GROUP BY bi.id, bi.status
           HAVING COUNT(lr.id) <> CASE WHEN bi.status = 'paid' THEN 1 ELSE 0 END""",
        "lab item {a} is {b} with {c} live lab results",
    ),
    "receipts_gapless_per_workstation": (
        """SELECT w.id a, w.receipt_seq b,
                  COUNT(DISTINCT r.seq) || ' receipts, ' || COALESCE(MIN(r.seq), 0) || '..'
                  || COALESCE(MAX(r.seq), 0) c
           FROM workstations w LEFT JOIN receipts r ON r.workstation = w.id
           GROUP BY w.id, w.receipt_seq
           HAVING COUNT(r.receipt_no) <> w.receipt_seq OR COUNT(DISTINCT r.seq) <> w.receipt_seq
              OR COALESCE(MAX(r.seq), 0) <> w.receipt_seq OR COALESCE(MIN(r.seq), 1) <> 1""",
        "workstation {a}: counter at {b}, but {c}",
    ),
    "one_open_shift_per_till": (
        """SELECT cashier_id a, workstation b, COUNT(*) c FROM shifts WHERE status = 'open'
           GROUP BY cashier_id, workstation HAVING COUNT(*) > 1""",
        "cashier {a} has {c} open shifts at {b}",
    ),
    "closed_shift_cash_follows_its_money": (
        """SELECT s.id a, s.expected_cash_minor b, s.opening_float_minor + COALESCE(pt.s, 0)
                  + COALESCE(dp.s, 0) - COALESCE(rf.s, 0) - COALESCE(wd.s, 0) c FROM shifts s
           LEFT JOIN (SELECT py.shift_id, SUM(tn.amount_minor) s FROM tenders tn
                      JOIN payments py ON py.id = tn.payment_id WHERE tn.method = 'cash'
                      GROUP BY py.shift_id) pt ON pt.shift_id = s.id
           LEFT JOIN (SELECT shift_id, SUM(amount_minor) s FROM deposits WHERE method = 'cash'
                      GROUP BY shift_id) dp ON dp.shift_id = s.id
           LEFT JOIN (SELECT rv.shift_id, SUM(rp.amount_minor) s FROM refund_payouts rp
                      JOIN reversals rv ON rv.id = rp.reversal_id WHERE rp.method = 'cash'
                      GROUP BY rv.shift_id) rf ON rf.shift_id = s.id
           LEFT JOIN (SELECT shift_id, SUM(amount_minor) s FROM withdrawals GROUP BY shift_id)
             wd ON wd.shift_id = s.id
           WHERE s.status = 'closed' AND s.expected_cash_minor <> s.opening_float_minor
             + COALESCE(pt.s, 0) + COALESCE(dp.s, 0) - COALESCE(rf.s, 0) - COALESCE(wd.s, 0)""",
        "closed shift {a} expected {b} cash, its money now says {c}",
    ),
    "cash_only_inside_a_shift": (
        """SELECT 'payment' a, py.receipt_no b, tn.amount_minor c FROM payments py
             JOIN tenders tn ON tn.payment_id = py.id
             WHERE tn.method = 'cash' AND py.shift_id IS NULL
           UNION ALL SELECT 'deposit', receipt_no, amount_minor FROM deposits
             WHERE method = 'cash' AND shift_id IS NULL
           UNION ALL SELECT 'withdrawal', receipt_no, amount_minor FROM withdrawals
             WHERE shift_id IS NULL""",
        "{a} {b} moved {c} cash outside any shift",
    ),
}

_STOCK = """
SELECT si.code, si.quantity_on_hand,
  COALESCE((SELECT SUM(bi.quantity) FROM payment_items x JOIN bill_items bi
            ON bi.id = x.bill_item_id JOIN services sv ON sv.id = bi.service_id
            WHERE sv.stock_item_id = si.id AND sv.kind = 'pharmacy'), 0) AS sold,
  COALESCE((SELECT SUM(bi.quantity) FROM reversal_items x JOIN bill_items bi
            ON bi.id = x.bill_item_id JOIN services sv ON sv.id = bi.service_id
            WHERE sv.stock_item_id = si.id AND sv.kind = 'pharmacy'), 0) AS returned
FROM stock_items si ORDER BY si.code"""


def broken(conn: Connection, initial_stock: dict[str, int]) -> list[str]:
    """Every violated invariant, one line per offending row (at most 20 per rule)."""
    found = []
    for rule, (sql, describe) in RULES.items():
        rows = conn.execute(text(f"SELECT * FROM ({sql}) q LIMIT 20")).all()
        found += [f"{rule}: {describe.format(**row._mapping)}" for row in rows]
    for code, on_hand, sold, returned in conn.execute(text(_STOCK)).all():
        expected = initial_stock[code] - sold + returned
        if on_hand != expected:
            found.append(
                f"stock_follows_sales: {code} has {on_hand}, but {initial_stock[code]}"
                f" - {sold} sold + {returned} returned = {expected}"
            )
    return found


def figures(conn: Connection) -> dict[str, int | str]:
    """Counts and totals (minor units) for the summary."""
    one = {
        "deposits": "SELECT COUNT(*) || ' / ' || COALESCE(SUM(amount_minor), 0) FROM deposits",
        "payments": "SELECT COUNT(*) || ' / ' || COALESCE(SUM(amount_minor), 0) FROM payments",
        "reversals": "SELECT COUNT(*) || ' / ' || COALESCE(SUM(amount_minor), 0) FROM reversals",
        "withdrawals": "SELECT COUNT(*) || ' / ' || COALESCE(SUM(amount_minor), 0) "
        "FROM withdrawals",
        "wallet balances": "SELECT COALESCE(SUM(balance_minor), 0) FROM wallets",
        "receipts": "SELECT COUNT(*) FROM receipts",
        "audit events": "SELECT COUNT(*) FROM audit_events",
        "shifts closed": "SELECT COUNT(*) FROM shifts WHERE status = 'closed'",
        "lab results pending": "SELECT COUNT(*) FROM lab_results WHERE status = 'pending'",
    }
    out: dict[str, int | str] = {}
    for name, sql in one.items():
        value = conn.execute(text(sql)).scalar_one()
        out[name] = value if isinstance(value, str) else int(value)  # SUM gives a numeric
    for method, total in conn.execute(
        text(
            "SELECT method, COUNT(*) || ' / ' || SUM(amount_minor) FROM tenders "
            "GROUP BY method ORDER BY method"
        )
    ).all():
        out[f"tenders {method}"] = total
    return out
