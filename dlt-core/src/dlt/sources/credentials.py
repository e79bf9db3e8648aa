"""`dlt.sources.credentials`: the credential specs sources take, re-exported from
`dlt.configuration.specs`."""

from dlt.configuration.specs import (
    AwsCredentials,
    AzureCredentials,
    ConnectionStringCredentials,
    CredentialsConfiguration,
    FileSystemCredentials,
    GcpCredentials,
    GcpOAuthCredentials,
    GcpServiceAccountCredentials,
    OAuth2Credentials,
    configspec,
)

__all__ = [
    "AwsCredentials", "AzureCredentials", "ConnectionStringCredentials", "CredentialsConfiguration",
    "FileSystemCredentials", "GcpCredentials", "GcpOAuthCredentials", "GcpServiceAccountCredentials",
    "OAuth2Credentials", "configspec",
]
