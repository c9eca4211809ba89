"""A dataclass's field names, looked up once per class.

`dataclasses.fields` builds its answer anew on every call; the effects of every money
command and the results it returns are spelled as JSON field by field, so the names
are kept per class.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

_NAMES: dict[type, tuple[str, ...]] = {}


def field_names(kind: Any) -> tuple[str, ...]:
    """The names of the dataclass `kind`'s fields, in their order."""
    names = _NAMES.get(kind)
    if names is None:
        names = _NAMES[kind] = tuple(f.name for f in fields(kind))
    return names
