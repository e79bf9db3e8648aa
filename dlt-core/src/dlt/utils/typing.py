"""Type aliases shared across dlt (exposed to users as `dlt.common.typing`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeAlias, TypeVar, Union


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
