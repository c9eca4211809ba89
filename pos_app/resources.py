"""Where the shipped resources (styles, icons) are: the source tree, or the installed copy.

A development checkout reads `resources/` beside the package; a wheel installs the same
files under `<prefix>/share/caretill/` (see `[tool.setuptools.data-files]`).
"""

from __future__ import annotations

import sys
from pathlib import Path

_CANDIDATES = (
    Path(__file__).resolve().parents[1] / "resources",
    Path(sys.prefix) / "share" / "caretill",
)


def resource_path(relative: str) -> Path | None:
    """The first existing copy of `relative` (e.g. "styles/caretill.qss"), or None."""
    for root in _CANDIDATES:
        candidate = root / relative
        if candidate.exists():
            return candidate
    return None
