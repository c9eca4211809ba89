"""The application role's privileges on PostgreSQL (SPEC rule 10, `caretill db grant ROLE`).

The owner migrates; the tills connect as a role that may read everything, append
everywhere, update only the rows the services update and delete only settings. It
owns nothing, so it cannot ALTER, DISABLE TRIGGER, DROP or CREATE. Privileges name
tables that exist when the grant runs: run it again after every `db upgrade`.

The grant also makes the tills' default timeouts the database's defaults. The engine sets
its own with SET LOCAL in every transaction; these are the safety net for any other
client (a report tool, an administrator's psql left open in a transaction).
"""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from pos_app.adapters.database import Timeouts
from pos_app.domain.errors import BadInput, Refused

# Tables a service changes in place (grep `update(` and `on_conflict` in services/adapters).
# A row lock (SELECT ... FOR UPDATE) needs UPDATE too: wallets, stock, payments, shifts.
UPDATABLE = (
    "approval_requests",
    "bill_items",
    "bills",
    "check_checkpoints",
    "idempotency_keys",
    "lab_results",
    "memberships",
    "payer_covers",
    "payments",
    "receipts",
    "receivable_accounts",
    "services",
    "shifts",
    "stock_items",
    "user_sessions",
    "users",
    "wallets",
    "workstation_keys",
    "workstations",
)
# Facility settings are replaced (delete then insert) as one change.
DELETABLE = ("settings",)
# The migrations' record: the role reads it (is the schema current?) but never writes it.
READ_ONLY = ("alembic_version",)

_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def grant(engine: Engine, role: str) -> list[str]:
    """Give `role` exactly the till's privileges in one transaction; returns the append-only
    tables it may not change. Idempotent: everything is revoked, then granted again."""
    if engine.dialect.name != "postgresql":
        raise BadInput(
            "An SQLite file has no roles to grant: `db grant` is for PostgreSQL.",
            code="not_postgresql",
        )
    if not _ROLE.match(role):
        raise BadInput(
            f"{role!r} is not a role name: use lower-case letters, digits and _.",
            code="invalid_role_name",
        )
    with engine.begin() as conn:
        _check_role(conn, role)
        quote = conn.dialect.identifier_preparer.quote
        who = quote(role)
        schema = quote(conn.execute(text("SELECT current_schema()")).scalar_one())
        database = quote(conn.execute(text("SELECT current_database()")).scalar_one())
        tables = _tables(conn)
        if not tables:
            raise Refused(
                "The database has no schema yet: run `caretill db upgrade` first.",
                code="schema_missing",
            )
        sealed = _append_only(conn)
        for kind in ("TABLES", "SEQUENCES", "FUNCTIONS"):
            conn.execute(text(f"REVOKE ALL ON ALL {kind} IN SCHEMA {schema} FROM PUBLIC, {who}"))
        conn.execute(text(f"REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC, {who}"))
        conn.execute(text(f"REVOKE CREATE, TEMPORARY ON DATABASE {database} FROM PUBLIC, {who}"))
        conn.execute(text(f"GRANT CONNECT ON DATABASE {database} TO {who}"))
        conn.execute(text(f"GRANT USAGE ON SCHEMA {schema} TO {who}"))
        conn.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {who}"))
        for table in tables:
            verbs = ["SELECT"]
            if table not in READ_ONLY:
                verbs.append("INSERT")
            if table in UPDATABLE and table not in sealed:
                verbs.append("UPDATE")
            if table in DELETABLE and table not in sealed:
                verbs.append("DELETE")
            conn.execute(text(f"GRANT {', '.join(verbs)} ON {schema}.{quote(table)} TO {who}"))
        _default_timeouts(conn, database, Timeouts())
    return sorted(sealed)


def granted_roles(engine: Engine) -> list[str]:
    """Roles other than the owner that hold privileges on the audit trail: the ones a
    `db upgrade` should be followed by `db grant` for."""
    if engine.dialect.name != "postgresql":
        return []
    with engine.connect() as conn:
        return list(
            conn.execute(
                text(
                    "SELECT DISTINCT grantee FROM information_schema.role_table_grants "
                    "WHERE table_schema = current_schema() AND table_name = 'audit_events' "
                    "AND grantee NOT IN (current_user, 'PUBLIC') ORDER BY grantee"
                )
            ).scalars()
        )


def _check_role(conn: Connection, role: str) -> None:
    row = conn.execute(
        text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r"), {"r": role}
    ).first()
    if row is None:
        raise BadInput(
            f"There is no role {role!r}: create it first "
            f"(CREATE ROLE {role} LOGIN PASSWORD '...').",
            code="unknown_role",
        )
    owns = conn.execute(
        text(
            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() "
            "AND pg_has_role(:r, tableowner, 'MEMBER')"
        ),
        {"r": role},
    ).scalar_one()
    if row.rolsuper or row.rolbypassrls or owns:
        raise Refused(
            f"Role {role!r} is a superuser or owns the schema, so no grant can hold "
            "it back: the tills need a role of their own.",
            code="role_too_powerful",
        )
    foreign = conn.execute(
        text(
            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() "
            "AND NOT pg_has_role(current_user, tableowner, 'USAGE')"
        )
    ).scalar_one()
    if foreign:  # PostgreSQL only warns when someone else's GRANT or REVOKE does nothing
        raise Refused(
            "Run `caretill db grant` as the database owner, the role that ran "
            "`caretill db upgrade`.",
            code="permission_denied",
        )


def _default_timeouts(conn: Connection, database: str, timeouts: Timeouts) -> None:
    """Per database, not per role: only a superuser or a CREATEROLE role may ALTER ROLE
    another role, but the database's owner, who migrates and grants, may ALTER DATABASE."""
    owner = conn.execute(
        text(
            "SELECT pg_has_role(current_user, datdba, 'MEMBER') FROM pg_database "
            "WHERE datname = current_database()"
        )
    ).scalar_one()
    if not owner:
        raise Refused(
            "Run `caretill db grant` as the owner of the database (CREATE DATABASE "
            "... OWNER), the role that runs `caretill db upgrade`.",
            code="permission_denied",
        )
    for name, seconds in (
        ("lock_timeout", timeouts.lock_wait_s),
        ("idle_in_transaction_session_timeout", timeouts.idle_in_transaction_s),
    ):
        conn.execute(text(f"ALTER DATABASE {database} SET {name} = {int(seconds * 1000)}"))


def _tables(conn: Connection) -> list[str]:
    return list(
        conn.execute(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "ORDER BY tablename"
            )
        ).scalars()
    )


def _append_only(conn: Connection) -> set[str]:
    """Tables whose trigger refuses changes (the ledgers, the audit trail, revision 0002's
    money records): never UPDATE or DELETE, whatever the lists above say."""
    return set(
        conn.execute(
            text(
                "SELECT DISTINCT c.relname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid "
                "JOIN pg_proc p ON p.oid = g.tgfoid "
                "WHERE c.relnamespace = current_schema()::regnamespace "
                "AND p.proname = 'caretill_append_only'"
            )
        ).scalars()
    )
