"""The facility's name and currency: set once by the administrator (or the demo loader)."""

from __future__ import annotations

from pos_app.adapters import ledger, receipt_queries, settings_repo
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.actors import Actor, Role
from pos_app.domain.errors import Refused
from pos_app.domain.facility import Facility
from pos_app.domain.money import Currency
from pos_app.domain.text import refuse_controls
from pos_app.services import sessions


def set_facility(
    uow: UnitOfWork,
    *,
    actor: Actor,
    workstation: str,
    name: str,
    currency_code: str,
    minor_units: int,
    require_shift: bool = True,
) -> Facility:
    """Store the facility settings; the currency is fixed once money has been taken."""
    name = refuse_controls(name.strip(), what="facility name")
    facility = Facility(name, Currency(currency_code.upper(), minor_units), require_shift)
    with uow:
        actor = sessions.authorize(uow, actor, Role.ADMIN, "change the facility settings")
        write_facility(uow, facility)
        ledger.record(
            uow, workstation, actor=actor, action="facility.set", details=facility.to_settings()
        )
        uow.commit()
    return facility


def write_facility(uow: UnitOfWork, facility: Facility) -> None:
    """Replace the settings rows inside the caller's transaction."""
    current = settings_repo.read_all(uow)
    changes_currency = current and (
        current.get("currency_code") != facility.currency.code
        or current.get("currency_minor_units") != str(facility.currency.minor_units)
    )
    if changes_currency and receipt_queries.any_issued(uow):
        raise Refused(
            "The currency cannot change once money has been taken.", code="currency_locked"
        )
    settings_repo.put(uow, facility.to_settings())


def get_facility(uow: UnitOfWork) -> Facility:
    """The facility's name and currency, for headers and money display."""
    with uow:
        return uow.facility()
