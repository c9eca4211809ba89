"""Schema steps more than one revision needs."""

from __future__ import annotations

import re

from alembic import op


def swap_check(table: str, old: tuple[str, str], new: tuple[str, str]) -> None:
    """Replace one CHECK constraint. SQLite cannot alter a constraint: the table is rebuilt
    from its own CREATE statement (the migration runs with foreign keys off, checked before
    commit), and its indexes and triggers are made again."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {old[0]}")
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {new[0]} CHECK ({new[1]})")
        return
    create = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar_one()
    before = f"CONSTRAINT {old[0]} CHECK ({old[1]})"
    if before not in create:
        raise RuntimeError(f"{table} has no {before}")
    extras = (
        bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger') "
            "AND sql IS NOT NULL",
            (table,),
        )
        .scalars()
        .all()
    )
    rebuilt = f"{table}_rebuild"
    # After a rename SQLite keeps the name quoted: CREATE TABLE "payments" (...
    op.execute(
        re.sub(rf'^CREATE TABLE "?{table}"?', f"CREATE TABLE {rebuilt}", create, count=1).replace(
            before, f"CONSTRAINT {new[0]} CHECK ({new[1]})"
        )
    )
    op.execute(f"INSERT INTO {rebuilt} SELECT * FROM {table}")
    op.execute(f"DROP TABLE {table}")
    op.execute(f"ALTER TABLE {rebuilt} RENAME TO {table}")
    for statement in extras:
        op.execute(statement)
