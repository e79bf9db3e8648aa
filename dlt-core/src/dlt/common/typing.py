"""`dlt.common.typing`: re-exports of `dlt.utils.typing` and `dlt.configuration.typing`."""

from dlt.configuration.typing import SecretSentinel, TSecretStrValue, TSecretValue, is_optional
from dlt.utils.typing import (
    AnyFun,
    DictStrAny,
    DictStrStr,
    Self,
    StrAny,
    StrInt,
    StrOrSequence,
    StrStr,
    TAny,
    TAnyClass,
    TAnyDateTime,
    TDataItem,
    TDataItems,
    TFun,
    TSortOrder,
    TypedDict,
)
from dlt.schema.typing import TColumnNames

is_optional_type = is_optional

__all__ = [
    "AnyFun", "DictStrAny", "DictStrStr", "SecretSentinel", "Self", "StrAny", "StrInt", "StrOrSequence",
    "StrStr", "TAny", "TAnyClass", "TAnyDateTime", "TColumnNames", "TDataItem", "TDataItems", "TFun",
    "TSecretStrValue", "TSecretValue", "TSortOrder", "TypedDict", "is_optional_type",
]
