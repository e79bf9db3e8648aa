"""JSON that keeps Python types: datetimes, dates, times, decimals, UUIDs and bytes survive a
round trip.

Used for pipeline state (on disk and in the destination), where an incremental cursor's
`last_value` must come back as the type it was. Values are written as dlt 1.31 writes them: a
string that starts with a marker character of Unicode's private use area (U+F026 a decimal,
U+F027 a datetime, U+F028 a date, U+F029 a UUID, U+F02B base64 bytes, U+F02D a time), so state
written here is read by 1.31 and state 1.31 wrote is read here. The `{"__dlt_type__": ..}` tags
this dlt wrote before are still read.
"""

from __future__ import annotations

import base64
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Callable
from uuid import UUID

import orjson

from dlt.utils.iso_text import datetime_from_iso

_TAG = "__dlt_type__"
_PUA_START = 0xF026
_DECIMAL, _DATETIME, _DATE, _UUID, _HEXBYTES, _B64BYTES, _WEI, _TIME = (
    chr(_PUA_START + offset) for offset in range(8))


def _hex_bytes(text: str) -> bytes:
    return bytes.fromhex(text[2:] if text.startswith("0x") else text)


_DECODERS: tuple[Callable[[str], Any], ...] = (
    # `Z`-suffixed datetimes were written by dlt before 1.0
    Decimal, datetime_from_iso, date.fromisoformat, UUID, _hex_bytes, base64.b64decode, Decimal,
    time.fromisoformat)
_TAGGED: dict[str, Callable[[str], Any]] = {
    "datetime": datetime.fromisoformat, "date": date.fromisoformat, "time": time.fromisoformat,
    "decimal": Decimal, "bytes": base64.b64decode,
}


def default(value: Any) -> Any:
    """The JSON form of a value orjson does not encode itself: a marked string for datetimes,
    dates, times, decimals, UUIDs and bytes; TypeError for values it does not know."""
    if isinstance(value, datetime):
        return _DATETIME + value.isoformat()
    if isinstance(value, date):
        return _DATE + value.isoformat()
    if isinstance(value, time):
        return _TIME + value.isoformat()
    if isinstance(value, Decimal):
        return _DECIMAL + str(value)
    if isinstance(value, UUID):
        return _UUID + str(value)
    if isinstance(value, (bytes, bytearray)):
        return _B64BYTES + base64.b64encode(bytes(value)).decode()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"{type(value).__name__} cannot be kept in pipeline state")


def _is_marked(value: Any) -> bool:
    """True for a string that starts with one of the type markers (and has a value after it)."""
    return type(value) is str and len(value) > 1 and 0 <= ord(value[0]) - _PUA_START < 8


def _decode_text(text: str) -> Any:
    """A marked string as its value; any other string (or one that does not parse) as it is."""
    marker = ord(text[0]) - _PUA_START
    try:
        return _DECODERS[marker](text[1:])
    except (ValueError, ArithmeticError, TypeError):
        return text


def _decode(node: Any) -> Any:
    """`node` with marked strings and tagged dicts turned into their values (in place)."""
    if isinstance(node, dict):
        kind = node.get(_TAG)
        if kind is not None and len(node) == 2 and kind in _TAGGED:
            return _TAGGED[kind](node["v"])
        for key, value in node.items():
            if isinstance(value, (dict, list)):
                node[key] = _decode(value)
            elif _is_marked(value):
                node[key] = _decode_text(value)
        return node
    if isinstance(node, list):
        for index, value in enumerate(node):
            if isinstance(value, (dict, list)):
                node[index] = _decode(value)
            elif _is_marked(value):
                node[index] = _decode_text(value)
        return node
    if _is_marked(node):
        return _decode_text(node)
    return node


def dumps(value: Any, pretty: bool = False, sort_keys: bool = True) -> bytes:
    """Serialize with type markers for values JSON cannot hold (keys sorted unless `sort_keys`
    is False: state files and their hashes do not depend on insertion order)."""
    option = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
    if sort_keys:
        option |= orjson.OPT_SORT_KEYS
    if pretty:
        option |= orjson.OPT_INDENT_2
    return orjson.dumps(value, default=default, option=option)


def loads(data: bytes | str) -> Any:
    """Parse, restoring marked (and tagged) values to their Python types."""
    return _decode(orjson.loads(data))
