"""A payer's claim: every covered item not claimed yet, as one numbered batch (SPEC rule 13).

Exporting records the batch (`CLM-<PAYER>-000001`, …) and its items, so each payer share
is claimed once across batches; a settlement may then name the batch it pays. Nothing
left to claim gives an empty claim and records no batch. CSV cells are made safe for
spreadsheets; the PDF is a table like the daily report's.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from pos_app.adapters import claims_repo, ledger, payers_repo, receivables
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.actors import Actor, Role
from pos_app.domain.errors import BadInput, NotFound
from pos_app.domain.text import spreadsheet_safe, strip_controls
from pos_app.services import sessions
from pos_app.services.results import JsonResult

COLUMNS = (
    "receipt_no",
    "date",
    "mrn",
    "patient",
    "member_no",
    "service_code",
    "service",
    "gross",
    "payer_share",
)


@dataclass(frozen=True)
class ClaimItem(JsonResult):
    receipt_no: str
    date: str
    mrn: str
    patient: str
    member_no: str
    service_code: str
    service: str
    gross: Decimal
    payer_share: Decimal


@dataclass(frozen=True)
class Claim(JsonResult):
    batch_no: str | None
    payer: str
    payer_name: str
    period_from: str | None
    period_to: str | None
    total: Decimal
    items: list[ClaimItem]
    currency: str


def export_claim(
    uow: UnitOfWork,
    *,
    actor: Actor,
    workstation: str,
    code: str,
    start: date | None = None,
    end: date | None = None,
) -> Claim:
    """Claim the payer's unclaimed shares paid from `start` to `end` (inclusive days)."""
    if start is not None and end is not None and end < start:
        raise BadInput("The claim period ends before it starts.", code="invalid_period")
    with uow:
        actor = sessions.authorize(uow, actor, Role.SUPERVISOR, "export claims")
        currency = uow.facility().currency
        payer = payers_repo.by_code(uow, code)
        if payer is None:
            raise NotFound(f"No payer has code {code}.", code="unknown_payer")
        now = uow.clock()
        receivables.lock_payer_account(uow, payer.id, at=now)  # one batch at a time
        lines = claims_repo.unclaimed(
            uow,
            payer.id,
            start=_midnight(start),
            end=_midnight(end + timedelta(days=1)) if end else None,
        )
        batch_no = None
        if lines:
            batch_no = claims_repo.next_batch_no(uow, payer.id, payer.code)
            claims_repo.record(
                uow,
                payer_id=payer.id,
                batch_no=batch_no,
                period=(start, end),
                lines=lines,
                created_by=actor.user_id,
                at=now,
            )
            ledger.record(
                uow,
                workstation,
                actor=actor,
                action="claims.batch",
                details={
                    "batch_no": batch_no,
                    "payer": payer.code,
                    "items": len(lines),
                    "total": currency.text(sum(x.payer_share_minor for x in lines)),
                    "shares": [x.share_id for x in lines],
                },
            )
        uow.commit()
    money = currency.from_minor
    return Claim(
        batch_no,
        payer.code,
        payer.name,
        start.isoformat() if start else None,
        end.isoformat() if end else None,
        money(sum(x.payer_share_minor for x in lines)),
        [
            ClaimItem(
                x.receipt_no,
                x.paid_at.date().isoformat(),
                x.mrn,
                x.patient,
                x.member_no,
                x.service_code,
                x.service,
                money(x.gross_minor),
                money(x.payer_share_minor),
            )
            for x in lines
        ],
        currency.code,
    )


def rows(claim: Claim) -> list[list[str]]:
    data = claim.to_json()
    return [list(COLUMNS)] + [
        [strip_controls(str(item[c])) for c in COLUMNS] for item in data["items"]
    ]


def to_csv(claim: Claim) -> str:
    """The claim's items as CSV, every cell safe to open in a spreadsheet."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(
        [spreadsheet_safe(cell) for cell in row] for row in rows(claim)
    )
    return buffer.getvalue()


def write_pdf(claim: Claim, path: Path, *, facility: str = "") -> None:
    """The claim as a PDF table (reportlab), for the payer."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

    styles = getSampleStyleSheet()
    title = f"{facility} Claim {claim.batch_no or '(nothing to claim)'}".strip()
    story = [
        Paragraph(title, styles["Title"]),
        Paragraph(
            f"{claim.payer_name} ({claim.payer}); total {claim.total} {claim.currency}",
            styles["Normal"],
        ),
        Table(rows(claim), repeatRows=1),
    ]
    SimpleDocTemplate(str(path), pagesize=landscape(A4), title=title).build(story)


def _midnight(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, time(), tzinfo=UTC)
