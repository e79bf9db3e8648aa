"""JSON for scripts: orjson with encoders for the values data carries (decimals, bytes, pydantic
models, named tuples, objects with `asdict()`), plus the typed round trip of `typed_json`.

This module is what dlt 1.31 scripts reach as `from dlt.common import json` (or
`dlt.common.json.json`): the functions keep 1.31's names and signatures (`dumps` gives `str`,
`dumpb` gives `bytes`, `typed_dumps` / `typed_loads` keep datetimes, decimals and bytes as their
types). Encoded as by 1.31: a decimal as its text, bytes as base64, datetimes in ISO 8601, enums
by value. The typed form (`dlt.utils.typed_json`) uses 1.31's private-use markers.
"""

from __future__ import annotations

import base64
from datetime import date, datetime, time
from decimal import Decimal
from typing import IO, Any, Callable

import orjson

from dlt.utils import typed_json

_impl_name = "orjson"
"""The JSON library underneath (1.31 scripts may read it)."""

_custom_encoder: Callable[[Any], Any] | None = None


def set_custom_encoder(encoder: Callable[[Any], Any] | None) -> None:
    """Let `encoder` turn values no built-in rule knows into JSON-able ones (it raises
    TypeError for those it does not know either); None removes it."""
    global _custom_encoder
    _custom_encoder = encoder


def custom_encode(value: Any) -> Any:
    """A JSON-able form of a value orjson does not encode itself; TypeError when there is none."""
    if isinstance(value, Decimal):
        return str(value)  # its text: read back as a number it would lose digits
    if isinstance(value, (datetime, date, time)):  # subclasses (pendulum's) orjson leaves to us
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if hasattr(value, "model_dump"):  # a pydantic model
        return value.model_dump()
    if hasattr(value, "asdict"):
        return value.asdict()
    if hasattr(value, "_asdict"):  # a named tuple
        return value._asdict()
    if isinstance(value, (set, frozenset)):
        return list(value)
    if _custom_encoder is not None:
        return _custom_encoder(value)
    raise TypeError(f"{type(value).__name__} {value!r} cannot be written as JSON: set a custom encoder"
                    " with json.set_custom_encoder() or convert it first")


def _options(sort_keys: bool, pretty: bool) -> int:
    option = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY
    if sort_keys:
        option |= orjson.OPT_SORT_KEYS
    if pretty:
        option |= orjson.OPT_INDENT_2
    return option


def dumpb(value: Any, sort_keys: bool = False, pretty: bool = False) -> bytes:
    """`value` as JSON bytes; TypeError names a value no rule can encode."""
    try:
        return orjson.dumps(value, default=custom_encode, option=_options(sort_keys, pretty))
    except orjson.JSONEncodeError as exc:
        # orjson puts its own words on the encoder's error; say which value it was
        raise TypeError(str(exc.__cause__ or exc)) from None


def dumps(value: Any, sort_keys: bool = False, pretty: bool = False) -> str:
    """`value` as a JSON text."""
    return dumpb(value, sort_keys, pretty).decode("utf-8")


def dump(value: Any, fp: IO[bytes], sort_keys: bool = False, pretty: bool = False) -> None:
    """Write `value` as JSON to a binary file."""
    fp.write(dumpb(value, sort_keys, pretty))


def loadb(data: bytes | bytearray | memoryview) -> Any:
    """Parse JSON bytes."""
    return orjson.loads(data)


def loads(text: str) -> Any:
    """Parse a JSON text."""
    return orjson.loads(text)


def load(fp: IO[Any]) -> Any:
    """Parse the JSON of a file (binary or text)."""
    return orjson.loads(fp.read())


def typed_dumpb(value: Any, sort_keys: bool = False, pretty: bool = False) -> bytes:
    """JSON bytes that `typed_loadb` turns back into the same types (datetimes, dates, times,
    decimals, bytes)."""
    return typed_json.dumps(value, pretty=pretty, sort_keys=sort_keys)


def typed_dumps(value: Any, sort_keys: bool = False, pretty: bool = False) -> str:
    """`typed_dumpb` as a text."""
    return typed_dumpb(value, sort_keys, pretty).decode("utf-8")


def typed_dump(value: Any, fp: IO[bytes], pretty: bool = False) -> None:
    """Write `typed_dumpb(value)` to a binary file."""
    fp.write(typed_dumpb(value, pretty=pretty))


def typed_loadb(data: bytes | bytearray | memoryview) -> Any:
    """Parse what `typed_dumpb` wrote, with its values' types."""
    return typed_json.loads(bytes(data))


def typed_loads(text: str) -> Any:
    """Parse what `typed_dumps` wrote, with its values' types."""
    return typed_json.loads(text)
