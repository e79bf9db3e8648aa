"""`dlt.common.configuration.providers`: re-exports of `dlt.configuration.providers`."""

from dlt.configuration.providers import ConfigProvider, CustomLoaderDocProvider, EnvironProvider

__all__ = ["ConfigProvider", "CustomLoaderDocProvider", "EnvironProvider"]
