"""dlt's destination conformance suite on the Redshift plugin, against the stand-in."""

from __future__ import annotations

from typing import Any

import pytest
from stand_in_dialect import STAND_IN

import dlt
from dlt.testing.conformance import DestinationConformance


class TestRedshiftConformance(DestinationConformance):
    """Every scenario of the suite; each test gets its own dataset."""

    @pytest.fixture
    def destination(self, stand_in: Any) -> Any:
        return dlt.destinations.redshift(credentials=stand_in.connection_string, dialect=STAND_IN.dialect)

    @pytest.fixture
    def wrong_destination(self, stand_in: Any) -> Any:
        # a database that does not exist on the server: terminal, named in the error
        return dlt.destinations.redshift(
            credentials=stand_in.connection_string.replace("/dev?", "/no_such_db?"),
            dialect=STAND_IN.dialect)
