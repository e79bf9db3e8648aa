"""Errors of defining and using sources and resources.

`ResourceError` is the base of every mistake in how a source or resource is defined or used;
its subclasses carry dlt 1.31's class names for the mistakes it told apart, so a script's
`except ResourceNameMissing:` catches the same cases as on 1.31.
"""

from __future__ import annotations

from dlt.utils.exceptions import DltException


class ResourceError(DltException):
    """A resource is defined or used the wrong way."""


class CurrentSourceSchemaNotAvailable(ResourceError):
    """`dlt.current.source_schema()` outside the code of a source or resource (dlt 1.31's
    name)."""


class ResourceNameMissing(ResourceError):
    """Data without a name was given where a resource needs one (`name='...'`)."""


class InvalidResourceDataType(ResourceError):
    """A resource got data of a kind it cannot iterate or call."""


class InvalidResourceDataTypeIsNone(InvalidResourceDataType):
    """A resource got `None` as its data."""


class InvalidResourceDataTypeBasic(InvalidResourceDataType):
    """A resource got a string or a dict as its data: one item, not items to iterate."""


class InvalidTransformerGeneratorFunction(ResourceError):
    """`@dlt.transformer` decorates something that is not a function taking the item first."""


class InvalidStepFunctionArguments(ResourceError):
    """`add_map` / `add_filter` / `add_yield_map` got something that is not a function."""


class ParametrizedResourceUnbound(ResourceError):
    """A resource made from a function with required arguments was used before it was called."""


class PipeNotBoundToData(ResourceError):
    """A transformer was evaluated without a resource to take its items from."""


class ResourceNotATransformer(ResourceError):
    """A resource was piped (`|`) into a resource that is not a transformer."""


class DataItemRequiredForDynamicTableHints(ResourceError):
    """A table hint is a function of the item, so the table schema needs an item to compute it."""


class ResourcesNotFoundError(ResourceError):
    """A source was asked for resources it does not have."""


__all__ = [
    "DataItemRequiredForDynamicTableHints", "InvalidResourceDataType", "InvalidResourceDataTypeBasic",
    "InvalidResourceDataTypeIsNone",
    "InvalidStepFunctionArguments", "InvalidTransformerGeneratorFunction", "ParametrizedResourceUnbound",
    "PipeNotBoundToData",
    "ResourceError", "ResourceNameMissing", "ResourceNotATransformer", "ResourcesNotFoundError",
]
