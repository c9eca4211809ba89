"""The schema: one SQLAlchemy Core table per thing in SPEC.md's domain.

Money columns end in `_minor` and hold integer minor units (exact on SQLite and
PostgreSQL alike). CHECK constraints make the database itself refuse a negative
wallet balance or stock level, whatever code runs against it.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from pos_app.adapters.types import UTCDateTime
from pos_app.domain.approvals import Status
from pos_app.domain.kinds import (
    DEPOSIT_METHODS,
    SETTLE_METHODS,
    BillStatus,
    ItemStatus,
    LabStatus,
    PaymentStatus,
    ReceiptKind,
    ServiceKind,
    ShiftStatus,
    TenderMethod,
    WalletEntryKind,
    values,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _one_of(column: str, allowed: list[str] | tuple[str, ...], name: str) -> CheckConstraint:
    quoted = ", ".join(f"'{value}'" for value in allowed)
    return CheckConstraint(f"{column} IN ({quoted})", name=name)


def _id() -> Column:
    return Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True)


def _fk(
    name: str, target: str, *, nullable: bool = False, index: bool = False, unique: bool = False
) -> Column:
    return Column(
        name,
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey(target),
        nullable=nullable,
        index=index,
        unique=unique,
    )


settings = Table(
    "settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

workstations = Table(
    "workstations",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("receipt_seq", BigInteger, nullable=False, server_default="0"),
    Column("audit_seq", BigInteger, nullable=False, server_default="0"),
    Column("audit_head", String(64), nullable=False, server_default=""),
    Column("created_at", UTCDateTime, nullable=False),
    # Events up to here predate signed chains (revision 0005) and carry no signature.
    Column("unsigned_through", BigInteger, nullable=False, server_default="0"),
    CheckConstraint("receipt_seq >= 0 AND audit_seq >= 0", name="counters_not_negative"),
)

users = Table(
    "users",
    metadata,
    _id(),
    Column("username", String(64), nullable=False, unique=True),
    Column("full_name", String(200), nullable=False, server_default=""),
    Column("role", String(16), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("must_change_password", Boolean, nullable=False, server_default=text("false")),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("failed_logins", Integer, nullable=False, server_default="0"),
    Column("locked_until", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    _one_of("role", ["cashier", "supervisor", "admin"], "role_known"),
)


def _searchable(length: int) -> String:
    """Text compared by byte order on PostgreSQL too, so prefix ranges use the index."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


user_sessions = Table(
    "user_sessions",
    metadata,
    _id(),
    _fk("user_id", "users.id", index=True),
    Column("workstation", String(16), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime, nullable=True),
    Column("end_reason", String(32), nullable=True),
)

