"""`dlt.common.configuration.specs.base_configuration`: re-exports of `dlt.configuration.specs`."""

from dlt.configuration.specs import BaseConfiguration, CredentialsConfiguration, configspec
from dlt.configuration.typing import is_secret_hint

__all__ = ["BaseConfiguration", "CredentialsConfiguration", "configspec", "is_secret_hint"]
