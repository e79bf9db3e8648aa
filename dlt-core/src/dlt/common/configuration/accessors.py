"""`dlt.common.configuration.accessors`: re-exports of `dlt.configuration.accessors`."""

from dlt.configuration.accessors import config, secrets

__all__ = ["config", "secrets"]