patients = Table(
    "patients",
    metadata,
    _id(),
    Column("mrn", _searchable(32), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("phone", _searchable(32), nullable=True, index=True),
    Column("dob", Date, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
)

patient_search_terms = Table(
    "patient_search_terms",
    metadata,
    Column("term", _searchable(64), primary_key=True),
    Column(
        "patient_id",
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("patients.id"),
        primary_key=True,
    ),
)
# For the other words of a query: does this patient have a term with that prefix?
Index(
    "ix_patient_search_terms_patient_term",
    patient_search_terms.c.patient_id,
    patient_search_terms.c.term,
)

wallets = Table(
    "wallets",
    metadata,
    _id(),
    _fk("patient_id", "patients.id", unique=True),
    Column("balance_minor", BigInteger, nullable=False, server_default="0"),
    CheckConstraint("balance_minor >= 0", name="balance_not_negative"),
)

receipts = Table(
    "receipts",
    metadata,
    Column("receipt_no", String(32), primary_key=True),
    Column("workstation", String(16), ForeignKey("workstations.id"), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("kind", String(16), nullable=False),
    _fk("patient_id", "patients.id", nullable=True),
    _fk("cashier_id", "users.id"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("audit_hash", String(64), nullable=False),
    Column("reprints", Integer, nullable=False, server_default="0"),
    UniqueConstraint("workstation", "seq", name="uq_receipts_workstation_seq"),
    _one_of("kind", values(ReceiptKind), "kind_known"),
    CheckConstraint("seq > 0 AND reprints >= 0", name="seq_positive"),
)
# The receipts list: a patient's receipts, and one workstation's receipts of a day.
Index("ix_receipts_patient_created", receipts.c.patient_id, receipts.c.created_at)
Index("ix_receipts_workstation_created", receipts.c.workstation, receipts.c.created_at)

wallet_entries = Table(
    "wallet_entries",
    metadata,
    _id(),
    _fk("wallet_id", "wallets.id", index=True),
    Column("kind", String(16), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("balance_after_minor", BigInteger, nullable=False),
    Column("receipt_no", String(32), ForeignKey("receipts.receipt_no"), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    _one_of("kind", values(WalletEntryKind), "kind_known"),
    CheckConstraint("amount_minor <> 0", name="amount_not_zero"),
    CheckConstraint("balance_after_minor >= 0", name="balance_after_not_negative"),
)
# A receipt's wallet entry, found without a scan (receipts, `check`'s replay).
Index("ix_wallet_entries_receipt_no", wallet_entries.c.receipt_no)
# The wallet liability at a moment: the entries since the last Z close, read from the index.
Index(
    "ix_wallet_entries_created_amount", wallet_entries.c.created_at, wallet_entries.c.amount_minor
)


shifts = Table(
    "shifts",
    metadata,
    _id(),
    _fk("cashier_id", "users.id"),
    Column("workstation", String(16), ForeignKey("workstations.id"), nullable=False),
    Column("status", String(16), nullable=False, server_default=ShiftStatus.OPEN.value),
    Column("opened_at", UTCDateTime, nullable=False),
    Column("opening_float_minor", BigInteger, nullable=False),
    Column("closed_at", UTCDateTime, nullable=True),
    Column("expected_cash_minor", BigInteger, nullable=True),
    Column("counted_cash_minor", BigInteger, nullable=True),
    Column("variance_minor", BigInteger, nullable=True),
    Column("variance_reason", Text, nullable=True),
    _fk("approved_by", "users.id", nullable=True),
    _one_of("status", values(ShiftStatus), "status_known"),
    CheckConstraint("opening_float_minor >= 0", name="float_not_negative"),
    CheckConstraint("counted_cash_minor IS NULL OR counted_cash_minor >= 0", name="counted_ok"),
)
Index(
    "uq_shifts_one_open",
    shifts.c.cashier_id,
    shifts.c.workstation,
    unique=True,
    postgresql_where=shifts.c.status == ShiftStatus.OPEN.value,
    sqlite_where=shifts.c.status == ShiftStatus.OPEN.value,
)

deposits = Table(
    "deposits",
    metadata,
    _id(),
    Column(
        "receipt_no", String(32), ForeignKey("receipts.receipt_no"), nullable=False, unique=True
    ),
    _fk("patient_id", "patients.id", index=True),
    _fk("wallet_id", "wallets.id"),
    Column("method", String(16), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("reference", String(64), nullable=True),
    _fk("cashier_id", "users.id"),
    Column("workstation", String(16), nullable=False),
    _fk("shift_id", "shifts.id", nullable=True),
    Column("idempotency_key", String(80), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    _one_of("method", [m.value for m in DEPOSIT_METHODS], "method_known"),
    CheckConstraint("amount_minor > 0", name="amount_positive"),
)
Index("ix_deposits_created_at", deposits.c.created_at)  # a business day's deposits

stock_items = Table(
    "stock_items",
    metadata,
    _id(),
    Column("code", String(32), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("unit", String(32), nullable=False, server_default="unit"),
    Column("quantity_on_hand", BigInteger, nullable=False, server_default="0"),
    CheckConstraint("quantity_on_hand >= 0", name="quantity_not_negative"),
)

stock_movements = Table(
    "stock_movements",
    metadata,
    _id(),
    _fk("stock_item_id", "stock_items.id", index=True),
    Column("delta", BigInteger, nullable=False),
    Column("reason", String(16), nullable=False),
    _fk("bill_item_id", "bill_items.id", nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    _one_of("reason", ["receipt", "sale", "return", "adjustment"], "reason_known"),
    CheckConstraint("delta <> 0", name="delta_not_zero"),
)

services = Table(
    "services",
    metadata,
    _id(),
    Column("code", String(32), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("department", String(64), nullable=False, server_default="General"),
    Column("unit_price_minor", BigInteger, nullable=False),
    _fk("stock_item_id", "stock_items.id", nullable=True),
    Column("lab_test_code", String(32), nullable=True),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    _one_of("kind", values(ServiceKind), "kind_known"),
    CheckConstraint("unit_price_minor >= 0", name="price_not_negative"),
    CheckConstraint("kind <> 'pharmacy' OR stock_item_id IS NOT NULL", name="pharmacy_stock"),
    CheckConstraint("kind <> 'lab_test' OR lab_test_code IS NOT NULL", name="lab_code"),
)

bills = Table(
    "bills",
    metadata,
    _id(),
    Column("bill_no", String(32), nullable=False, unique=True),
    _fk("patient_id", "patients.id", index=True),
    Column("status", String(16), nullable=False, server_default=BillStatus.OPEN.value),
    Column("created_at", UTCDateTime, nullable=False),
    _one_of("status", values(BillStatus), "status_known"),
)

bill_items = Table(
    "bill_items",
    metadata,
    _id(),
    _fk("bill_id", "bills.id", index=True),
    _fk("patient_id", "patients.id"),
    _fk("service_id", "services.id"),
    Column("quantity", Integer, nullable=False),
    Column("unit_price_minor", BigInteger, nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("status", String(16), nullable=False, server_default="unpaid"),
    Column("created_at", UTCDateTime, nullable=False),
    _one_of("status", values(ItemStatus), "status_known"),
    CheckConstraint("quantity > 0", name="quantity_positive"),
    CheckConstraint("unit_price_minor >= 0", name="price_not_negative"),
    CheckConstraint("amount_minor = quantity * unit_price_minor", name="amount_is_product"),
)
Index("ix_bill_items_patient_status", bill_items.c.patient_id, bill_items.c.status)

payments = Table(
    "payments",
    metadata,
    _id(),
    Column(
        "receipt_no", String(32), ForeignKey("receipts.receipt_no"), nullable=False, unique=True
    ),
    _fk("patient_id", "patients.id", index=True),
    Column("amount_minor", BigInteger, nullable=False),
    Column("change_minor", BigInteger, nullable=False, server_default="0"),
    Column("wallet_balance_after_minor", BigInteger, nullable=True),
    _fk("cashier_id", "users.id"),
    Column("workstation", String(16), nullable=False),
    _fk("shift_id", "shifts.id", nullable=True),
    Column("status", String(16), nullable=False, server_default=PaymentStatus.COMPLETED.value),
    Column("idempotency_key", String(80), nullable=False),
    Column("created_at", UTCDateTime, nullable=False, index=True),
    _one_of("status", values(PaymentStatus), "status_known"),
    # Zero settles fully waived items (revision 0006): a receipt that names the waiver.
    CheckConstraint("amount_minor >= 0", name="amount_not_negative"),
    CheckConstraint("change_minor >= 0", name="change_not_negative"),
)

payment_items = Table(
    "payment_items",
    metadata,
    _fk("payment_id", "payments.id"),
    _fk("bill_item_id", "bill_items.id", index=True),
    Column("amount_minor", BigInteger, nullable=False),
    UniqueConstraint("payment_id", "bill_item_id", name="uq_payment_items_pair"),
    CheckConstraint("amount_minor >= 0", name="amount_not_negative"),
)

tenders = Table(
    "tenders",
    metadata,
    _id(),
    _fk("payment_id", "payments.id", index=True),
    Column("method", String(16), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("reference", String(64), nullable=True),
    Column("cash_tendered_minor", BigInteger, nullable=True),
    Column("change_minor", BigInteger, nullable=False, server_default="0"),
    _one_of("method", values(TenderMethod), "method_known"),
    CheckConstraint("amount_minor > 0", name="amount_positive"),
    CheckConstraint("change_minor >= 0", name="change_not_negative"),
)

# A card, mobile-money or insurance reference pays once per method, compared by its key
# (`pos_app.domain.text.reference_key`); the tender keeps the reference as it was typed.
tender_references = Table(
    "tender_references",
    metadata,
    Column("method", String(16), primary_key=True),
    Column("reference_key", String(64), primary_key=True),
    Column("receipt_no", String(32), ForeignKey("receipts.receipt_no"), nullable=False),
    _one_of(
        "method",
        [m.value for m in (TenderMethod.CARD, TenderMethod.MOBILE_MONEY, TenderMethod.INSURANCE)],
        "method_known",
    ),
)

lab_results = Table(
    "lab_results",
    metadata,
    _id(),
    _fk("bill_item_id", "bill_items.id", index=True),
    _fk("payment_id", "payments.id"),
    Column("lab_test_code", String(32), nullable=False),
    Column("status", String(16), nullable=False, server_default=LabStatus.PENDING.value),
    Column("created_at", UTCDateTime, nullable=False),
    _one_of("status", values(LabStatus), "status_known"),
)
Index(
    "uq_lab_results_one_active",
    lab_results.c.bill_item_id,
    unique=True,
    postgresql_where=lab_results.c.status != "cancelled",
    sqlite_where=lab_results.c.status != "cancelled",
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("key", String(80), primary_key=True),
    Column("command", String(32), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("result", Text, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
)

audit_events = Table(
    "audit_events",
    metadata,
    _id(),
    Column("workstation", String(16), ForeignKey("workstations.id"), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("at", UTCDateTime, nullable=False, index=True),
    _fk("actor_id", "users.id", nullable=True),
    Column("action", String(48), nullable=False),
    Column("receipt_no", String(32), nullable=True, index=True),
    Column("details", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("key_id", String(32), nullable=True),  # the workstation key that signed it
    Column("signature", String(128), nullable=True),  # Ed25519 over `hash`, hex
    UniqueConstraint("workstation", "seq", name="uq_audit_events_workstation_seq"),
)
# `check` reads the key enrolments and revocations of every chain without a full scan.
Index("ix_audit_events_action", audit_events.c.action)

# The public keys the chains enrolled (a cache of their `workstation.enrolled` events).
workstation_keys = Table(
    "workstation_keys",
    metadata,
    Column("key_id", String(32), primary_key=True),
    Column("workstation", String(16), ForeignKey("workstations.id"), nullable=False, index=True),
    Column("public_key", String(64), nullable=False),
    Column("enrolled_at", UTCDateTime, nullable=False),
    _fk("enrolled_by", "users.id", nullable=True),
    Column("revoked_at", UTCDateTime, nullable=True),
    _fk("revoked_by", "users.id", nullable=True),
)

# How far `check` has verified each chain ("chain:WS01": seq and hash) and each money
# table ("rows:payments": the highest id replayed): the next check starts after it.
check_checkpoints = Table(
    "check_checkpoints",
    metadata,
    Column("name", String(48), primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("checked_at", UTCDateTime, nullable=False),
)

APPEND_ONLY_TABLES = ("audit_events", "wallet_entries", "stock_movements")

# --- Issue 6: reversals, withdrawals, shift close per tender, day close (revision 0002) ---

refund_requests = Table(
    "refund_requests",
    metadata,
    _id(),
    _fk("payment_id", "payments.id", index=True),
    _fk("requested_by", "users.id"),
    Column("workstation", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("status", String(16), nullable=False, server_default=Status.PENDING.value),
    Column("created_at", UTCDateTime, nullable=False),
    _fk("decided_by", "users.id", nullable=True),
    Column("decided_at", UTCDateTime, nullable=True),
    _one_of("status", values(Status), "status_known"),
)
Index(
    "uq_refund_requests_one_pending",
    refund_requests.c.payment_id,
    unique=True,
    postgresql_where=refund_requests.c.status == Status.PENDING.value,
    sqlite_where=refund_requests.c.status == Status.PENDING.value,
)

reversals = Table(
    "reversals",
    metadata,
    _id(),
    _fk("payment_id", "payments.id", index=True),  # several when refunded in parts
    Column(
        "receipt_no", String(32), ForeignKey("receipts.receipt_no"), nullable=False, unique=True
    ),
    Column("reason", Text, nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    _fk("cashier_id", "users.id"),
    _fk("requested_by", "users.id"),
    _fk("approved_by", "users.id"),
    _fk("request_id", "refund_requests.id", nullable=True),
    Column("workstation", String(16), nullable=False),
    _fk("shift_id", "shifts.id", nullable=True),
    Column("idempotency_key", String(80), nullable=False),
    Column("created_at", UTCDateTime, nullable=False, index=True),
    # 0 when the payer paid it all: the reversal only takes the payer's shares back.
    CheckConstraint("amount_minor >= 0", name="amount_not_negative"),
    CheckConstraint("approved_by <> cashier_id", name="two_people"),
)

refund_payouts = Table(
    "refund_payouts",
    metadata,
    _id(),
    _fk("reversal_id", "reversals.id", index=True),
    Column("method", String(16), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("reference", String(64), nullable=True),
    _one_of("method", values(TenderMethod), "method_known"),
    CheckConstraint("amount_minor > 0", name="amount_positive"),
)

# The items each reversal gave back (all of them for a whole reversal).
reversal_items = Table(
    "reversal_items",
    metadata,
    _fk("reversal_id", "reversals.id"),
    _fk("bill_item_id", "bill_items.id", index=True),
    Column("amount_minor", BigInteger, nullable=False),
    UniqueConstraint("reversal_id", "bill_item_id", name="uq_reversal_items_pair"),
    CheckConstraint("amount_minor >= 0", name="amount_not_negative"),
)

# The items a refund request names (none: whatever the payment has left).
refund_request_items = Table(
    "refund_request_items",
    metadata,
    _fk("request_id", "refund_requests.id"),
    _fk("bill_item_id", "bill_items.id"),
    UniqueConstraint("request_id", "bill_item_id", name="uq_refund_request_items_pair"),
)

withdrawals = Table(
    "withdrawals",
    metadata,
    _id(),
    Column(
        "receipt_no", String(32), ForeignKey("receipts.receipt_no"), nullable=False, unique=True
    ),
    _fk("patient_id", "patients.id", index=True),
    _fk("wallet_id", "wallets.id"),
    Column("amount_minor", BigInteger, nullable=False),
    Column("reason", Text, nullable=False),
    _fk("cashier_id", "users.id"),
    _fk("approved_by", "users.id"),
    Column("workstation", String(16), nullable=False),
    _fk("shift_id", "shifts.id", nullable=True),
    Column("idempotency_key", String(80), nullable=False),
    Column("created_at", UTCDateTime, nullable=False, index=True),
    CheckConstraint("amount_minor > 0", name="amount_positive"),
)

shift_tenders = Table(
    "shift_tenders",
    metadata,
    _fk("shift_id", "shifts.id"),
    Column("method", String(16), nullable=False),
    Column("expected_minor", BigInteger, nullable=False),
    Column("expected_count", Integer, nullable=False),
    Column("counted_minor", BigInteger, nullable=True),
    Column("counted_count", Integer, nullable=True),
    Column("variance_minor", BigInteger, nullable=True),
    UniqueConstraint("shift_id", "method", name="uq_shift_tenders_pair"),
    _one_of("method", values(TenderMethod), "method_known"),
)

shift_cash_counts = Table(
    "shift_cash_counts",
    metadata,
    _fk("shift_id", "shifts.id"),
    Column("denomination_minor", BigInteger, nullable=False),
    Column("quantity", Integer, nullable=False),
    UniqueConstraint("shift_id", "denomination_minor", name="uq_shift_cash_counts_pair"),
    CheckConstraint("denomination_minor > 0 AND quantity >= 0", name="count_ok"),
)

day_closes = Table(
    "day_closes",
    metadata,
    Column("business_date", Date, primary_key=True),
    Column("window_start", UTCDateTime, nullable=False),
    Column("window_end", UTCDateTime, nullable=False),
    _fk("closed_by", "users.id"),
    Column("workstation", String(16), nullable=False),
    Column("receipt_count", Integer, nullable=False),
    Column("payments_minor", BigInteger, nullable=False),
    Column("deposits_minor", BigInteger, nullable=False),
    Column("refunds_minor", BigInteger, nullable=False),
    Column("withdrawals_minor", BigInteger, nullable=False),
    Column("report", Text, nullable=False),
    Column("report_hash", String(64), nullable=False),
    Column("heads", Text, nullable=True),  # every chain's head at the close (JSON), a witness
    CheckConstraint("window_end >= window_start", name="window_ordered"),
)

# One approval workflow (SPEC rule 12): a request of any kind and its decision.
approval_requests = Table(
    "approval_requests",
    metadata,
    _id(),
    Column("kind", String(24), nullable=False),
    Column("subject", String(64), nullable=False),  # receipt no, item id, MRN, shift id
    Column("amount_minor", BigInteger, nullable=False),
    Column("reason", Text, nullable=False),
    Column("payload", Text, nullable=False),  # the action's parameters, canonical JSON
    _fk("requested_by", "users.id"),
    Column("workstation", String(16), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("status", String(16), nullable=False, server_default=Status.PENDING.value, index=True),
    _fk("decided_by", "users.id", nullable=True),
    Column("decided_at", UTCDateTime, nullable=True),
    Column("decision_reason", Text, nullable=True),
    Column("result", Text, nullable=True),  # what executing it returned (JSON)
    _one_of(
        "kind",
        ["refund", "withdrawal", "adjustment", "shift_variance", "credit_limit"],
        "kind_known",
    ),
    _one_of("status", values(Status), "status_known"),
    CheckConstraint("amount_minor >= 0", name="amount_not_negative"),
)
# One pending request per kind and subject: a refund of a receipt, a sign-off of a shift.
Index(
    "uq_approval_requests_one_pending",
    approval_requests.c.kind,
    approval_requests.c.subject,
    unique=True,
    postgresql_where=approval_requests.c.status == Status.PENDING.value,
    sqlite_where=approval_requests.c.status == Status.PENDING.value,
)

# Adjustments (SPEC rule 11): append-only lines that change what is due on an unpaid item.
adjustments = Table(
    "adjustments",
    metadata,
    _id(),
    _fk("bill_item_id", "bill_items.id", index=True),
    Column("kind", String(16), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),  # taken off what is due (< 0 adds)
    Column("reason_code", String(32), nullable=False),
    _fk("requested_by", "users.id"),
    _fk("approved_by", "users.id", nullable=True),
    _fk("request_id", "approval_requests.id", nullable=True),
    Column("workstation", String(16), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    _one_of("kind", ["discount", "waiver", "price"], "kind_known"),
    CheckConstraint("amount_minor <> 0", name="amount_not_zero"),
)

# Payers and credit (SPEC rule 13, revision 0007).
payers = Table(
    "payers",
    metadata,
    _id(),
    Column("code", String(32), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("created_at", UTCDateTime, nullable=False),
    _one_of("kind", ["insurer", "employer", "scheme"], "kind_known"),
)
payer_covers = Table(
    "payer_covers",
    metadata,
    _id(),
    _fk("payer_id", "payers.id"),
    Column("service_kind", String(16), nullable=False),
    Column("percent_bp", Integer, nullable=False),  # basis points: 8000 = 80 %
    Column("copay_minor", BigInteger, nullable=False, server_default="0"),
    Column("copay_per", String(8), nullable=False, server_default="visit"),
    Column("cap_minor", BigInteger, nullable=True),  # per visit (one payment)
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("payer_id", "service_kind", name="uq_payer_covers_pair"),
    _one_of("service_kind", values(ServiceKind), "kind_known"),
    CheckConstraint("percent_bp BETWEEN 0 AND 10000", name="percent_range"),
    CheckConstraint("copay_minor >= 0", name="copay_not_negative"),
    _one_of("copay_per", ["visit", "item"], "copay_per_known"),
    CheckConstraint("cap_minor IS NULL OR cap_minor >= 0", name="cap_not_negative"),
)
memberships = Table(
    "memberships",
    metadata,
    _id(),
    _fk("patient_id", "patients.id"),
    _fk("payer_id", "payers.id"),
    Column("member_no", String(64), nullable=False),
    Column("valid_until", Date, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("patient_id", "payer_id", name="uq_memberships_pair"),
)
receivable_accounts = Table(
    "receivable_accounts",
    metadata,
    _id(),
    _fk("payer_id", "payers.id", nullable=True, unique=True),
    _fk("patient_id", "patients.id", nullable=True, unique=True),
    Column("balance_minor", BigInteger, nullable=False, server_default="0"),
    Column("credit_limit_minor", BigInteger, nullable=False, server_default="0"),
    Column("created_at", UTCDateTime, nullable=False),
    CheckConstraint("(payer_id IS NULL) <> (patient_id IS NULL)", name="one_debtor"),
    CheckConstraint("credit_limit_minor >= 0", name="limit_not_negative"),
)
receivable_entries = Table(
    "receivable_entries",
    metadata,
    _id(),
    _fk("account_id", "receivable_accounts.id", index=True),
    Column("kind", String(16), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),  # + owed, - paid back
    Column("balance_after_minor", BigInteger, nullable=False),
    Column("receipt_no", String(32), nullable=True, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    _one_of("kind", ["payer_share", "credit", "settlement", "reversal"], "kind_known"),
    CheckConstraint("amount_minor <> 0", name="amount_not_zero"),
)
payer_shares = Table(
    "payer_shares",
    metadata,
    _id(),
    _fk("payment_id", "payments.id"),
    _fk("bill_item_id", "bill_items.id"),
    _fk("payer_id", "payers.id", index=True),
    Column("member_no", String(64), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    UniqueConstraint("payment_id", "bill_item_id", name="uq_payer_shares_pair"),
    CheckConstraint("amount_minor > 0", name="amount_positive"),
)
claim_batches = Table(
    "claim_batches",
    metadata,
    _id(),
    _fk("payer_id", "payers.id"),
    Column("batch_no", String(32), nullable=False, unique=True),
    Column("period_from", Date, nullable=True),
    Column("period_to", Date, nullable=True),
    Column("total_minor", BigInteger, nullable=False),
    _fk("created_by", "users.id"),
    Column("created_at", UTCDateTime, nullable=False),
)
claim_items = Table(  # a payer share is claimed in at most one batch
    "claim_items",
    metadata,
    _fk("batch_id", "claim_batches.id"),
    Column(
        "payer_share_id",
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("payer_shares.id"),
        primary_key=True,
    ),
)
settlement_allocations = Table(
    "settlement_allocations",
    metadata,
    Column(
        "settlement_entry_id",
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("receivable_entries.id"),
        primary_key=True,
    ),
    Column(
        "charge_entry_id",
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("receivable_entries.id"),
        primary_key=True,
    ),
    Column("amount_minor", BigInteger, nullable=False),
    CheckConstraint("amount_minor > 0", name="amount_positive"),
)
# Money received against an account, as taken at the till (its method and shift, like a
# deposit's): the receipt's row, append-only; its ledger line is the `settlement` entry.
settlements = Table(
    "settlements",
    metadata,
    _id(),
    Column(
        "receipt_no", String(32), ForeignKey("receipts.receipt_no"), nullable=False, unique=True
    ),
    _fk("account_id", "receivable_accounts.id", index=True),
    Column("method", String(16), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("reference", String(64), nullable=True),
    _fk("cashier_id", "users.id"),
    Column("workstation", String(16), nullable=False),
    _fk("shift_id", "shifts.id", nullable=True, index=True),
    Column("idempotency_key", String(80), nullable=False),
    Column("created_at", UTCDateTime, nullable=False, index=True),
    _one_of("method", SETTLE_METHODS, "method_known"),
    CheckConstraint("amount_minor > 0", name="amount_positive"),
)
