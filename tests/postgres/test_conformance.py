"""dlt's destination conformance suite on the PostgreSQL plugin, against a real server."""

from __future__ import annotations

from typing import Any

import pytest

import dlt
from dlt.testing.conformance import DestinationConformance


class TestPostgresConformance(DestinationConformance):
    """Every scenario of the suite; each test gets its own dataset."""

    @pytest.fixture
    def destination(self, postgres_url: str) -> Any:
        return dlt.destinations.postgres(credentials=postgres_url)

    @pytest.fixture
    def wrong_destination(self, postgres_url: str) -> Any:
        # a database that does not exist on the server: the error names the destination
        return dlt.destinations.postgres(credentials=postgres_url.rsplit("/", 1)[0] + "/no_such_db")
