"""Reading an import file: UTF-8 (BOM or not), a header row, rows that know their line number.

Every problem found is collected as a finding with its line number instead of
stopping at the first, so the administrator fixes the whole file in one go.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from pos_app.domain import numbers
from pos_app.domain.errors import BadInput
from pos_app.domain.money import MAX_MAJOR_UNITS, Currency
from pos_app.domain.text import refuse_controls

MAX_LINES_IN_MESSAGE = 20
MAX_QUANTITY = 1_000_000_000
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,31}$")
csv.field_size_limit(1_000_000)
T = TypeVar("T")


class InvalidImport(BadInput):
    """A file with bad lines: nothing was written. `findings` lists each line and why."""

    def __init__(self, message: str, findings: list[dict]) -> None:
        super().__init__(message, code="invalid_import", details={"findings": findings})
        self.findings = findings


@dataclass(frozen=True)
class Header:
    """The columns of one kind of import: those every row needs and those it may give."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()


@dataclass
class Findings:
    """Bad lines of a file, in the order found."""

    items: list[tuple[int, str]] = field(default_factory=list)

    def add(self, line: int, problem: str) -> None:
        self.items.append((line, problem))

    def __len__(self) -> int:
        return len(self.items)

    def raise_if_any(self, what: str) -> None:
        """Refuse the whole file, naming at most MAX_LINES_IN_MESSAGE of its bad lines."""
        if not self.items:
            return
        ordered = sorted(self.items, key=lambda item: item[0])
        shown = "; ".join(
            f"line {line}: {problem}" for line, problem in ordered[:MAX_LINES_IN_MESSAGE]
        )
        more = len(ordered) - MAX_LINES_IN_MESSAGE
        tail = f"; and {more} more" if more > 0 else ""
        bad_lines = len({line for line, _ in ordered})
        raise InvalidImport(
            f"Nothing was imported: {bad_lines} bad line(s) in the {what} file: {shown}{tail}.",
            [{"line": line, "problem": problem} for line, problem in ordered],
        )


@dataclass(frozen=True)
class Row:
    """One data row: its line number in the file and its fields by column name."""

    line: int
    fields: dict[str, str]

    def get(self, name: str) -> str:
        """The field's text, trimmed and in one Unicode spelling (NFC); "" when absent."""
        return unicodedata.normalize("NFC", self.fields.get(name, "").strip())


def read(data: bytes, header: Header, findings: Findings) -> list[Row]:
    """The data rows of `data`; a missing or wrong header is a finding on line 1."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        findings.add(line, "the file is not UTF-8 text (save it as CSV UTF-8)")
        return []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        names = [name.strip().lower() for name in next(reader, [])]
        if not _header_ok(names, header, findings):
            return []
        rows = []
        for fields in reader:
            if not any(value.strip() for value in fields):
                continue
            if len(fields) > len(names):
                findings.add(
                    reader.line_num, f"{len(fields)} fields but the header names {len(names)}"
                )
                continue
            rows.append(Row(reader.line_num, dict(zip(names, fields, strict=False))))
    except csv.Error as exc:
        findings.add(reader.line_num, f"not readable as CSV ({exc})")
        return []
    return rows


def _header_ok(names: list[str], header: Header, findings: Findings) -> bool:
    known = set(header.required) | set(header.optional)
    expected = ",".join(header.required + tuple(f"[{name}]" for name in header.optional))
    missing = [name for name in header.required if name not in names]
    unknown = [name for name in names if name not in known]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if missing:
        findings.add(
            1, f"the header row must name the columns {expected}; missing {', '.join(missing)}"
        )
    if unknown:
        findings.add(
            1, f"unknown column(s) {', '.join(repr(n) for n in unknown)}; expected {expected}"
        )
    if repeated:
        findings.add(1, f"column(s) {', '.join(repeated)} named twice")
    return not (missing or unknown or repeated)


def text(
    row: Row, name: str, findings: Findings, *, max_length: int, required: bool = True
) -> str | None:
    """Free text with runs of spaces collapsed; None (and a finding if required) when empty
    or holding a control character."""
    value = " ".join(row.get(name).split())
    if not value:
        if required:
            findings.add(row.line, f"{name} is empty")
        return None
    if len(value) > max_length:
        findings.add(row.line, f"{name} is longer than {max_length} characters")
        return None
    return _vetted(row, findings, lambda: refuse_controls(value, what=name))


def code(
    row: Row,
    name: str,
    findings: Findings,
    *,
    pattern: re.Pattern[str] = _CODE,
    required: bool = True,
) -> str | None:
    """An identifier (MRN, service, stock or bill code): letters, digits and . _ / -."""
    value = row.get(name)
    if not value:
        if required:
            findings.add(row.line, f"{name} is empty")
        return None
    if not pattern.match(value):
        findings.add(
            row.line, f"{name} {value!r} is not a valid code (up to 32 letters, digits and . _ / -)"
        )
        return None
    return value


def whole_number(
    row: Row, name: str, findings: Findings, *, minimum: int, maximum: int = MAX_QUANTITY
) -> int | None:
    """A whole number from `minimum` to `maximum`, written in plain digits."""
    return _vetted(
        row,
        findings,
        lambda: numbers.whole_number(row.get(name), what=name, minimum=minimum, maximum=maximum),
    )


def money(row: Row, name: str, findings: Findings, currency: Currency) -> int | None:
    """An amount in minor units, through the one money parser (no floats, right decimals)."""
    return _vetted(
        row,
        findings,
        lambda: currency.to_minor(currency.parse(row.get(name), what=name.replace("_", " "))),
    )


def _vetted(row: Row, findings: Findings, parse: Callable[[], T]) -> T | None:
    """What `parse` gives, or None and its `BadInput` message as a finding on the row's line."""
    try:
        return parse()
    except BadInput as exc:
        findings.add(row.line, exc.message)
        return None


def amount_ok(minor: int, currency: Currency) -> bool:
    """Whether a computed amount (quantity x price) stays below the absurd-size limit."""
    return currency.from_minor(minor) < MAX_MAJOR_UNITS


def optional_date(row: Row, name: str, findings: Findings) -> date | None:
    """An optional date written YYYY-MM-DD."""
    value = row.get(name)
    if not value:
        return None
    try:
        if not _DATE.match(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        findings.add(row.line, f"{name} {value!r} is not a date written YYYY-MM-DD")
        return None


def past_date(row: Row, name: str, findings: Findings) -> date | None:
    """An optional YYYY-MM-DD date that is not in the future."""
    day = optional_date(row, name, findings)
    if day is None:
        return None
    if day > date.today() or day.year < 1880:
        findings.add(row.line, f"{name} {day} is not a plausible date")
        return None
    return day


def flag(row: Row, name: str, findings: Findings) -> bool | None:
    """yes/no, true/false or 1/0; None when the column is empty."""
    value = row.get(name).lower()
    if not value:
        return None
    if value in ("yes", "y", "true", "1"):
        return True
    if value in ("no", "n", "false", "0"):
        return False
    findings.add(row.line, f"{name} {value!r} is not yes or no")
    return None


def same_name(first: str, second: str) -> bool:
    """Names equal but for case and spacing: "JOHN  Doe" is John Doe."""
    return " ".join(first.split()).casefold() == " ".join(second.split()).casefold()
