"""The Unicode TrueType font the PDF embeds, found among files the dependencies install.

python-escpos (a dependency) requires python-barcode, which ships DejaVu Sans Mono:
it covers Latin Extended (Zoë, Wanjirũ) and keeps the receipt's columns aligned.
Debian's fonts-dejavu-core copy is the fallback; reportlab's own Vera (Latin-1
only) is the last resort, with uncovered characters folded to plain letters.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from pos_app.receipts.transliterate import keep_or_fold

FONT_NAME = "CareTillMono"
SYSTEM_DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")


def candidates() -> list[Path]:
    """Where a suitable font may be, best first."""
    return [
        _packaged("barcode", "fonts/DejaVuSansMono.ttf"),
        SYSTEM_DEJAVU,
        _packaged("reportlab", "fonts/Vera.ttf"),
    ]


def _packaged(package: str, relative: str) -> Path:
    try:
        return Path(str(files(package).joinpath(relative)))
    except ModuleNotFoundError:
        return Path("/nonexistent") / relative


@cache
def receipt_font() -> TTFont:
    """Register (once) and return the receipt font."""
    for path in candidates():
        if path.is_file():
            font = TTFont(FONT_NAME, str(path))
            pdfmetrics.registerFont(font)
            return font
    raise RuntimeError("no TrueType font found for receipts: reinstall reportlab")


def printable(text: str) -> str:
    """The text with characters the font has no glyph for folded to plain letters."""
    glyphs = receipt_font().face.charToGlyph
    return keep_or_fold(text, lambda char: ord(char) in glyphs)
