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
