"""The error tree: each error carries the SPEC's stable code and a message a cashier understands.

The command line maps the class to an exit status; the window shows the message.
"""

from __future__ import annotations


class CareTillError(Exception):
    """Base of every error the product expects and explains."""

    exit_status = 1
    default_code = "error"

    def __init__(
        self, message: str, *, code: str | None = None, details: dict | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        # Extra machine-readable facts for `--json`, e.g. every bad line of an import.
        self.details = details or {}


class BadInput(CareTillError):
    """The request itself is malformed: wrong amount, unknown option, missing field."""

    exit_status = 2
    default_code = "bad_input"


class Refused(CareTillError):
    """A business rule says no: insufficient balance, item already paid, no permission."""

    exit_status = 3
    default_code = "refused"


class Busy(CareTillError):
    """Someone else holds what we need (a lock wait ran out); trying again is safe."""

    exit_status = 4
    default_code = "busy"


class Conflict(CareTillError):
    """The request clashes with one already made, e.g. an idempotency key reused."""

    exit_status = 4
    default_code = "conflict"


class Unavailable(CareTillError):
    """The database cannot be reached; nothing was written."""

    exit_status = 5
    default_code = "database_unavailable"


class NotFound(BadInput):
    """The patient, item, bill or receipt named does not exist."""

    default_code = "not_found"


class OutcomeUnknown(CareTillError):
    """The connection went during COMMIT: the command may have taken effect, or not.

    Only a retry with the same idempotency key is safe: it replays or completes once.
    """

    exit_status = 4
    default_code = "outcome_unknown"
    MESSAGE = (
        "The connection was lost while saving: it may have gone through. Look before "
        "doing it again."
    )

    def with_key(self, key: str) -> OutcomeUnknown:
        """The same error for a money command, telling which key retries it safely."""
        return OutcomeUnknown(
            "The connection was lost while saving: the payment may have gone "
            f"through. Retry with the same key {key}.",
            details={**self.details, "idempotency_key": key},
        )
