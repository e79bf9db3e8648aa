"""Configuration and secrets: providers, lookup by section, specs, injection into arguments.

The user-facing import paths `dlt.common.configuration[.specs|.exceptions]` re-export from here.
"""

from dlt.configuration.accessors import config, secrets
from dlt.configuration.exceptions import (
    ConfigFieldMissingException,
    ConfigurationException,
    ConfigValueError,
    ValueNotSecretException,
)
from dlt.configuration.resolve import (
    ConfigFieldMissingError,
    get_resolver,
    reset_resolver,
    resolve_configuration,
)
from dlt.configuration.specs import (
    BaseConfiguration,
    ConnectionStringCredentials,
    CredentialsConfiguration,
    configspec,
)

__all__ = [
    "BaseConfiguration", "ConfigFieldMissingError", "ConfigFieldMissingException",
    "ConfigValueError", "ConfigurationException", "ConnectionStringCredentials",
    "CredentialsConfiguration", "ValueNotSecretException", "config", "configspec",
    "get_resolver", "reset_resolver", "resolve_configuration", "secrets",
]
