"""dlt-airflow: `dlt.helpers.airflow_helper` (run a dlt source as Airflow tasks) and a config
provider that reads dlt secrets from Airflow Variables and Connections, registered through the
`dlt.plugins` entry point."""

from dlt_airflow.version import __version__

__all__ = ["__version__"]
