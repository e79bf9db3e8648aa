"""`dlt.sources.config` (dlt 1.31's path): `configspec` and `with_config` for sources."""

from dlt.common.configuration import with_config
from dlt.configuration.specs import configspec

__all__ = ["configspec", "with_config"]
