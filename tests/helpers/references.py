"""Spellings of one reference that a person or a phone may produce: other case, full-width
letters and digits, invisible characters and spaces in between."""

from __future__ import annotations

from hypothesis import strategies as st

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\ufeff", "\u00a0", " ", "\u2060", "\u3000"]
references = st.text("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-", min_size=4, max_size=20)


def full_width(char: str) -> str:
    """The full-width form NFKC folds back to `char` (ASCII ! to ~)."""
    return chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char


@st.composite
def variants(draw: st.DrawFn, reference: str) -> str:
    """`reference` with each character's case and width drawn, and invisibles sprinkled."""
    out = []
    for char in reference:
        out.append(draw(st.lists(st.sampled_from(INVISIBLE), max_size=2)))
        char = draw(st.sampled_from([char, char.lower(), char.upper()]))
        out.append([full_width(char) if draw(st.booleans()) else char])
    out.append(draw(st.lists(st.sampled_from(INVISIBLE), max_size=2)))
    return "".join(part for chunk in out for part in chunk)
