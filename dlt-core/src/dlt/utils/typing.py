"""Type aliases shared across dlt (exposed to users as `dlt.common.typing`)."""

from __future__ import annotations

import datetime
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, TypeAlias, TypedDict, TypeVar, Union

if sys.version_info >= (3, 11):
    from typing import Self
else:
    from typing_extensions import Self


DictStrAny: TypeAlias = dict[str, Any]
DictStrStr: TypeAlias = dict[str, str]
StrAny: TypeAlias = Mapping[str, Any]
StrStr: TypeAlias = Mapping[str, str]
StrInt: TypeAlias = Mapping[str, int]
AnyFun: TypeAlias = Callable[..., Any]
TFun = TypeVar("TFun", bound=AnyFun)
TAny = TypeVar("TAny", bound=Any)
TAnyClass = TypeVar("TAnyClass", bound=object)
TDataItem: TypeAlias = Any
"""One item a resource yields: a dict, an Arrow table, a DataFrame, ..."""
TDataItems: TypeAlias = Union[TDataItem, list[TDataItem]]
"""One item or a list (a page) of items."""
StrOrSequence = Union[str, Sequence[str]]
TAnyDateTime: TypeAlias = Union[datetime.datetime, datetime.date, str, float, int]
"""A date or datetime in any form `dlt.utils.datetimes` reads (pendulum's types are subclasses
of the standard library's)."""
TSortOrder: TypeAlias = Literal["asc", "desc"]

__all__ = [
    "AnyFun", "DictStrAny", "DictStrStr", "Self", "StrAny", "StrInt", "StrOrSequence", "StrStr",
    "TAny", "TAnyClass", "TAnyDateTime", "TDataItem", "TDataItems", "TFun", "TSortOrder", "TypedDict",
]
