"""JSON that keeps Python types: datetimes, dates, times, decimals and bytes survive a round trip.

Used for pipeline state (on disk and in the destination), where an incremental cursor's
`last_value` must come back as the type it was.
"""

from __future__ import annotations

import base64
import json
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import orjson

_TAG = "__dlt_type__"


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return {_TAG: "datetime", "v": value.isoformat()}
    if isinstance(value, date):
        return {_TAG: "date", "v": value.isoformat()}
    if isinstance(value, time):
        return {_TAG: "time", "v": value.isoformat()}
    if isinstance(value, Decimal):
        return {_TAG: "decimal", "v": str(value)}
    if isinstance(value, (bytes, bytearray)):
        return {_TAG: "bytes", "v": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"{type(value).__name__} cannot be kept in pipeline state")


def _hook(obj: dict[str, Any]) -> Any:
    kind = obj.get(_TAG)
    if kind is None or len(obj) != 2:
        return obj
    text = obj["v"]
    return {
        "datetime": datetime.fromisoformat,
        "date": date.fromisoformat,
        "time": time.fromisoformat,
        "decimal": Decimal,
        "bytes": base64.b64decode,
    }[kind](text)


def dumps(value: Any, pretty: bool = False, sort_keys: bool = True) -> bytes:
    """Serialize with type tags for values JSON cannot hold (keys sorted unless `sort_keys` is
    False: state files and their hashes do not depend on insertion order)."""
    option = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
    if sort_keys:
        option |= orjson.OPT_SORT_KEYS
    if pretty:
        option |= orjson.OPT_INDENT_2
    return orjson.dumps(value, default=_default, option=option)


def loads(data: bytes | str) -> Any:
    """Parse, restoring tagged values to their Python types."""
    return json.loads(data, object_hook=_hook)
