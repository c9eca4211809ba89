"""Which action each kind of approval request executes once approved (`approvals.Executor`).

One table, so that a reader sees every kind in one place; a kind absent here can be
requested but not executed (`unknown_kind`).
"""

from __future__ import annotations

from pos_app.domain.approvals import Kind
from pos_app.services import adjustments, credit, refund_requests, shifts, withdrawal
from pos_app.services.approvals import Executor

EXECUTORS: dict[Kind, Executor] = {
    Kind.REFUND: refund_requests.execute,
    Kind.WITHDRAWAL: withdrawal.execute,
    Kind.SHIFT_VARIANCE: shifts.execute_signoff,
    Kind.ADJUSTMENT: adjustments.execute,
    Kind.CREDIT_LIMIT: credit.execute,
}
