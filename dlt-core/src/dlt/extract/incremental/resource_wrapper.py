"""`IncrementalResourceWrapper`: what `resource.incremental` gives for a resource whose function
takes an incremental argument, as in dlt 1.31.

The incremental of such a resource is made when the function is called during an evaluation, so
before a run the wrapper has none (unless one was attached with `apply_hints`); after a run it
holds the incremental that run bound, with its `last_value`. Setting
`allow_external_schedulers` on the wrapper applies to the incremental of every later run.
"""

from __future__ import annotations

from typing import Any


class IncrementalResourceWrapper:
    """The incremental of one resource with an incremental argument, seen from outside a run."""

    def __init__(self, resource: Any) -> None:
        self._resource = resource
        self._slot: Any = None
        self._allow_external_schedulers: bool | None = None

    def _hinted(self) -> Any:
        return self._resource._hints.get("incremental")

    @property
    def incremental(self) -> Any:
        """The incremental attached with `apply_hints`, or the one the last run bound (None
        before the resource ran)."""
        hinted = self._hinted()
        slot = self._slot
        if slot is not None and slot.cursor is not None and slot.hinted is hinted:
            return slot.cursor
        return hinted

    @property
    def primary_key(self) -> Any:
        """The key that de-duplicates rows at the cursor boundary: the incremental's own, or
        the resource's primary key."""
        incremental = self.incremental
        own = getattr(incremental, "primary_key", None)
        if own is not None:
            return own
        key = self._resource._hints.get("primary_key")
        if isinstance(key, (list, tuple)) and len(key) == 1:
            return key[0]  # the hints keep `primary_key="id"` as ["id"]
        return key

    @property
    def allow_external_schedulers(self) -> bool | None:
        """Whether the incremental takes its window from an external scheduler (Airflow)."""
        incremental = self.incremental
        if incremental is not None:
            return incremental.allow_external_schedulers
        return self._allow_external_schedulers

    @allow_external_schedulers.setter
    def allow_external_schedulers(self, value: bool) -> None:
        self._allow_external_schedulers = value
        hinted = self._hinted()
        if hinted is not None and hasattr(hinted, "allow_external_schedulers"):
            hinted.allow_external_schedulers = value

    @property
    def custom_metrics(self) -> dict[str, Any]:
        """Metrics of the incremental step (none are collected)."""
        return {}

    def __repr__(self) -> str:
        return f"<IncrementalResourceWrapper of resource '{self._resource.name}': {self.incremental!r}>"
