"""Type inference and coercion: which data type a Python value has, and converting between them.

Inference runs once per new column; coercion runs when a value does not have its column's type.
A value that cannot be coerced goes to a variant column instead of failing or being lost.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import date, datetime, time, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import Enum
from typing import Any
from uuid import UUID

import orjson

from dlt.utils.iso_text import datetime_from_iso

ISO_TIMESTAMP_PATTERN = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?$"
"""What dlt detects as an ISO 8601 timestamp string (a pattern both `re` and RE2 read)."""

_ISO_TIMESTAMP = re.compile(ISO_TIMESTAMP_PATTERN)

PY_TYPE_TO_DATA_TYPE: dict[type, str] = {
    str: "text",
    int: "bigint",
    float: "double",
    bool: "bool",
    datetime: "timestamp",
    date: "date",
    time: "time",
    Decimal: "decimal",
    bytes: "binary",
    dict: "json",
    list: "json",
}

#: the Python type a value of each data type has after coercion (None: no single type)
DATA_TYPE_TO_PY_TYPE: dict[str, type] = {
    "text": str,
    "bigint": int,
    "double": float,
    "bool": bool,
    "timestamp": datetime,
    "date": date,
    "time": time,
    "decimal": Decimal,
    "binary": bytes,
}

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def is_iso_timestamp(value: str) -> bool:
    """True when `value` looks like an ISO 8601 timestamp (`2024-01-31T10:00:00Z`)."""
    return len(value) >= 16 and _ISO_TIMESTAMP.match(value) is not None


def infer_data_type(value: Any, detect_timestamps: bool = True) -> str | None:
    """The data type of `value`, or None when dlt cannot store it."""
    value_type = type(value)
    data_type = PY_TYPE_TO_DATA_TYPE.get(value_type)
    if data_type is None:
        data_type = _infer_subclass(value)
    if data_type == "text" and detect_timestamps and isinstance(value, str) and is_iso_timestamp(value):
        return "timestamp"
    if data_type == "bigint" and not INT64_MIN <= value <= INT64_MAX:
        return "decimal" if decimal_fits(Decimal(value)) else "text"
    if data_type == "decimal" and not decimal_fits(value):
        return "text"
    return data_type


DECIMAL_PRECISION, DECIMAL_SCALE = 38, 9


def decimal_fits(value: Decimal, precision: int = DECIMAL_PRECISION, scale: int = DECIMAL_SCALE) -> bool:
    """True when `value` fits DECIMAL(precision, scale): its integer digits fit, and digits past
    the scale are rounded when it is written (as DuckDB rounds 12.345 into DECIMAL(10,2))."""
    if not value.is_finite():
        return False
    sign, digits, exponent = value.as_tuple()
    integer_digits = max(0, len(digits) + int(exponent))
    return integer_digits <= precision - scale


def round_decimal(value: Decimal, scale: int) -> Decimal:
    """`value` rounded to `scale` fraction digits, ties away from zero (DuckDB's rounding)."""
    if -int(value.as_tuple().exponent) <= scale:
        return value
    return value.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)


def _infer_subclass(value: Any) -> str | None:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, Enum):
        return infer_data_type(value.value)
    if isinstance(value, datetime):
        return "timestamp"
    for py_type, data_type in PY_TYPE_TO_DATA_TYPE.items():
        if isinstance(value, py_type):
            return data_type
    if isinstance(value, (UUID,)):
        return "text"
    if isinstance(value, (bytearray, memoryview)):
        return "binary"
    if isinstance(value, (tuple, set, frozenset)):
        return "json"
    return None


class CoercionError(ValueError):
    """A value cannot be converted to the requested data type."""


def parse_timestamp(value: str) -> datetime:
    """Parse an ISO 8601 timestamp; naive values are taken as UTC, as dlt does."""
    parsed = datetime_from_iso(value.strip())
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


def to_json_text(value: Any) -> str:
    """Serialize a dict or list for a json column."""
    return orjson.dumps(value, default=_json_default, option=orjson.OPT_NON_STR_KEYS).decode()


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, Enum):
        return value.value
    return str(value)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list, tuple, set, frozenset)):
        return to_json_text(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        # as dlt 1.31: binary into a text column is its base64 text
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def _bigint(value: Any) -> int:
    if isinstance(value, bool):
        raise CoercionError("bool is not a number")
    if isinstance(value, int):
        result = value
    elif isinstance(value, float) and value.is_integer():
        result = int(value)
    elif isinstance(value, Decimal) and value == value.to_integral_value():
        result = int(value)
    elif isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value.strip()):
        result = int(value)
    elif isinstance(value, str) and re.fullmatch(r"0x[0-9a-fA-F]+", value.strip()):
        result = int(value.strip()[2:], 16)
    else:
        raise CoercionError(f"{value!r} is not an integer")
    if not INT64_MIN <= result <= INT64_MAX:
        raise CoercionError("integer out of 64-bit range")
    return result


