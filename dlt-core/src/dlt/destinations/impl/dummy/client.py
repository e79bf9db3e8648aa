"""The dummy job client: jobs complete, fail or ask for a retry as `DummySpec` says."""

from __future__ import annotations

from collections.abc import Sequence

import random
import time
from pathlib import Path
from typing import Any

from dlt.destinations.base import (
    ClientContext,
    DestinationCapabilities,
    DestinationTerminalError,
    DestinationTransientError,
    JobClient,
    LoadJobTerminalError,
)
from dlt.destinations.impl.dummy.factory import DummySpec

CHECK_INTERVAL = 0.1
"""Seconds between two checks of a running dummy job (dlt 1.31's loop)."""


class DummyJobClient(JobClient):
    """Stores nothing; every job's outcome follows the configured probabilities."""

    def __init__(self, context: ClientContext, capabilities: DestinationCapabilities,
                 config: DummySpec) -> None:
        super().__init__(context, capabilities)
        self.config = config

    def begin_load(self, load_id: str, tables: Sequence[str] = ()) -> None:
        """Nothing to begin: the dummy has no transactions."""

    def complete_load(self, load_id: str, tables: list[str] | None = None) -> None:
        """Nothing to record: the dummy stores no `_dlt_loads` rows."""

    def update_stored_schema(self) -> list[str]:
        """Nothing to migrate; fails when configured to."""
        if self.config.fail_schema_update:
            raise DestinationTerminalError(
                "The dummy destination failed the schema update because `fail_schema_update` is set."
            )
        if self.config.fail_schema_update_transiently:
            raise DestinationTransientError(
                "The dummy destination failed the schema update transiently because"
                " `fail_schema_update_transiently` is set."
            )
        return []

    def run_job(self, job: Any, path: Path) -> None:
        """Wait for the job's outcome: complete, fail for good, or raise a transient error."""
        config = self.config
        if config.fail_terminally_in_init:
            raise LoadJobTerminalError(path.name, "the dummy job failed in init (`fail_terminally_in_init`).")
        if config.fail_transiently_in_init:
            raise DestinationTransientError(
                f"Dummy job {path.name} failed transiently in init (`fail_transiently_in_init`)."
            )
        started = time.monotonic()
        while True:
            if config.exception_prob >= random.random():
                raise DestinationTransientError(f"Dummy job {path.name} raised an exception (`exception_prob`).")
            if time.monotonic() - started > config.timeout:
                raise LoadJobTerminalError(path.name, f"the dummy job timed out after {config.timeout} s.")
            if config.completed_prob >= random.random():
                return
            if config.retry_prob >= random.random():
                raise DestinationTransientError(f"Dummy job {path.name}: a random retry occurred (`retry_prob`).")
            if config.fail_table_names is not None:
                if job.table_name in config.fail_table_names:
                    raise LoadJobTerminalError(path.name, f"table {job.table_name} is configured to fail.")
                return
            if config.fail_prob >= random.random():
                raise LoadJobTerminalError(path.name, "a random fail occurred (`fail_prob`).")
            time.sleep(CHECK_INTERVAL)
