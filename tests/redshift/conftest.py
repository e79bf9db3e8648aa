"""Fixtures for the Redshift destination tests: a real server reached through redshift-connector.

``redshift_stand_in`` (session scope) starts a throwaway PostgreSQL behind a small wire-protocol
proxy on 127.0.0.1 (see ``tests/support/pg_server.py``) and always stops it at the end of the session, also
when tests fail or the session is interrupted.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# the PostgreSQL server helper is shared with tests/postgres
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "support"))

from pg_server import StandIn, start_stand_in
from stand_in_dialect import STAND_IN


@pytest.fixture(scope="session")
def redshift_stand_in() -> Iterator[StandIn]:
    """The running stand-in: ``host``, ``port``, ``database``, ``user``, ``password``,
    ``connection_string``, ``connect()``, ``admin_execute(sql)``."""
    stand_in = start_stand_in()
    try:
        yield stand_in
    finally:
        stand_in.stop()


@pytest.fixture
def schema_name(redshift_stand_in: StandIn) -> Iterator[str]:
    """A unique schema name; the schema (if the test created it) is dropped afterwards."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    yield name
    # lock_timeout: a connection left idle in a transaction must not hang the teardown
    redshift_stand_in.admin_execute(
        f"SET lock_timeout = '10s'; DROP SCHEMA IF EXISTS {name} CASCADE"
    )


@pytest.fixture
def redshift_conn(redshift_stand_in: StandIn, schema_name: str) -> Iterator[Any]:
    """A fresh ``redshift_connector`` connection as the loader role, closed after the test.

    It requests ``schema_name`` so that it is closed (ending its open transaction and its
    locks) before ``schema_name``'s teardown drops the schema.
    """
    conn = redshift_stand_in.connect()
    try:
        yield conn
    finally:
        conn.close()


@pytest.fixture(scope="session")
def stand_in(redshift_stand_in: StandIn) -> StandIn:
    """The stand-in, taught Redshift's SUPER / VARBYTE names (see ``stand_in_dialect.py``)."""
    STAND_IN.prepare(redshift_stand_in)
    return redshift_stand_in


@pytest.fixture
def destination(stand_in: StandIn) -> Any:
    """`dlt.destinations.redshift` on the stand-in, with the stand-in's dialect."""
    import dlt

    return dlt.destinations.redshift(credentials=stand_in.connection_string, dialect=STAND_IN.dialect)
