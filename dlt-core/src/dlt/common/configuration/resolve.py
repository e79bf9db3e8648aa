"""`dlt.common.configuration.resolve`: re-export of `dlt.configuration.resolve.resolve_configuration`."""

from dlt.configuration.resolve import resolve_configuration

__all__ = ["resolve_configuration"]
