"""Fixtures of the deployment tests: a real pgbouncer in front of the session's server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers.pgbouncer import Bouncer, running_pgbouncer


@pytest.fixture(scope="session")
def bouncer(pg_admin_url: str, pg_template: str) -> Iterator[Bouncer]:
    """pgbouncer (transaction pooling, four server connections per database) started after
    the roles exist, since it reads the application role's SCRAM secret."""
    with running_pgbouncer(pg_admin_url, pool_size=4) as running:
        yield running
