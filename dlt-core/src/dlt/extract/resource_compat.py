"""Members of dlt 1.31's `DltResource` that scripts written for it use, kept on this dlt's
resource as thin views of what it has (`DltResource` mixes this class in)."""

from __future__ import annotations

import inspect
from typing import Any

from dlt.extract.errors import ResourceNotATransformer
from dlt.extract.steps import STEP


class ResourceCompat:
    """`add_step`, `parallelize`, `set_incremental`, `pipe_data_from` and the read-only
    properties dlt 1.31 has on a resource."""

    def add_step(self, item_transform: Any, insert_at: int | None = None) -> Any:
        """Add `item_transform(item)` or `item_transform(item, meta)` as a step over what the
        resource yields, as a whole (a page is one value; None drops it), as in dlt 1.31."""
        function = item_transform
        if _positional_count(item_transform) < 2:
            def function(item: Any, meta: Any, _one: Any = item_transform) -> Any:
                return _one(item)
        return self._add_step(STEP, function, insert_at)  # type: ignore[attr-defined]

    def parallelize(self) -> Any:
        """Run the resource's generator in the extract thread pool (`parallelized=True`)."""
        self.parallelized = True
        return self

    def set_incremental(self, new_incremental: Any) -> Any:
        """Set (or, with None, remove) the resource's incremental; returns it."""
        self.apply_hints(incremental=new_incremental)  # type: ignore[attr-defined]
        return new_incremental

    def pipe_data_from(self, data_from: Any) -> Any:
        """Feed this transformer from `data_from` (a resource) instead of its parent."""
        from dlt.extract.resource import _as_resource

        if not self.is_transformer:  # type: ignore[attr-defined]
            raise ResourceNotATransformer(
                f"pipe_data_from: resource '{self.name}' is not a transformer; only a"  # type: ignore[attr-defined]
                " transformer takes its data from another resource.")
        self._parent = _as_resource(data_from)
        return self

    @property
    def requires_args(self) -> bool:
        """True while the resource's function has arguments without values."""
        return not self._bound  # type: ignore[attr-defined]

    @property
    def args_bound(self) -> bool:
        """True once the resource was called with its arguments (it cannot be called again)."""
        return self.__dict__.get("_called", False)

    @property
    def has_dynamic_table_name(self) -> bool:
        """True when the table name is computed from each item."""
        return callable(self._hints.get("table_name"))  # type: ignore[attr-defined]

    @property
    def table_format(self) -> Any:
        """The `table_format` hint (`delta`, `iceberg`), or None."""
        return self._hints.get("table_format")  # type: ignore[attr-defined]

    @property
    def parent_table_name(self) -> Any:
        """The `parent_table_name` hint, or None."""
        return self._hints.get("parent_table_name")  # type: ignore[attr-defined]

    @property
    def validator(self) -> Any:
        """A validator of the pydantic model given as `columns` (a new one each time: each
        evaluation validates with its own), or None."""
        model = self._hints.get("validator_model")  # type: ignore[attr-defined]
        if model is None:
            return None
        from dlt.extract.pydantic_columns import ModelValidator

        table = self.table_name if isinstance(self.table_name, str) else self.name  # type: ignore[attr-defined]
        return ModelValidator(model, table, self.schema_contract)  # type: ignore[attr-defined]

    @property
    def custom_metrics(self) -> dict[str, Any]:
        """A dict for the resource's own metrics (`add_metrics` fills those of a run)."""
        return self.__dict__.setdefault("_custom_metrics", {})


def _positional_count(function: Any) -> int:
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return 1
    return sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in parameters)
