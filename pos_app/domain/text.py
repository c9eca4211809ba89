"""Text people type or other systems send: one normalisation for references and names.

A provider's transaction id must match itself however it was typed (full-width
letters, a trailing zero-width space, other case), and a control character in a
name must never reach a printer, a spreadsheet or a terminal.
"""

from __future__ import annotations

import unicodedata

# Format characters (Cf: zero-width space/joiners, BOM, bidi marks) are invisible
# on screen yet make two references differ; separators (Z*) are white space.
_INVISIBLE_CATEGORIES = {"Cf", "Zs", "Zl", "Zp"}


def reference_key(reference: str) -> str:
    """The form under which two references are the same: NFKC, case-folded, no
    white space or invisible characters."""
    folded = unicodedata.normalize("NFKC", reference).casefold()
    return "".join(
        char for char in folded
        if not char.isspace() and unicodedata.category(char) not in _INVISIBLE_CATEGORIES
    )


def is_control(char: str) -> bool:
    """Control characters (C0, DEL, C1) that move a printer's or a terminal's state."""
    return unicodedata.category(char) == "Cc"


def has_control(text: str) -> bool:
    return any(is_control(char) for char in text)


def strip_controls(text: str) -> str:
    """`text` without control characters, for renderers of data stored before input was vetted."""
    return "".join(char for char in text if not is_control(char))
