"""Text people type or other systems send: one normalisation for references and names.

A provider's transaction id must match itself however it was typed (full-width
letters, a trailing zero-width space, other case), and a control character in a
name must never reach a printer, a spreadsheet or a terminal.
"""

from __future__ import annotations

import re
import unicodedata

from pos_app.domain.errors import BadInput

# Format characters (Cf: zero-width space/joiners, BOM, bidi marks) are invisible
# on screen yet make two references differ; separators (Z*) are white space.
_INVISIBLE_CATEGORIES = {"Cf", "Zs", "Zl", "Zp"}
# Default-ignorable characters outside Cf: combining grapheme joiner, Hangul fillers,
# Khmer inherent vowels, Mongolian variation selectors, variation selectors.
_IGNORABLE = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u3164\uffa0"
    + "".join(map(chr, range(0xFE00, 0xFE10)))
    + "".join(map(chr, range(0xE0100, 0xE01F0)))
)


def reference_key(reference: str) -> str:
    """The form under which two references are the same: NFKC, case-folded, no
    white space or invisible characters."""
    # Repeat until nothing changes, so that the key of a key is itself: removing a space can
    # leave a combining mark that composes with the letter before it ("A´" -> "á").
    key = reference
    for _ in range(4):
        folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", key).casefold())
        stripped = "".join(
            char
            for char in folded
            if not char.isspace()
            and char not in _IGNORABLE
            and unicodedata.category(char) not in _INVISIBLE_CATEGORIES
        )
        if stripped == key:
            break
        key = stripped
    return key


def is_control(char: str) -> bool:
    """Control characters (C0, DEL, C1) that move a printer's or a terminal's state."""
    return unicodedata.category(char) == "Cc"


def has_control(text: str) -> bool:
    return any(is_control(char) for char in text)


def refuse_controls(text: str, *, what: str) -> str:
    """`text` as given, or `invalid_text` when it holds a control character.

    Names, reasons and references are refused at input rather than silently
    cleaned, so what is stored is what the person saw when they typed it.
    """
    if has_control(text):
        raise BadInput(
            f"The {what} holds a control character (such as ESC, a tab or a line "
            "break); type it again.",
            code="invalid_text",
        )
    return text


def strip_controls(text: str) -> str:
    """`text` without control characters, for renderers of data stored before input was vetted."""
    return "".join(char for char in text if not is_control(char))


def terminal_safe(text: str) -> str:
    """Lines of text for a terminal: line breaks kept, every other control character gone,
    so an ESC sequence in a name cannot retitle, recolour or rewrite the screen."""
    return "\n".join(strip_controls(line) for line in text.split("\n"))


# What makes a spreadsheet run a cell as a formula (OWASP's list for CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def spreadsheet_safe(cell: str) -> str:
    """A CSV cell a spreadsheet shows and never runs: a leading apostrophe when it starts
    like a formula. A plain number such as `-150.00` stays a number; that is decided by
    the cell's text, not its column, so a text cell that looks like one is harmless too."""
    if cell.startswith(_FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell
