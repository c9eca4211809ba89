"""Who is acting: a signed-in user and what their role lets them do."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from pos_app.domain.errors import Refused


class Role(enum.StrEnum):
    """Roles rank upward: a supervisor may do what a cashier may, an admin all of it."""

    CASHIER = "cashier"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return {"cashier": 1, "supervisor": 2, "admin": 3}[self.value]


@dataclass(frozen=True)
class Actor:
    """A signed-in user, as the services need to know them."""

    user_id: int
    username: str
    role: Role
    must_change_password: bool = False
    # The live `user_sessions` row this actor acts through; None for a one-off sign-off.
    session_id: int | None = None

    def require(self, role: Role, action: str) -> None:
        """Refuse with `permission_denied` unless this actor's role reaches `role`."""
        if self.role.rank < role.rank:
            raise Refused(
                f"{self.username} ({self.role}) may not {action}: it needs a {role}.",
                code="permission_denied",
            )
