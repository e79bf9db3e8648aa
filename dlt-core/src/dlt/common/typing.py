"""`dlt.common.typing`: re-exports of `dlt.utils.typing` and `dlt.configuration.typing`."""

from dlt.configuration.typing import SecretSentinel, TSecretStrValue, TSecretValue, is_optional
from dlt.utils.typing import (
    AnyFun,
    DictStrAny,
    DictStrStr,
    StrAny,
    StrInt,
    StrOrSequence,
    StrStr,
    TAny,
    TAnyClass,
    TDataItem,
    TDataItems,
    TFun,
)

is_optional_type = is_optional

__all__ = [
    "AnyFun", "DictStrAny", "DictStrStr", "SecretSentinel", "StrAny", "StrInt", "StrOrSequence",
    "StrStr", "TAny", "TAnyClass", "TDataItem", "TDataItems", "TFun", "TSecretStrValue",
    "TSecretValue", "is_optional_type",
]
