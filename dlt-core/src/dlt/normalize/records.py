"""Objects that hold records: pydantic models, dataclass instances and named tuples load as the
dicts of their fields, as dlt 1.31 (whose extract writes items as JSON) loads them, so an item
or a nested value of such a type becomes columns and nested tables like a dict."""

from __future__ import annotations

import dataclasses
import sys
from datetime import date, datetime, time
from decimal import Decimal
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
