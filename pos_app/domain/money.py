"""Money: one way in for amounts, exact to the facility currency's minor units.

Amounts travel as `Decimal` and are stored as integer minor units, because SQLite
has no exact decimal type. `float` never gets in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from pos_app.domain.errors import BadInput

# Nothing a hospital till takes is near a trillion; larger figures are typing accidents.
MAX_MAJOR_UNITS = Decimal(10) ** 12
# A comma only separates thousands: groups of three after a first group that does not
# start with 0, so a decimal comma ("0,5", "1,00", "0,500") is refused, never multiplied.
_NUMBER = re.compile(r"[+-]?(?:[1-9][0-9]{0,2}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")


@dataclass(frozen=True)
class Currency:
    """The facility's currency: its code and how many minor units it has (0, 2 or 3)."""

    code: str
    minor_units: int

    def __post_init__(self) -> None:
        if self.minor_units not in (0, 2, 3):
            raise BadInput(
                f"Currency minor units must be 0, 2 or 3, not {self.minor_units}.",
                code="invalid_currency",
            )
        if not re.fullmatch(r"[A-Z]{3}", self.code):
            raise BadInput(
                f"Currency code must be three capital letters, not {self.code!r}.",
                code="invalid_currency",
            )

    @property
    def quantum(self) -> Decimal:
        return Decimal(1).scaleb(-self.minor_units)

    def parse(self, value: object, *, what: str = "amount", allow_zero: bool = False) -> Decimal:
        """Turn user input into an exact amount, or refuse it with `invalid_amount`.

        Refuses float, NaN, infinity, exponents, more decimals than the currency has,
        negatives, zero (unless allowed), absurd sizes, and a comma anywhere but between
        groups of three digits (`1,000.50` is taken, `0,5` and `1,00` are not).
        """
        if isinstance(value, bool | float):
            raise BadInput(
                f"The {what} must be given as text or Decimal, not a float.", code="invalid_amount"
            )
        if isinstance(value, int):
            value = str(value)
        if isinstance(value, Decimal):
            amount = value
        elif isinstance(value, str):
            text = value.strip()
            if not _NUMBER.fullmatch(text):
                raise BadInput(
                    f"The {what} {value!r} is not a number (a comma may only "
                    "separate thousands, as in 1,000.50).",
                    code="invalid_amount",
                )
            text = text.replace(",", "")
            try:
                amount = Decimal(text)
            except InvalidOperation as exc:  # pragma: no cover - the regex already vets it
                raise BadInput(
                    f"The {what} {value!r} is not a number.", code="invalid_amount"
                ) from exc
        else:
            raise BadInput(f"The {what} {value!r} is not a number.", code="invalid_amount")
        return self._vet(amount, what=what, allow_zero=allow_zero)

    def _vet(self, amount: Decimal, *, what: str, allow_zero: bool) -> Decimal:
        if not amount.is_finite():
            raise BadInput(f"The {what} must be a finite number.", code="invalid_amount")
        if amount.copy_abs() >= MAX_MAJOR_UNITS:
            raise BadInput(f"The {what} {amount} is too large.", code="invalid_amount")
        quantized = amount.quantize(self.quantum)
        if quantized != amount:
            raise BadInput(
                f"The {what} {amount} has more decimals than {self.code} allows "
                f"({self.minor_units}).",
                code="invalid_amount",
            )
        if quantized < 0 or (quantized == 0 and not allow_zero):
            raise BadInput(f"The {what} must be more than zero.", code="invalid_amount")
        return quantized

    def to_minor(self, amount: Decimal) -> int:
        """Exact integer minor units of an already parsed amount."""
        return int(amount.scaleb(self.minor_units).to_integral_exact())

    def from_minor(self, minor: int) -> Decimal:
        """The exact amount for a stored integer of minor units."""
        return (Decimal(int(minor)).scaleb(-self.minor_units)).quantize(self.quantum)

    def text(self, minor: int) -> str:
        """Minor units as the plain string the JSON contract uses, e.g. "1250.00"."""
        return str(self.from_minor(minor))

    def display(self, minor: int) -> str:
        """Minor units for people: thousands separated, e.g. "KES 1,250.00"."""
        return f"{self.code} {self.from_minor(minor):,}"
