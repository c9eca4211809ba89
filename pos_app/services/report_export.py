"""The daily report as CSV and PDF files: one flat table of sections, the same in both.

Labels come from data people typed (department, cashier names), so every cell loses
its control characters, and a CSV cell that starts like a formula (`=HYPERLINK(...)`)
gets a leading apostrophe so that a spreadsheet shows it instead of running it.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pos_app.domain.allocation import BUCKETS
from pos_app.domain.text import spreadsheet_safe, strip_controls
from pos_app.services.reports import DailyReport

SECTIONS = (
    ("by_method", "Payments by method"),
    ("by_cashier", "Payments by cashier"),
    ("by_department", "Payments by department"),
    ("by_kind", "Payments by service kind"),
    ("by_hour", "Payments by hour"),
    ("deposits_by_method", "Deposits by method"),
    ("settlements_by_method", "Account settlements by method"),
    ("refunds_by_method", "Refunds by method"),
    ("adjustments_by_kind", "Adjustments by kind"),
    ("adjustments_by_reason", "Adjustments by reason"),
)


def rows(report: DailyReport) -> list[list[str]]:
    """section, label, count, amount: every figure of the report as text rows."""
    data = report.to_json()
    out = [["section", "label", "count", "amount"]]
    out += [
        ["totals", name, str(data["counts"].get(name, "")), amount]
        for name, amount in data["totals"].items()
    ]
    for key, _title in SECTIONS:
        out += [[key, line["label"], str(line["count"]), line["amount"]] for line in data[key]]
    for shift in data["shifts"]:
        for tender in shift["tenders"]:
            out.append(
                [
                    "shift_variance",
                    f"{shift['cashier']}@{shift['workstation']} "
                    f"#{shift['shift_id']} {tender['method']}",
                    "",
                    tender["variance"] or "unconfirmed",
                ]
            )
    for line in data["receivables_ageing"]:
        out += [
            ["receivables_ageing", f"{line['account']} {bucket}", "", line[bucket]]
            for bucket in (*BUCKETS, "total")
        ]
    for rng in data["receipt_ranges"]:
        out.append(
            [
                "receipt_range",
                rng["workstation"],
                str(rng["count"]),
                f"{rng['first']}..{rng['last']}"
                + ("" if rng["gapless"] else f" missing {rng['missing']}"),
            ]
        )
    return [[strip_controls(cell) for cell in row] for row in out]


def to_csv(report: DailyReport) -> str:
    """The rows as CSV, every cell safe to open in a spreadsheet (see `spreadsheet_safe`)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(
        [spreadsheet_safe(cell) for cell in row] for row in rows(report)
    )
    return buffer.getvalue()


def write_pdf(report: DailyReport, path: Path, *, facility: str = "") -> None:
    """A one-document PDF of the report (reportlab), for the supervisor's file."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    state = (
        f"closed (Z) at {(report.closed_at or '')[:19]} by {report.closed_by}"
        if report.closed
        else "open (figures may still change)"
    )
    story = [
        Paragraph(f"{facility} Daily report {report.business_date}".strip(), styles["Title"]),
        Paragraph(
            f"{report.window_start[:19]} to {report.window_end[:19]} UTC, "
            f"{report.currency}; day {state}",
            styles["Normal"],
        ),
        Spacer(1, 8),
    ]
    table = Table(rows(report), repeatRows=1, colWidths=[110, 200, 50, 130])
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("ALIGN", (2, 0), (-1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.whitesmoke]),
            ]
        )
    )
    story.append(table)
    SimpleDocTemplate(str(path), pagesize=A4, title=f"Daily report {report.business_date}").build(
        story
    )