def _double(value: Any) -> float:
    if isinstance(value, bool):
        raise CoercionError("bool is not a number")
    if isinstance(value, float):
        return value
    if isinstance(value, int):
        # as dlt 1.31: an integer goes into a double column as its nearest double
        try:
            return float(value)
        except OverflowError:
            raise CoercionError(f"{value} is too big for a double") from None
    if isinstance(value, Decimal):
        # as dlt 1.31: a decimal goes into a double column as its nearest double
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError as exc:
            raise CoercionError(str(exc)) from None
    raise CoercionError(f"{type(value).__name__} is not stored as double")


def _decimal(value: Any, precision: int = DECIMAL_PRECISION, scale: int = DECIMAL_SCALE) -> Decimal:
    result = _to_decimal(value)
    if not decimal_fits(result, precision, scale):
        raise CoercionError(f"{value!r} does not fit DECIMAL({precision},{scale})")
    # digits past the scale are rounded where the value is written (`normalize.writers`)
    return result


def _to_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise CoercionError("bool is not a number")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            raise CoercionError(f"{value!r} is not a decimal") from None
    raise CoercionError(f"{type(value).__name__} is not a decimal")


WEI_PRECISION = 78
"""Digits a `wei` value may have (dlt 1.31's `EVM_DECIMAL_PRECISION`: log10(2**256) + 1)."""


def _wei(value: Any) -> str:
    """A value of a `wei` column, as dlt 1.31 coerces it (an int, a decimal, a float, numeric
    text or `0x` hex text), kept as its exact decimal text: Arrow has no 78-digit type, and
    destinations cast the text to their wei type (DuckDB `DECIMAL(38,0)`) when they load it."""
    if isinstance(value, str) and value.strip().lower().startswith("0x"):
        try:
            number = Decimal(int(value.strip()[2:], 16))
        except ValueError:
            raise CoercionError(f"{value!r} is not a hex number") from None
    else:
        number = _to_decimal(value)
    if not number.is_finite() or len(number.as_tuple().digits) > WEI_PRECISION:
        raise CoercionError(f"{value!r} is not a wei value (a number of at most 78 digits)")
    return format(number, "f")


_TRUE_TEXTS = ("true", "yes", "t", "y", "1")
_FALSE_TEXTS = ("false", "no", "f", "n", "0")


def _bool(value: Any) -> bool:
    """As dlt 1.31 coerces into a bool column: a number is its truth value, a text one of
    true/yes/t/y/1 or false/no/f/n/0 (any case)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE_TEXTS or text in _FALSE_TEXTS:
            return text in _TRUE_TEXTS
    raise CoercionError(f"{value!r} is not a bool")


def _timestamp(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    if isinstance(value, str):
        try:
            return parse_timestamp(value)
        except ValueError:
            raise CoercionError(f"{value!r} is not an ISO 8601 timestamp") from None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # as dlt 1.31: a number into a timestamp column is seconds since the Unix epoch
        try:
            return datetime.fromtimestamp(value, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            raise CoercionError(f"{value!r} is not a Unix timestamp") from None
    raise CoercionError(f"{type(value).__name__} is not a timestamp")


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        # as dlt 1.31: the day a timestamp falls on in UTC (naive ones are UTC)
        return value.astimezone(timezone.utc).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _timestamp(value).date()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise CoercionError(f"{value!r} is not an ISO date") from None
    raise CoercionError(f"{type(value).__name__} is not a date")


def _time(value: Any) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        try:
            return time.fromisoformat(value.strip())
        except ValueError:
            raise CoercionError(f"{value!r} is not an ISO time") from None
    raise CoercionError(f"{type(value).__name__} is not a time")


def _binary(value: Any) -> bytes:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        # as dlt 1.31: `0x` hex or base64 text
        try:
            if value.startswith("0x"):
                return bytes.fromhex(value[2:])
            return base64.b64decode(value, validate=True)
        except (ValueError, binascii.Error):
            raise CoercionError(f"{value!r:.50} is neither 0x hex nor base64") from None
    raise CoercionError(f"{type(value).__name__} is not binary")


def _json(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return value
    if isinstance(value, (tuple, set, frozenset)):
        return list(value)
    if isinstance(value, str):
        # as dlt 1.31: JSON text into a json column is parsed
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            raise CoercionError(f"{value!r:.50} is not JSON") from None
    raise CoercionError(f"{type(value).__name__} is not json")


COERCE = {
    "text": _text,
    "bigint": _bigint,
    "double": _double,
    "decimal": _decimal,
    "wei": _wei,
    "bool": _bool,
    "timestamp": _timestamp,
    "date": _date,
    "time": _time,
    "binary": _binary,
    "json": _json,
}


def coerce_value(to_type: str, value: Any, column: dict[str, Any] | None = None) -> Any:
    """Convert `value` to `to_type` or raise `CoercionError` when it would change its meaning;
    a decimal is rounded to the `scale` of `column` (dlt's 38, 9 by default)."""
    if to_type == "decimal" and column is not None and (
            column.get("precision") is not None or column.get("scale") is not None):
        precision, scale = column.get("precision"), column.get("scale")
        return _decimal(value, DECIMAL_PRECISION if precision is None else precision,
                        DECIMAL_SCALE if scale is None else scale)
    return COERCE[to_type](value)
