"""`dlt.common.configuration.exceptions`: re-exports of `dlt.configuration.exceptions`."""

from dlt.configuration.exceptions import (
    ConfigFieldMissingException,
    ConfigurationException,
    ConfigurationValueError,
    ConfigValueCannotBeCoercedException,
    InvalidNativeValue,
    LookupTrace,
    ValueNotSecretException,
)
from dlt.configuration.providers import ConfigFileError as ConfigFileNotFoundException

__all__ = [
    "ConfigFieldMissingException", "ConfigFileNotFoundException", "ConfigValueCannotBeCoercedException",
    "ConfigurationException", "ConfigurationValueError", "InvalidNativeValue", "LookupTrace",
    "ValueNotSecretException",
]
