"""The version of the dlt-airflow distribution."""

__version__ = "0.1.0"
