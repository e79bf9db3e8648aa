"""`dlt.common.configuration` as dlt 1.31 users import it: re-exports only.

The real code: `dlt.configuration.specs` (`configspec`, specs), `dlt.configuration.resolve`
(`resolve_configuration`), `dlt.configuration.inject` (`with_config`), `dlt.configuration.exceptions`.
"""

from dlt.common.configuration.specs import known_sections
from dlt.configuration.exceptions import (
    ConfigFieldMissingException,
    ConfigurationValueError,
    ConfigValueCannotBeCoercedException,
    InvalidNativeValue,
    ValueNotSecretException,
)
from dlt.configuration.inject import with_config
from dlt.configuration.resolve import resolve_configuration
from dlt.configuration.specs import BaseConfiguration, CredentialsConfiguration, configspec
from dlt.configuration.typing import is_secret_hint

__all__ = [
    "BaseConfiguration", "ConfigFieldMissingException", "ConfigValueCannotBeCoercedException",
    "ConfigurationValueError", "CredentialsConfiguration", "InvalidNativeValue",
    "ValueNotSecretException", "configspec", "is_secret_hint", "known_sections", "resolve_configuration",
    "with_config",
]
