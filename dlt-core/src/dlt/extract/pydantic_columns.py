"""Pydantic models as the `columns` hint of a resource: the columns they describe and the
validation of items against them in extract.

A model may carry `dlt_config: ClassVar[DltConfig] = {"skip_nested_types": True}` to leave its
list and model fields out of the columns, so dlt unpacks them as it does any nested data.
"""

from __future__ import annotations

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
        annotation = args[0] if len(args) == 1 else Any
        origin = typing.get_origin(annotation)
    if origin in (list, tuple, set) or annotation in (list, tuple, set):
        return "json", nullable, True
    if origin is dict:
        return "json", nullable, False
    if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
        return "json", nullable, True
    return _TYPES.get(annotation), nullable, False


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
        extra = {"evolve": "allow", "freeze": "forbid"}.get(self.columns_mode, "ignore")
        # a subclass with our `extra` setting; validators and aliases of the model stay
        self.model = _with_extra(model, extra, ConfigDict)
        self.return_models = bool(_dlt_config(model).get("return_validated_models", False))

    def __call__(self, item: Any) -> Any:
        if isinstance(item, list):
            return [self._one(element) for element in item]
        return self._one(item)

    def _one(self, item: Any) -> Any:
        from pydantic import BaseModel, ValidationError

        from dlt.schema.exceptions import DataValidationError

        if isinstance(item, BaseModel):
            item = item.model_dump(by_alias=True)
        try:
            validated = self.model.model_validate(item)
        except ValidationError as exc:
            error = exc.errors()[0] if exc.errors() else {}
            column = ".".join(str(part) for part in error.get("loc", ())) or None
            entity = "columns" if error.get("type") == "extra_forbidden" else "data_type"
            raise DataValidationError(None, self.table_name, column, entity, "freeze",
                                      schema_contract=self.contract, data_item=item,
                                      extended_info=str(exc)) from exc
        return validated if self.return_models else validated.model_dump(by_alias=True)


def _with_extra(model: Any, extra: str, config_dict: Any) -> Any:
    namespace = {"model_config": config_dict(**{**model.model_config, "extra": extra})}
    return type(model.__name__, (model,), namespace)
