"""`dlt.common.configuration.specs`: re-exports of `dlt.configuration.specs`."""

from dlt.configuration.specs import (
    AwsCredentials,
    AzureCredentials,
    BaseConfiguration,
    ConnectionStringCredentials,
    CredentialsConfiguration,
    GcpCredentials,
    GcpServiceAccountCredentials,
    configspec,
)

__all__ = [
    "AwsCredentials", "AzureCredentials", "BaseConfiguration", "ConnectionStringCredentials",
    "CredentialsConfiguration", "GcpCredentials", "GcpServiceAccountCredentials", "configspec",
]
