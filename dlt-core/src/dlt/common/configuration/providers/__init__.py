"""`dlt.common.configuration.providers`: re-exports of `dlt.configuration.providers`."""

from dlt.configuration.providers import (
    ConfigProvider,
    ConfigTomlProvider,
    CustomLoaderDocProvider,
    EnvironProvider,
    SecretsTomlProvider,
    TomlProvider,
)

__all__ = ["ConfigProvider", "ConfigTomlProvider", "CustomLoaderDocProvider", "EnvironProvider",
           "SecretsTomlProvider", "TomlProvider"]
