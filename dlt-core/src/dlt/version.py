"""The version of the dlt-core distribution."""

__version__ = "0.1.0"
DLT_CORE_DISTRIBUTION = "dlt-core"
