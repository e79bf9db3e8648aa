"""Objects that hold records: pydantic models, dataclass instances and named tuples load as the
dicts of their fields, as dlt 1.31 (whose extract writes items as JSON) loads them, so an item
or a nested value of such a type becomes columns and nested tables like a dict."""

from __future__ import annotations

import dataclasses
import sys
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

_PLAIN_TYPES = frozenset({str, int, float, bool, type(None), datetime, date, time, Decimal, bytes,
                          UUID, dict, list})


def as_record(value: Any) -> dict[str, Any] | None:
    """The fields of `value` as a dict when it is a record object (an object with `asdict()` or
    `_asdict()`, a pydantic model, a dataclass instance), else None."""
    if type(value) in _PLAIN_TYPES:
        return None
    if hasattr(value, "asdict") and callable(value.asdict):
        record = value.asdict()
    elif isinstance(value, tuple) and hasattr(value, "_asdict"):
        record = value._asdict()
    elif _is_pydantic_model(value):
        record = value.model_dump()
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        record = dataclasses.asdict(value)
    else:
        return None
    return dict(record) if isinstance(record, dict) else None


def _is_pydantic_model(value: Any) -> bool:
    pydantic = sys.modules.get("pydantic")
    return pydantic is not None and isinstance(value, pydantic.BaseModel)


def plain_value(value: Any) -> Any:
    """`value` with record objects turned into dicts and enum members into their values, all
    the way down: what extract stores when an item cannot be pickled as it is (a model or an
    enum defined inside a function), as dlt 1.31 would write it as JSON."""
    if isinstance(value, dict):
        return {key: plain_value(inner) for key, inner in value.items()}
    if isinstance(value, (list, tuple)) and not hasattr(value, "_asdict"):
        return [plain_value(inner) for inner in value]
    if isinstance(value, Enum):
        return plain_value(value.value)
    record = as_record(value)
    return value if record is None else plain_value(record)
