"""The facility: its name, currency and the house rules an administrator sets."""

from __future__ import annotations

from dataclasses import dataclass

from pos_app.domain.money import Currency


@dataclass(frozen=True)
class Facility:
    """Settings every money command reads inside its own transaction."""

    name: str
    currency: Currency
    # Cash is taken inside a cashier's shift unless the administrator opts out.
    require_shift: bool = True

    @classmethod
    def from_settings(cls, rows: dict[str, str]) -> Facility:
        return cls(
            name=rows.get("facility_name", ""),
            currency=Currency(rows["currency_code"], int(rows["currency_minor_units"])),
            require_shift=rows.get("require_shift", "false") == "true",
        )

    def to_settings(self) -> dict[str, str]:
        return {
            "facility_name": self.name,
            "currency_code": self.currency.code,
            "currency_minor_units": str(self.currency.minor_units),
            "require_shift": "true" if self.require_shift else "false",
        }
