"""`dlt.common.configuration.inject`: re-export of `dlt.configuration.inject.with_config`."""

from dlt.configuration.inject import with_config

__all__ = ["with_config"]
