"""Hook implementations of the `airflow` plugin: only registration, Airflow is not imported."""

from __future__ import annotations

from typing import Any

from dlt import hookimpl


@hookimpl
def register_helpers(register: Any) -> None:
    """Make `import dlt.helpers.airflow_helper` import `dlt_airflow.airflow_helper`."""
    register("airflow_helper", "dlt_airflow.airflow_helper")


@hookimpl
def register_config_providers(register: Any) -> None:
    """Register the provider that reads secrets from Airflow Variables and Connections; it
    answers only inside an Airflow task or DAG file (see `dlt_airflow.secrets`)."""
    from dlt_airflow.secrets import AirflowSecretsProvider

    register(AirflowSecretsProvider())
