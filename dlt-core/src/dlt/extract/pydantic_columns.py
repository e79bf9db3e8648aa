"""Pydantic models as the `columns` hint of a resource: the columns they describe and the
validation of items against them in extract.

A model may carry `dlt_config: ClassVar[DltConfig] = {"skip_nested_types": True}` to leave its
list and model fields out of the columns, so dlt unpacks them as it does any nested data.
"""

from __future__ import annotations

import enum
import types
import typing
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, TypedDict

_TYPES: dict[Any, str] = {
    str: "text", int: "bigint", float: "double", bool: "bool", datetime: "timestamp",
    date: "date", time: "time", Decimal: "decimal", bytes: "binary", dict: "json", list: "json",
}


class DltConfig(TypedDict, total=False):
    """dlt options a pydantic model sets in its `dlt_config` class variable."""

    skip_nested_types: bool
    """Leave list and nested model fields out of the columns (dlt nests them as usual)."""
    skip_complex_types: bool
    """The old name of `skip_nested_types`."""
    return_validated_models: bool
    """Pass validated model instances on instead of dicts."""


def _dlt_config(model: Any) -> DltConfig:
    config = getattr(model, "dlt_config", None)
    return config if isinstance(config, dict) else {}


def _skip_nested(model: Any) -> bool:
    config = _dlt_config(model)
    return bool(config.get("skip_nested_types", config.get("skip_complex_types", False)))


def _data_type(annotation: Any) -> tuple[str | None, bool, bool]:
    """(data type, nullable, nested) of a field annotation."""
    nullable = False
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        nullable = len(args) < len(typing.get_args(annotation))
        # as dlt 1.31: a union of several types takes the first one's column type
        annotation = args[0] if args else Any
    annotation = _inner_type(annotation)
    origin = typing.get_origin(annotation)
    if origin in (list, tuple, set) or annotation in (list, tuple, set):
        return "json", nullable, True
    if origin is dict:
        return "json", nullable, False
    if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
        return "json", nullable, True
    if annotation in _TYPES or annotation is Any or not isinstance(annotation, type):
        return _TYPES.get(annotation), nullable, False
    # as dlt 1.31: subclasses map as their base type, other classes (UUID, ...) are text
    return next((t for base, t in _TYPES.items() if issubclass(annotation, base)), "text"), nullable, False


def _inner_type(annotation: Any) -> Any:
    """The type an `Annotated`, `Literal` (its first value's type), `NewType` or `Enum` (its
    first member's value type) stands for, as dlt 1.31 reads them."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin is typing.Literal:
            values = typing.get_args(annotation)
            return type(values[0]) if values else Any
        elif hasattr(annotation, "__supertype__"):
            annotation = annotation.__supertype__
        elif isinstance(annotation, type) and issubclass(annotation, enum.Enum):
            members = list(annotation)
            return type(members[0].value) if members else Any
        else:
            return annotation


def columns_from_model(model: Any) -> dict[str, dict[str, Any]]:
    """Map each field of a pydantic model to a column with data type and nullability."""
    skip_nested = _skip_nested(model)
    columns: dict[str, dict[str, Any]] = {}
    for name, field in model.model_fields.items():
        data_type, nullable, nested = _data_type(field.annotation)
        if nested and skip_nested:
            continue
        column: dict[str, Any] = {"name": field.alias or name, "nullable": nullable}
        if data_type:
            column["data_type"] = data_type
        columns[column["name"]] = column
    return columns


class ModelValidator:
    """Validates items (or pages of items) against a model and passes them on as dicts.

    Fields not in the model are dropped (`columns: discard_value`, dlt's implied contract),
    kept (`evolve`) or rejected (`freeze`); a value that fails validation raises
    `DataValidationError` naming the table and the first failing field.
    """

    def __init__(self, model: Any, table_name: str, contract: dict[str, str] | None) -> None:
        from pydantic import ConfigDict

        self.table_name = table_name
        contract = contract or {}
        self.contract = contract
        self.columns_mode = contract.get("columns", "discard_value")
        self.data_mode = contract.get("data_type", "freeze")
        extra = {"evolve": "allow", "freeze": "forbid", "discard_row": "forbid"}.get(
            self.columns_mode, "ignore")
        # a subclass with our `extra` setting; validators and aliases of the model stay
        self.model = _with_extra(model, extra, ConfigDict)
        self.return_models = bool(_dlt_config(model).get("return_validated_models", False))

    def __call__(self, item: Any) -> Any:
        if isinstance(item, list):
            kept = [self._one(element) for element in item]
            return [element for element in kept if element is not _DISCARDED]
        one = self._one(item)
        return None if one is _DISCARDED else one

    def _one(self, item: Any) -> Any:
        """The validated item; `_DISCARDED` when the contract's `discard_row` drops it (a field
        that fails validation under `data_type`, an unknown field under `columns`), the item as
        it is when `data_type` is `evolve` (its values then evolve the schema as any data)."""
        from pydantic import BaseModel, ValidationError

        from dlt.schema.exceptions import DataValidationError

        if isinstance(item, BaseModel):
            item = item.model_dump(by_alias=True)
        try:
            validated = self.model.model_validate(item)
        except ValidationError as exc:
            errors = exc.errors()
            extra_only = bool(errors) and all(e.get("type") == "extra_forbidden" for e in errors)
            mode = self.columns_mode if extra_only else self.data_mode
            if mode == "discard_row":
                return _DISCARDED
            if mode == "evolve" and not extra_only:
                return item
            error = errors[0] if errors else {}
            column = ".".join(str(part) for part in error.get("loc", ())) or None
            entity = "columns" if extra_only else "data_type"
            raise DataValidationError(None, self.table_name, column, entity, "freeze",
                                      schema_contract=self.contract, data_item=item,
                                      extended_info=str(exc)) from exc
        return validated if self.return_models else validated.model_dump(by_alias=True)


_DISCARDED = object()
"""What `ModelValidator._one` returns for an item its contract discards."""


def _with_extra(model: Any, extra: str, config_dict: Any) -> Any:
    namespace = {"model_config": config_dict(**{**model.model_config, "extra": extra})}
    return type(model.__name__, (model,), namespace)
