"""Configuration and secrets: providers, lookup by section, injection into arguments."""

from dlt.configuration.accessors import config, secrets
from dlt.configuration.resolve import (
    ConfigFieldMissingError,
    ConfigValueError,
    get_resolver,
    reset_resolver,
)

__all__ = ["ConfigFieldMissingError", "ConfigValueError", "config", "get_resolver",
           "reset_resolver", "secrets"]
