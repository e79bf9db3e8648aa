"""`dlt.extract.state`: dlt 1.31's import path of the state accessors; re-exports of
`dlt.pipeline.current`."""

from dlt.pipeline.current import resource_state, source_state

__all__ = ["resource_state", "source_state"]
