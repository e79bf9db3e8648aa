"""`dlt.common.configuration.providers.toml` (dlt 1.31's path): the TOML file providers."""

from dlt.configuration.providers import ConfigTomlProvider, SecretsTomlProvider, TomlProvider

__all__ = ["ConfigTomlProvider", "SecretsTomlProvider", "TomlProvider"]
