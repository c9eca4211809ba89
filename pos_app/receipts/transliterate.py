"""Fold characters a font or printer code page lacks into the nearest plain letters."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

# Letters that do not decompose into a base letter plus accents.
_SPECIAL = {
    "ß": "ss",
    "Æ": "AE",
    "æ": "ae",
    "Ø": "O",
    "ø": "o",
    "Œ": "OE",
    "œ": "oe",
    "Ł": "L",
    "ł": "l",
    "Đ": "D",
    "đ": "d",
    "Ŋ": "N",
    "ŋ": "n",
    "Þ": "Th",
    "þ": "th",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "–": "-",
    "—": "-",
    "…": "...",
}


def fold(char: str) -> str:
    """`ũ` -> `u`, `ß` -> `ss`; a character with no plain form becomes `?`."""
    if char in _SPECIAL:
        return _SPECIAL[char]
    plain = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return plain if plain.isascii() and plain else "?"


def keep_or_fold(text: str, can_show: Callable[[str], bool]) -> str:
    """Each character as is when `can_show` says so, else folded (precomposed first)."""
    text = unicodedata.normalize("NFC", text)
    return "".join(c if can_show(c) else fold(c) for c in text)
