"""`dummy`: a destination for testing pipelines without a database, as in dlt 1.31.

Its jobs do nothing with the data. Each job completes, fails for good or asks for a retry
with the configured probabilities, checked every 0.1 s until `timeout` (then it fails):
`dlt.destinations.dummy(completed_prob=1.0)` loads everything, `fail_prob=1.0` fails every job.
Settings come from the arguments or from `destination.dummy.<setting>`
(`DESTINATION__DUMMY__COMPLETED_PROB=1`).
"""

from __future__ import annotations

from typing import Any, Optional

from pydantic import BaseModel, ConfigDict

from dlt.destinations.base import ClientContext, Destination, DestinationCapabilities


class DummySpec(BaseModel):
    """Settings of the dummy destination (the names and defaults of dlt 1.31's
    `DummyClientConfiguration`)."""

    model_config = ConfigDict(extra="allow", arbitrary_types_allowed=True)
    loader_file_format: str = "jsonl"
    fail_schema_update: bool = False
    """Raise a terminal error when the schema is migrated."""
    fail_schema_update_transiently: bool = False
    """Raise a transient error when the schema is migrated."""
    fail_prob: float = 0.0
    """Probability that a job fails for good, per check."""
    retry_prob: float = 0.0
    """Probability that a job asks for a retry (a transient error), per check."""
    completed_prob: float = 0.0
    """Probability that a job completes, per check."""
    exception_prob: float = 0.0
    """Probability that a job raises a transient exception, per check."""
    timeout: float = 10.0
    """Seconds after which a job that did not complete fails."""
    fail_terminally_in_init: bool = False
    """Every job fails for good as soon as it starts."""
    fail_transiently_in_init: bool = False
    """Every job raises a transient error as soon as it starts."""
    fail_table_names: Optional[list[str]] = None
    """Jobs of these tables fail for good; jobs of other tables complete."""
    truncate_tables_on_staging_destination_before_load: bool = True
    create_followup_jobs: bool = False
    """Accepted for compatibility; this dummy creates no follow-up jobs."""
    credentials: Any = None


_SETTINGS = tuple(name for name in DummySpec.model_fields if name != "credentials")


class dummy(Destination):  # noqa: N801 - the public name users write: dlt.destinations.dummy
    """A destination whose jobs complete or fail as configured; nothing is stored."""

    destination_name = "dummy"
    spec = DummySpec
    config_fields = {"credentials": (False, True), **{name: (False, False) for name in _SETTINGS}}

    def __init__(self, credentials: Any = None, destination_name: str | None = None,
                 environment: str | None = None, **settings: Any) -> None:
        super().__init__(credentials, destination_name, environment, **settings)

    def capabilities(self) -> DestinationCapabilities:
        """Only the configured `loader_file_format` (jsonl by default); no transactions."""
        file_format = self.configuration().get("loader_file_format") or "jsonl"
        return DestinationCapabilities(
            preferred_loader_file_format=file_format,
            supported_loader_file_formats=(file_format,),
            preferred_arrow_file_format="parquet" if file_format != "arrow" else "arrow",
            max_identifier_length=127,
            max_column_identifier_length=127,
            max_query_length=8 * 1024 * 1024,
            supports_transactions=False,
            supports_merge=True,
            max_parallel_load_jobs=1,
            supported_staging_file_formats=(file_format,),
        )

    def client(self, context: ClientContext) -> Any:
        """A job client that runs the configured outcomes."""
        from dlt.destinations.impl.dummy.client import DummyJobClient

        return DummyJobClient(context, self.capabilities(), DummySpec.model_validate(self.configuration()))
