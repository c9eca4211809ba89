"""The Alembic migrations build exactly the schema the code declares, and can be undone."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from pos_app.adapters.migrate import current_revision, downgrade, upgrade
from pos_app.adapters.tables import metadata
from tests.helpers.postgres import as_owner


def test_the_migrated_schema_matches_the_tables_in_code(app):
    with app.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []


def test_downgrade_to_nothing_and_upgrade_again(app):
    with as_owner(app) as owner:  # only the owner changes the schema
        downgrade(owner, "base")
        assert set(inspect(owner).get_table_names()) <= {"alembic_version"}
        upgrade(owner)
        assert current_revision(owner) is not None
        assert set(metadata.tables) <= set(inspect(owner).get_table_names())
