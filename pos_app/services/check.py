"""`caretill check`: every invariant of SPEC.md, and the audit trail replayed (rule 9).

Like a ledger validator it returns every finding, not just the first. Each invariant
is one query that lists the rows breaking it, so it stays fast on large data. The
audit chains are then walked (hashes, links, signatures against the enrolled keys,
`replay_chains`), each money event's effects are replayed against the rows
(`replay_rows`), and the chains are compared with the witnesses kept outside the
database. Many events are walked in ranges by one worker process per core while this
process runs the rules (`check_ranges`).

Incremental by default, so a check stays quick however large the books grow: each
rule looks only at the rows written or changed since the last clean check (its
`{scope:column}` marks, `adapters.check_queries`), and each chain is walked and
replayed from that check's checkpoint (its last seq and hash, which must still be
there). Checkpoints are stored per chain, per table and per rule, and only after a
check with no finding. An old row changed behind the services' back is therefore not
seen by the next incremental check: `check --full` looks at everything, and an old
event cannot be changed unseen, since the signed chain, the checkpoint's hash and the
witnesses outside the database (the workstation's last head, each Z close) hold it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pos_app.adapters import check_queries
from pos_app.adapters.check_queries import CHAIN, ROWS, RULE
from pos_app.adapters.uow import UnitOfWork
from pos_app.adapters.witness import Head
from pos_app.domain.actors import Actor, Role
from pos_app.services import check_ranges, replay_chains, sessions

MAX_FINDINGS_PER_RULE = 20
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Finding:
    rule: str
    detail: str

    def to_json(self) -> dict:
        return {"rule": self.rule, "detail": self.detail}


# rule name -> (SQL listing the offending rows, how to describe one row). `{scope:column}`
# (scopes: `check_queries.SCOPES`) narrows a rule to what changed since the last clean
# check; a rule without one looks at everything each time.
RULES: dict[str, tuple[str, str]] = {
    "wallet_balance_equals_ledger": (
        """SELECT p.mrn AS a, w.balance_minor AS b, COALESCE(SUM(e.amount_minor), 0) AS c
           FROM wallets w JOIN patients p ON p.id = w.patient_id
           LEFT JOIN wallet_entries e ON e.wallet_id = w.id
           WHERE {wallets:w.id}
           GROUP BY w.id, p.mrn, w.balance_minor
           HAVING w.balance_minor <> COALESCE(SUM(e.amount_minor), 0)""",
        "wallet of {a}: balance {b} but its entries sum to {c} (minor units)",
    ),
    "ledger_running_balance": (
        """SELECT x.id AS a, x.balance_after_minor AS b, x.running AS c FROM (
             SELECT id, balance_after_minor,
                    SUM(amount_minor) OVER (PARTITION BY wallet_id ORDER BY id) AS running
             FROM wallet_entries WHERE {wallets:wallet_id}) x
           WHERE x.running <> x.balance_after_minor""",
        "wallet entry {a}: balance after {b} but the running sum is {c}",
    ),
    "nothing_negative": (
        """SELECT 'wallet' AS a, id AS b, balance_minor AS c FROM wallets
             WHERE balance_minor < 0 AND {wallets:id}
           UNION ALL SELECT 'stock item', id, quantity_on_hand FROM stock_items
             WHERE quantity_on_hand < 0 AND {stock_items:id}
           UNION ALL SELECT 'wallet entry', id, balance_after_minor FROM wallet_entries
             WHERE balance_after_minor < 0 AND {wallet_entries:id}""",
        "{a} {b} is negative ({c})",
    ),
    "receipts_gapless": (
        """SELECT w.id AS a, w.receipt_seq AS b, COUNT(r.receipt_no) AS c,
                  COALESCE(MAX(r.seq), 0) AS d
           FROM workstations w LEFT JOIN receipts r ON r.workstation = w.id
           GROUP BY w.id, w.receipt_seq
           HAVING COUNT(r.receipt_no) <> w.receipt_seq
               OR COALESCE(MAX(r.seq), 0) <> w.receipt_seq""",
        "workstation {a}: counter at {b} but {c} receipts up to number {d}",
    ),
    "receipts_have_documents": (
        """SELECT r.receipt_no AS a, r.kind AS b FROM receipts r
           WHERE {receipts:r.receipt_no} AND ((r.kind = 'payment' AND NOT EXISTS
                    (SELECT 1 FROM payments p WHERE p.receipt_no = r.receipt_no))
              OR (r.kind = 'deposit' AND NOT EXISTS
                    (SELECT 1 FROM deposits d WHERE d.receipt_no = r.receipt_no))
              OR (r.kind = 'refund' AND NOT EXISTS
                    (SELECT 1 FROM reversals v WHERE v.receipt_no = r.receipt_no))
              OR (r.kind = 'withdrawal' AND NOT EXISTS
                    (SELECT 1 FROM withdrawals w WHERE w.receipt_no = r.receipt_no))
              OR (r.kind = 'settlement' AND NOT EXISTS
                    (SELECT 1 FROM settlements s WHERE s.receipt_no = r.receipt_no)))""",
        "receipt {a} ({b}) has no {b} behind it",
    ),
    "audit_chain_complete": (
        """SELECT w.id AS a, w.audit_seq AS b, COUNT(e.id) AS c FROM workstations w
           LEFT JOIN audit_events e ON e.workstation = w.id
           GROUP BY w.id, w.audit_seq, w.audit_head
           HAVING COUNT(e.id) <> w.audit_seq OR COALESCE(MAX(e.seq), 0) <> w.audit_seq
              OR w.audit_head <> COALESCE((SELECT h.hash FROM audit_events h
                   WHERE h.workstation = w.id AND h.seq = w.audit_seq), '')""",
        "workstation {a}: chain head at event {b} but {c} events, or the head hash differs",
    ),
    "receipts_match_audit": (
        """SELECT r.receipt_no AS a FROM receipts r
           WHERE {receipts:r.receipt_no} AND NOT EXISTS (SELECT 1 FROM audit_events e
                             WHERE e.receipt_no = r.receipt_no AND e.hash = r.audit_hash)""",
        "receipt {a} does not match its audit event",
    ),
    "stock_equals_movements": (
        """SELECT s.code AS a, s.quantity_on_hand AS b, COALESCE(SUM(m.delta), 0) AS c
           FROM stock_items s LEFT JOIN stock_movements m ON m.stock_item_id = s.id
           WHERE {stock_items:s.id}
           GROUP BY s.id, s.code, s.quantity_on_hand
           HAVING s.quantity_on_hand <> COALESCE(SUM(m.delta), 0)""",
        "stock {a}: {b} on hand but its movements sum to {c}",
    ),
    "stock_matches_paid_items": (
        """SELECT s.code AS a, COALESCE(sold.q, 0) AS b, COALESCE(paid.q, 0) AS c
           FROM stock_items s
           LEFT JOIN (SELECT stock_item_id, -SUM(delta) AS q FROM stock_movements
                      WHERE reason IN ('sale', 'return') AND {stock_items:stock_item_id}
                      GROUP BY stock_item_id) sold
             ON sold.stock_item_id = s.id
           LEFT JOIN (SELECT sv.stock_item_id, SUM(bi.quantity) AS q FROM bill_items bi
                      JOIN services sv ON sv.id = bi.service_id
                      WHERE bi.status = 'paid' AND sv.kind = 'pharmacy'
                        AND {stock_items:sv.stock_item_id}
                      GROUP BY sv.stock_item_id) paid
             ON paid.stock_item_id = s.id
           WHERE {stock_items:s.id} AND COALESCE(sold.q, 0) <> COALESCE(paid.q, 0)""",
        "stock {a}: {b} units sold net of returns but {c} paid for",
    ),
    "lab_results_match_paid_items": (
        """SELECT bi.id AS a, bi.status AS b, COUNT(lr.id) AS c FROM bill_items bi
           JOIN services sv ON sv.id = bi.service_id
           LEFT JOIN lab_results lr ON lr.bill_item_id = bi.id AND lr.status <> 'cancelled'
           WHERE sv.kind = 'lab_test' AND {bill_items:bi.id}
           GROUP BY bi.id, bi.status
           HAVING (bi.status = 'paid' AND COUNT(lr.id) <> 1)
               OR (bi.status <> 'paid' AND COUNT(lr.id) <> 0)""",
        "lab item {a} is {b} but has {c} active lab results",
    ),
    "paid_items_paid_once": (
        # An item is paid iff exactly one completed payment holds it and no reversal of
        # that payment gave it back (a partly refunded payment stays completed).
        """SELECT bi.id AS a, bi.status AS b, COALESCE(c.n, 0) AS c FROM bill_items bi
           LEFT JOIN (SELECT pi.bill_item_id, COUNT(*) AS n FROM payment_items pi
                      JOIN payments p ON p.id = pi.payment_id AND p.status = 'completed'
                      WHERE {bill_items:pi.bill_item_id} AND NOT EXISTS (SELECT 1
                        FROM reversal_items ri JOIN reversals v ON v.id = ri.reversal_id
                        WHERE v.payment_id = pi.payment_id
                          AND ri.bill_item_id = pi.bill_item_id)
                      GROUP BY pi.bill_item_id) c ON c.bill_item_id = bi.id
           WHERE {bill_items:bi.id} AND ((bi.status = 'paid' AND COALESCE(c.n, 0) <> 1)
              OR (bi.status <> 'paid' AND COALESCE(c.n, 0) <> 0))""",
        "bill item {a} is {b} but sits unrefunded in {c} completed payments",
    ),
    "item_due_adds_up": (
        # Rule 11: an item's due is its amount less its adjustments, never negative, and a
        # paid item's live payment charged exactly that due.
        """SELECT bi.id AS a, bi.amount_minor AS b, COALESCE(adj.total, 0) AS c,
                  pi.amount_minor AS d FROM bill_items bi
           LEFT JOIN (SELECT bill_item_id, SUM(amount_minor) AS total FROM adjustments
                      WHERE {bill_items:bill_item_id}
                      GROUP BY bill_item_id) adj ON adj.bill_item_id = bi.id
           LEFT JOIN (SELECT x.bill_item_id, x.payment_id, x.amount_minor
                      FROM payment_items x
                      JOIN payments p ON p.id = x.payment_id AND p.status = 'completed'
                      WHERE {bill_items:x.bill_item_id} AND NOT EXISTS (SELECT 1
                        FROM reversal_items ri
                        JOIN reversals v ON v.id = ri.reversal_id
                        WHERE v.payment_id = x.payment_id
                          AND ri.bill_item_id = x.bill_item_id)) pi ON pi.bill_item_id = bi.id
           WHERE {bill_items:bi.id} AND (bi.amount_minor - COALESCE(adj.total, 0) < 0
              OR (bi.status = 'paid'
                  AND pi.amount_minor + COALESCE((SELECT ps.amount_minor FROM payer_shares ps
                        WHERE ps.payment_id = pi.payment_id
                          AND ps.bill_item_id = bi.id), 0)
                      <> bi.amount_minor - COALESCE(adj.total, 0)))""",
        "bill item {a}: amount {b} less adjustments {c} is its due, but {d} was paid for it "
        "(a due is never negative; minor units)",
    ),
    "payment_adds_up": (
        """SELECT p.receipt_no AS a, p.amount_minor AS b,
                  (SELECT COALESCE(SUM(amount_minor), 0) FROM tenders WHERE payment_id = p.id) AS c,
                  (SELECT COALESCE(SUM(amount_minor), 0) FROM payment_items
                   WHERE payment_id = p.id) AS d
           FROM payments p
           WHERE {payments:p.id} AND (
                 p.amount_minor <> (SELECT COALESCE(SUM(amount_minor), 0) FROM tenders
                                    WHERE payment_id = p.id)
              OR p.amount_minor <> (SELECT COALESCE(SUM(amount_minor), 0) FROM payment_items
                                    WHERE payment_id = p.id))""",
        "payment {a}: amount {b}, tenders {c}, items {d}",
    ),
    "bill_status_matches_items": (
        """SELECT b.bill_no AS a, b.status AS b FROM bills b
           WHERE {bills:b.id} AND ((b.status = 'paid' AND EXISTS (SELECT 1 FROM bill_items i
                    WHERE i.bill_id = b.id AND i.status = 'unpaid'))
              OR (b.status = 'open' AND EXISTS (SELECT 1 FROM bill_items i
                    WHERE i.bill_id = b.id AND i.status = 'paid')
                  AND NOT EXISTS (SELECT 1 FROM bill_items i
                    WHERE i.bill_id = b.id AND i.status = 'unpaid')))""",
        "bill {a} is {b} but its items say otherwise",
    ),
    "deposits_in_ledger": (
        """SELECT d.receipt_no AS a FROM deposits d
           WHERE {deposits:d.id} AND NOT EXISTS (SELECT 1 FROM wallet_entries e
                             WHERE e.receipt_no = d.receipt_no AND e.kind = 'deposit'
                               AND e.amount_minor = d.amount_minor)""",
        "deposit {a} has no matching wallet entry",
    ),
    "reversals_undo_payments": (
        # Per payment: reversed iff every item was refunded, and what its reversals say
        # they refunded equals the items they gave back and the money they paid out.
        """SELECT p.receipt_no AS a, p.status AS b, p.amount_minor AS c,
                  COALESCE(v.amount, 0) AS d, COALESCE(o.amount, 0) AS e
           FROM payments p
           JOIN (SELECT payment_id, COUNT(*) AS n FROM payment_items
                 WHERE {payments:payment_id} GROUP BY payment_id) pi ON pi.payment_id = p.id
           LEFT JOIN (SELECT payment_id, SUM(amount_minor) AS amount FROM reversals
                      WHERE {payments:payment_id} GROUP BY payment_id) v
             ON v.payment_id = p.id
           LEFT JOIN (SELECT r.payment_id, SUM(ri.amount_minor) AS amount,
                             COUNT(DISTINCT ri.bill_item_id) AS n
                      FROM reversal_items ri JOIN reversals r ON r.id = ri.reversal_id
                      WHERE {payments:r.payment_id}
                      GROUP BY r.payment_id) i ON i.payment_id = p.id
           LEFT JOIN (SELECT r.payment_id, SUM(x.amount_minor) AS amount
                      FROM refund_payouts x JOIN reversals r ON r.id = x.reversal_id
                      WHERE {payments:r.payment_id}
                      GROUP BY r.payment_id) o ON o.payment_id = p.id
           WHERE {payments:p.id} AND ((p.status = 'reversed') <> (COALESCE(i.n, 0) = pi.n)
              OR COALESCE(v.amount, 0) <> COALESCE(i.amount, 0)
              OR COALESCE(v.amount, 0) <> COALESCE(o.amount, 0)
              OR COALESCE(v.amount, 0) > p.amount_minor)""",
        "payment {a} is {b} for {c} but its reversals are {d} with payouts of {e}",
    ),
    "reversal_amounts_add_up": (
        """SELECT v.receipt_no AS a, v.amount_minor AS b,
                  (SELECT COALESCE(SUM(ri.amount_minor), 0) FROM reversal_items ri
                   WHERE ri.reversal_id = v.id) AS c,
                  (SELECT COALESCE(SUM(o.amount_minor), 0) FROM refund_payouts o
                   WHERE o.reversal_id = v.id) AS d
           FROM reversals v
           WHERE {reversals:v.id} AND (
                 v.amount_minor <> (SELECT COALESCE(SUM(ri.amount_minor), 0)
                                    FROM reversal_items ri WHERE ri.reversal_id = v.id)
              OR v.amount_minor <> (SELECT COALESCE(SUM(o.amount_minor), 0)
                                    FROM refund_payouts o WHERE o.reversal_id = v.id))""",
        "refund {a} is {b} but its items come to {c} and its payouts to {d}",
    ),
    "reversal_items_from_payment": (
        # Each refunded item was paid by the reversed payment, for that amount, and is
        # given back by at most one reversal of it.
        """SELECT v.receipt_no AS a, ri.bill_item_id AS b FROM reversal_items ri
           JOIN reversals v ON v.id = ri.reversal_id
           LEFT JOIN payment_items pi
             ON pi.payment_id = v.payment_id AND pi.bill_item_id = ri.bill_item_id
           WHERE {reversals:v.id} AND (
                 pi.amount_minor IS NULL OR pi.amount_minor <> ri.amount_minor
              OR EXISTS (SELECT 1 FROM reversal_items r2
                         JOIN reversals v2 ON v2.id = r2.reversal_id
                         WHERE v2.payment_id = v.payment_id
                           AND r2.bill_item_id = ri.bill_item_id AND v2.id <> v.id))""",
        "refund {a} gives back item {b}, which its payment did not pay or another refund did",
    ),
    "refunds_within_tenders": (
        """SELECT p.receipt_no AS a, o.method AS b, o.amount AS c,
                  COALESCE((SELECT SUM(x.amount_minor) FROM tenders x
                            WHERE x.payment_id = p.id AND x.method = o.method), 0) AS d
           FROM (SELECT r.payment_id, x.method, SUM(x.amount_minor) AS amount
                 FROM refund_payouts x JOIN reversals r ON r.id = x.reversal_id
                 WHERE {payments:r.payment_id}
                 GROUP BY r.payment_id, x.method) o
           JOIN payments p ON p.id = o.payment_id
           WHERE o.amount > COALESCE((SELECT SUM(x.amount_minor) FROM tenders x
                                      WHERE x.payment_id = p.id AND x.method = o.method), 0)""",
        "payment {a}: {c} refunded by {b} but only {d} was paid that way",
    ),
    "refunds_in_ledger": (
        """SELECT v.receipt_no AS a, COALESCE(SUM(o.amount_minor), 0) AS b,
                  (SELECT COALESCE(SUM(e.amount_minor), 0) FROM wallet_entries e
                   WHERE e.receipt_no = v.receipt_no AND e.kind = 'refund') AS c
           FROM reversals v LEFT JOIN refund_payouts o
             ON o.reversal_id = v.id AND o.method = 'wallet'
           WHERE {reversals:v.id}
           GROUP BY v.id, v.receipt_no
           HAVING COALESCE(SUM(o.amount_minor), 0) <>
                  (SELECT COALESCE(SUM(e.amount_minor), 0) FROM wallet_entries e
                   WHERE e.receipt_no = v.receipt_no AND e.kind = 'refund')""",
        "refund {a}: {b} credited to the wallet by the refund but {c} in its ledger",
    ),
    "withdrawals_in_ledger": (
        """SELECT w.receipt_no AS a FROM withdrawals w
           WHERE {withdrawals:w.id} AND NOT EXISTS (SELECT 1 FROM wallet_entries e
                             WHERE e.receipt_no = w.receipt_no AND e.kind = 'withdrawal'
                               AND e.amount_minor = -w.amount_minor)""",
        "withdrawal {a} has no matching wallet entry",
    ),
    "receivable_balance_equals_entries": (
        """SELECT a.id AS a, a.balance_minor AS b, COALESCE(SUM(e.amount_minor), 0) AS c
           FROM receivable_accounts a LEFT JOIN receivable_entries e ON e.account_id = a.id
           GROUP BY a.id, a.balance_minor
           HAVING a.balance_minor <> COALESCE(SUM(e.amount_minor), 0)
               OR MAX(e.balance_after_minor) IS NOT NULL AND a.balance_minor <>
                  (SELECT x.balance_after_minor FROM receivable_entries x
                   WHERE x.account_id = a.id ORDER BY x.id DESC LIMIT 1)""",
        "receivable account {a}: balance {b} but its entries sum to {c} (or its last "
        "entry's balance after differs)",
    ),
    "payer_shares_in_ledger": (
        # Per payment: its payer shares add up to the payer_share entry of its receipt on
        # that payer's account.
        """SELECT p.receipt_no AS a, s.total AS b,
                  COALESCE((SELECT SUM(e.amount_minor) FROM receivable_entries e
                            JOIN receivable_accounts r ON r.id = e.account_id
                            WHERE e.receipt_no = p.receipt_no AND e.kind = 'payer_share'
                              AND r.payer_id = s.payer_id), 0) AS c
           FROM (SELECT payment_id, payer_id, SUM(amount_minor) AS total FROM payer_shares
                 WHERE {payments:payment_id} GROUP BY payment_id, payer_id) s
           JOIN payments p ON p.id = s.payment_id
           WHERE s.total <> COALESCE((SELECT SUM(e.amount_minor) FROM receivable_entries e
                            JOIN receivable_accounts r ON r.id = e.account_id
                            WHERE e.receipt_no = p.receipt_no AND e.kind = 'payer_share'
                              AND r.payer_id = s.payer_id), 0)""",
        "payment {a}: payer shares of {b} but {c} on the payer's account",
    ),
    "settlements_allocated_within": (
        """SELECT e.id AS a, e.kind AS b, x.total AS c FROM receivable_entries e
           JOIN (SELECT settlement_entry_id AS id, SUM(amount_minor) AS total
                   FROM settlement_allocations GROUP BY settlement_entry_id
                 UNION ALL SELECT charge_entry_id, SUM(amount_minor)
                   FROM settlement_allocations GROUP BY charge_entry_id) x ON x.id = e.id
           WHERE (e.kind = 'settlement' AND x.total > -e.amount_minor)
              OR (e.kind IN ('payer_share', 'credit') AND x.total > e.amount_minor)
              OR e.kind NOT IN ('settlement', 'payer_share', 'credit')
              OR EXISTS (SELECT 1 FROM settlement_allocations s
                         JOIN receivable_entries c ON c.id = s.charge_entry_id
                         JOIN receivable_entries p ON p.id = s.settlement_entry_id
                         WHERE (s.settlement_entry_id = e.id OR s.charge_entry_id = e.id)
                           AND (c.account_id <> p.account_id OR p.kind <> 'settlement'
                                OR c.kind NOT IN ('payer_share', 'credit')))""",
        "receivable entry {a} ({b}): settlements allocate {c} to it, more than it holds or "
        "across accounts",
    ),
    "closed_shifts_unchanged": (
        """SELECT s.id AS a, s.expected_cash_minor AS b, COALESCE(c.expected_minor, -1) AS c
           FROM shifts s LEFT JOIN shift_tenders c ON c.shift_id = s.id AND c.method = 'cash'
           WHERE {shifts:s.id} AND s.status = 'closed' AND (
                 c.expected_minor IS NULL OR c.expected_minor <> s.expected_cash_minor
              OR s.variance_minor <> s.counted_cash_minor - s.expected_cash_minor
              OR EXISTS (SELECT 1 FROM payments p WHERE p.shift_id = s.id
                         AND p.created_at > s.closed_at)
              OR EXISTS (SELECT 1 FROM deposits d WHERE d.shift_id = s.id
                         AND d.created_at > s.closed_at)
              OR EXISTS (SELECT 1 FROM reversals v WHERE v.shift_id = s.id
                         AND v.created_at > s.closed_at)
              OR EXISTS (SELECT 1 FROM withdrawals w WHERE w.shift_id = s.id
                         AND w.created_at > s.closed_at)
              OR EXISTS (SELECT 1 FROM settlements m WHERE m.shift_id = s.id
                         AND m.created_at > s.closed_at))""",
        "closed shift {a}: expected cash {b} (per tender {c}) or money added after its close",
    ),
    "closed_days_unchanged": (
        """SELECT z.business_date AS a, z.receipt_count AS b,
                  (SELECT COUNT(*) FROM receipts r WHERE r.created_at >= z.window_start
                   AND r.created_at < z.window_end) AS c
           FROM day_closes z
           WHERE {day_closes:z.business_date} AND (
                 z.receipt_count <> (SELECT COUNT(*) FROM receipts r
                   WHERE r.created_at >= z.window_start AND r.created_at < z.window_end)
              OR z.payments_minor <> (SELECT COALESCE(SUM(p.amount_minor), 0) FROM payments p
                   WHERE p.created_at >= z.window_start AND p.created_at < z.window_end)
              OR z.deposits_minor <> (SELECT COALESCE(SUM(d.amount_minor), 0) FROM deposits d
                   WHERE d.created_at >= z.window_start AND d.created_at < z.window_end)
              OR z.refunds_minor <> (SELECT COALESCE(SUM(v.amount_minor), 0) FROM reversals v
                   WHERE v.created_at >= z.window_start AND v.created_at < z.window_end)
              OR z.withdrawals_minor <> (SELECT COALESCE(SUM(w.amount_minor), 0)
                   FROM withdrawals w
                   WHERE w.created_at >= z.window_start AND w.created_at < z.window_end))""",
        "closed day {a}: {b} receipts at the Z report but {c} now, or its totals changed",
    ),
}


def run_check(
    uow: UnitOfWork,
    *,
    actor: Actor,
    full: bool = False,
    progress: Progress | None = None,
    workers: int | None = None,
) -> list[Finding]:
    """Every finding, rule by rule; an empty list means the books are consistent.

    Incremental by default: each rule looks only at what was written or changed since the
    last clean check (a rule that never ran clean looks at everything), and each chain is
    walked and replayed from that check's checkpoint. `full` looks at everything.
    `progress(done, total)` hears how many events were verified so far. `workers`: how
    many processes walk the chains (default: one per core when there are many events).
    """
    findings: list[Finding] = []
    with uow:
        actor = sessions.authorize(uow, actor, Role.SUPERVISOR, "run the consistency check")
        stored = check_queries.checkpoints(uow)
        now = check_queries.marks(uow)  # read first: what is written meanwhile is new next time
        since = {
            name[len(ROWS) :]: seq for name, (seq, _) in stored.items() if name.startswith(ROWS)
        }

        def rules() -> None:
            for rule, (sql, describe) in RULES.items():
                scoped = not full and RULE + rule in stored
                rows = check_queries.rule_rows(
                    uow, sql, since=since if scoped else None, limit=MAX_FINDINGS_PER_RULE
                )
                findings.extend(Finding(rule, describe.format(**row)) for row in rows)

        heads = _audit(
            uow,
            findings,
            start={} if full else stored,
            progress=progress,
            meanwhile=rules,
            workers=workers,
        )
        if not findings:  # only a clean check moves the checkpoints on
            check_queries.store_checkpoints(
                uow,
                {
                    **{ROWS + name: (mark, "") for name, mark in now.items()},
                    **{RULE + rule: (now["audit_events"], "") for rule in RULES},
                    **{CHAIN + head.workstation: (head.seq, head.hash) for head in heads},
                },
                uow.clock(),
            )
        uow.commit()
    return findings


def _audit(
    uow: UnitOfWork,
    findings: list[Finding],
    *,
    start: dict[str, tuple[int, str]],
    progress: Progress | None,
    meanwhile: Callable[[], None],
    workers: int | None,
) -> list[Head]:
    """The chains walked and their events replayed from `start` (the stored checkpoints,
    or none: from the first event), in ranges (`check_ranges`) while `meanwhile` runs,
    then compared with the witnesses kept outside the database. Adds to `findings` after
    what `meanwhile` added; returns where each chain ended."""
    keys, found = replay_chains.enrolled_keys(uow)
    chains = [(ws.id, ws.unsigned_through, ws.audit_seq) for ws in check_queries.chains(uow)]
    starts = {ws: Head(ws, *start.get(CHAIN + ws, (0, ""))) for ws, _, _ in chains}
    total = sum(max(count - starts[ws].seq, 0) for ws, _, count in chains)
    done = 0

    def step(count: int) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress(done, total)

    walked = check_ranges.walk_all(
        uow, keys, chains, starts, events=total, progress=step, meanwhile=meanwhile, workers=workers
    )
    heads: dict[str, Head] = {}
    per_chain: dict[str, list[tuple[str, str]]] = {}
    for part in walked:  # ranges in chain order, so each chain's head is its last range's
        per_chain.setdefault(part.workstation, []).extend(part.chain)
        if part.head is not None:
            heads[part.workstation] = part.head
    for chain_findings in per_chain.values():
        found.extend(chain_findings[:MAX_FINDINGS_PER_RULE])
    found.extend([f for part in walked for f in part.replayed][:MAX_FINDINGS_PER_RULE])
    found.extend(replay_chains.witnessed_heads(uow, _local_heads(uow)))
    findings.extend(Finding(rule, detail) for rule, detail in found)
    return list(heads.values())


def _local_heads(uow: UnitOfWork) -> dict[str, Head]:
    trust = uow.trust
    database_id = trust.database_id(uow) if trust else None
    return trust.heads.heads(database_id) if trust and database_id else {}
