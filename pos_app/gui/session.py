"""Who is signed in, where, and for which facility: what every controller call needs."""

from __future__ import annotations

from dataclasses import dataclass

from pos_app.domain.actors import Actor
from pos_app.domain.facility import Facility


@dataclass(frozen=True)
class Session:
    actor: Actor
    workstation: str
    facility: Facility

    def who(self) -> str:
        """The top bar's line: user, role and workstation."""
        return f"{self.actor.username} ({self.actor.role.value})  ·  {self.workstation}"
