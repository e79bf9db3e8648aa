"""Fixtures for the PostgreSQL destination tests: a real PostgreSQL on 127.0.0.1.

``postgres_server`` (session scope) starts a throwaway cluster from Debian's server binaries
with ``tests/support/pg_server.py`` (shared with the Redshift suite, here without its wire
proxy) and always stops it at the end of the session.

``postgis_url`` (session scope, only for the tests that use it) makes the server PostGIS-ready
(installing Debian's ``postgresql-<major>-postgis-3`` with apt-get when missing) and creates the
database ``dlt_gis`` with ``CREATE EXTENSION postgis``; ``dlt_data`` stays without it.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "support"))

from pg_server import StandIn, start_stand_in  # noqa: E402


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[StandIn]:
    """The running server: ``postgres_url``, ``user``, ``password``, ``database``, ``pg_port``,
    ``admin_execute(sql)``."""
    server = start_stand_in(database="dlt_data", user="loader", proxy=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: StandIn) -> str:
    """The server's `postgresql://` URL with the loader role's password."""
    return postgres_server.postgres_url


@pytest.fixture
def dataset_name(postgres_server: StandIn) -> Iterator[str]:
    """A unique dataset name; its schema and staging schema are dropped afterwards."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    yield name
    postgres_server.admin_execute(
        f"SET lock_timeout = '10s'; DROP SCHEMA IF EXISTS {name} CASCADE;"
        f" DROP SCHEMA IF EXISTS {name}_staging CASCADE", database="dlt_data")


@pytest.fixture
def pg_connection(postgres_server: StandIn) -> Iterator[Any]:
    """A psycopg connection of our own, to check what dlt wrote (autocommit)."""
    import psycopg

    connection = psycopg.connect(postgres_server.postgres_url, autocommit=True)
    try:
        yield connection
    finally:
        connection.close()


@pytest.fixture
def pipeline(postgres_url: str, dataset_name: str, tmp_path: Path) -> Any:
    """A pipeline loading into a fresh dataset of the test server."""
    import dlt

    return dlt.pipeline(pipeline_name=f"pg_{uuid.uuid4().hex[:8]}",
                        destination=dlt.destinations.postgres(postgres_url),
                        dataset_name=dataset_name, pipelines_dir=str(tmp_path / "pipelines"))


#: the database of the PostGIS tests (``dlt_data`` has no PostGIS)
POSTGIS_DATABASE = "dlt_gis"


@pytest.fixture(scope="session")
def postgis_url(postgres_server: StandIn) -> str:
    """The URL of the database ``dlt_gis``, which has the PostGIS extension; PostGIS is
    installed on the server first when it is missing (apt-get, root only)."""
    postgres_server.ensure_postgis()
    return postgres_server.create_database(POSTGIS_DATABASE, extensions=["postgis"])


@pytest.fixture
def postgis_pipeline(postgis_url: str, postgres_server: StandIn, tmp_path: Path) -> Iterator[Any]:
    """A pipeline loading into a fresh dataset of ``dlt_gis``, dropped (with its staging
    dataset) afterwards."""
    import dlt

    name = f"gis_{uuid.uuid4().hex[:12]}"
    yield dlt.pipeline(pipeline_name=f"pg_{uuid.uuid4().hex[:8]}",
                       destination=dlt.destinations.postgres(postgis_url),
                       dataset_name=name, pipelines_dir=str(tmp_path / "pipelines"))
    postgres_server.admin_execute(
        f"SET lock_timeout = '10s'; DROP SCHEMA IF EXISTS {name} CASCADE;"
        f" DROP SCHEMA IF EXISTS {name}_staging CASCADE", database=POSTGIS_DATABASE)


@pytest.fixture
def postgis_connection(postgis_url: str) -> Iterator[Any]:
    """A psycopg connection of our own to ``dlt_gis``, to check what dlt wrote (autocommit)."""
    import psycopg

    connection = psycopg.connect(postgis_url, autocommit=True)
    try:
        yield connection
    finally:
        connection.close()
