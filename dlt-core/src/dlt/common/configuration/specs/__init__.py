"""`dlt.common.configuration.specs`: re-exports of `dlt.configuration.specs`."""

from dlt.common.configuration.specs import known_sections

from dlt.configuration.specs import (
    AwsCredentials,
    AzureCredentials,
    BaseConfiguration,
    ConnectionStringCredentials,
    CredentialsConfiguration,
    GcpCredentials,
    GcpOAuthCredentials,
    GcpServiceAccountCredentials,
    OAuth2Credentials,
    RunConfiguration,
    RuntimeConfiguration,
    configspec,
)

__all__ = [
    "AwsCredentials", "AzureCredentials", "BaseConfiguration", "ConnectionStringCredentials",
    "CredentialsConfiguration", "GcpCredentials", "GcpOAuthCredentials", "GcpServiceAccountCredentials",
    "OAuth2Credentials", "RunConfiguration", "RuntimeConfiguration", "configspec",
    "known_sections",
]
