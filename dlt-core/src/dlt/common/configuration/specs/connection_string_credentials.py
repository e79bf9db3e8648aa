"""`dlt.common.configuration.specs.connection_string_credentials`: re-export of
`dlt.configuration.specs.ConnectionStringCredentials`."""

from dlt.configuration.specs import ConnectionStringCredentials

__all__ = ["ConnectionStringCredentials"]
