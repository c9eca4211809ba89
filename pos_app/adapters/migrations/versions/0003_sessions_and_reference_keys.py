"""Live sign-in sessions, mobile-money references kept as their normalised key, and the
database's own identity.

A session row lets the service layer refuse a signed-out window, a disabled user
or a role taken away. Mobile-money references already taken are rewritten to the
key `pos_app.domain.text.reference_key` gives, so `QK71XR` and `qk71xr\u200b` are
one transaction. `database_id` is a random id made with the schema, so witnesses
kept outside the database never confuse a training copy with the live one.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

from pos_app.adapters.types import UTCDateTime
from pos_app.domain.text import reference_key

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _key() -> sa.types.TypeEngine:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "user_sessions",
        sa.Column("id", _key(), nullable=False),
        sa.Column("user_id", _key(), nullable=False),
        sa.Column("workstation", sa.String(length=16), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("end_reason", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_user_sessions_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
    )
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_sessions_user_id"), ["user_id"], unique=False)
    _normalise_references()
    op.get_bind().execute(
        sa.text("INSERT INTO settings (key, value) VALUES ('database_id', :value)"),
        {"value": uuid.uuid4().hex},
    )


def _normalise_references() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT reference FROM mobile_money_refs")).all()
    for (reference,) in rows:
        key = reference_key(reference)
        if key != reference:
            bind.execute(sa.text("UPDATE mobile_money_refs SET reference = :key "
                                 "WHERE reference = :old"), {"key": key, "old": reference})


def downgrade() -> None:
    op.get_bind().execute(sa.text("DELETE FROM settings WHERE key = 'database_id'"))
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_sessions_user_id"))
    op.drop_table("user_sessions")
