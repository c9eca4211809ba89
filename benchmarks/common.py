"""What the benchmark scripts share: the app on a URL and a facility with one user and service."""

from __future__ import annotations

from sqlalchemy import insert

from pos_app.adapters import tables as t
from pos_app.adapters.database import Timeouts
from pos_app.adapters.uow import UnitOfWork
from pos_app.bootstrap import App, build
from pos_app.config import Settings
from pos_app.domain.actors import Actor, Role
from pos_app.domain.clock import system_clock as utcnow
from pos_app.services.demo import DEMO_FACILITY
from pos_app.services.facility import write_facility

PRICE_MINOR = 50_000


def open_app(url: str) -> App:
    return build(Settings(url, "WS01", Timeouts(), config_path=None, local={}))


def facility_with_user(uow: UnitOfWork, role: Role = Role.SUPERVISOR) -> tuple[Actor, int]:
    """The demo facility, a user `bench` and a consultation priced PRICE_MINOR: (actor, id)."""
    write_facility(uow, DEMO_FACILITY)
    user_id = uow.execute(
        insert(t.users)
        .values(username="bench", role=role.value, password_hash="-", created_at=utcnow())
        .returning(t.users.c.id)
    ).scalar_one()
    service_id = uow.execute(
        insert(t.services)
        .values(code="CONS", name="Consultation", kind="consultation", unit_price_minor=PRICE_MINOR)
        .returning(t.services.c.id)
    ).scalar_one()
    return Actor(user_id, "bench", role), service_id
