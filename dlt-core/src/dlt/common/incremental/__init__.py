"""`dlt.common.incremental`: dlt 1.31's import path of the incremental's types."""
