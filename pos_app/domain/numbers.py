"""Whole numbers people type (item ids, counts, quantities, limits): ASCII digits in a range.

Python's `int()` takes "٩", "1_000" and " 7 ", and a number past what a BIGINT holds
ends in a database traceback; a till takes none of them and says so with a code.
"""

from __future__ import annotations

import re

from pos_app.domain.errors import BadInput

MAX_ID = 2**63 - 1  # the largest BIGINT, so an id never overflows the database
MAX_COUNT = 1_000_000_000  # far beyond any count of notes, items or patients at a till
_DIGITS = re.compile(r"[0-9]+")  # ASCII only: `\d` would also take other scripts' digits


def whole_number(
    text: str | int, *, what: str, maximum: int, minimum: int = 0, code: str = "invalid_number"
) -> int:
    """`text` as an int from `minimum` to `maximum`, written in ASCII digits, else `code`."""
    if isinstance(text, bool) or not isinstance(text, str | int):
        raise BadInput(f"The {what} must be a whole number.", code=code)
    if isinstance(text, str):
        if not _DIGITS.fullmatch(text):
            raise BadInput(
                f"The {what} {text!r} is not a whole number written in the digits 0-9.", code=code
            )
        significant = text.lstrip("0") or "0"
        # Longer than the maximum is out of range, without converting a huge string.
        value = maximum + 1 if len(significant) > len(str(maximum)) else int(significant)
    else:
        value = text
    if not minimum <= value <= maximum:
        shown = text if isinstance(text, int) else text[:24] + ("…" if len(text) > 24 else "")
        raise BadInput(f"The {what} {shown} is not from {minimum} to {maximum}.", code=code)
    return value


def id_list(text: str, *, what: str = "item id", code: str = "invalid_number") -> list[int]:
    """Comma-separated ids, e.g. "12,13, 14": each a whole number from 1 to MAX_ID."""
    parts = [part.strip() for part in text.split(",")]
    if not any(parts):
        raise BadInput(f"Give the {what}s, separated by commas.", code=code)
    return [
        whole_number(part, what=what, minimum=1, maximum=MAX_ID, code=code)
        for part in parts
        if part
    ]
