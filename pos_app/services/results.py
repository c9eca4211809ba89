"""Results as plain JSON: amounts out as exact strings, and back in as `Decimal` for replays.

Every use case returns a frozen dataclass with this mixin, so the command line's
`--json`, the stored idempotency result and its replay all share one spelling.
"""

from __future__ import annotations

import types
from datetime import date
from decimal import Decimal
from typing import Any, Union, get_args, get_origin, get_type_hints

from pos_app.domain.field_names import field_names


class JsonResult:
    """Mixin for dataclasses: `to_json()` and `from_json(data, **overrides)`."""

    def to_json(self) -> dict:
        return {name: _out(getattr(self, name)) for name in field_names(type(self))}

    @classmethod
    def from_json(cls, data: dict, **overrides: Any) -> Any:
        hints = get_type_hints(cls)
        values = {name: _in(hints[name], value) for name, value in data.items() if name in hints}
        return cls(**{**values, **overrides})


def _out(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, JsonResult):
        return value.to_json()
    if isinstance(value, list | tuple):
        return [_out(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _in(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        hint = next(arg for arg in get_args(hint) if arg is not type(None))
        origin = get_origin(hint)
    if origin is list:
        return [_in(get_args(hint)[0], item) for item in value]
    if hint is Decimal:
        return Decimal(value)
    if hint is date:
        return date.fromisoformat(value)
    if isinstance(hint, type) and issubclass(hint, JsonResult):
        return hint.from_json(value)
    return value
