"""`dlt.common.typing`: re-exports of `dlt.utils.typing` and `dlt.configuration.typing`."""

from typing import Any, Literal, TypeAlias

from dlt.configuration.resolve import CONFIG_VALUE, SECRET_VALUE
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
from dlt.schema.typing import TFileFormat as TLoaderFileFormat

is_optional_type = is_optional

ConfigValue: Any = CONFIG_VALUE
"""`dlt.config.value`: the default of an argument that configuration must provide."""
SecretValue: Any = SECRET_VALUE
"""`dlt.secrets.value`: the default of an argument that secrets must provide."""

__all__ = [
    "AnyFun", "ConfigValue", "DictStrAny", "DictStrStr", "SecretSentinel", "SecretValue", "Self", "StrAny", "StrInt", "StrOrSequence",
    "StrStr", "TAny", "TAnyClass", "TAnyDateTime", "TColumnNames", "TDataItem", "TDataItems", "TFun",
    "TLoaderFileFormat", "TSecretStrValue", "TSecretValue", "TSortOrder", "TypeAlias", "TypedDict",
    "is_optional_type", "Literal",
]
