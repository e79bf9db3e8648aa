"""Exceptions of the REST client (`dlt.sources.helpers.rest_client.exceptions`)."""

from __future__ import annotations

from dlt.utils.exceptions import DltException


class IgnoreResponseException(DltException):
    """Raise from a response hook to skip this response: pagination stops without an error."""


class PaginatorSetupError(DltException, ValueError):
    """A paginator was configured with settings that contradict each other."""


class PaginatorNotFound(DltException):
    """No paginator is known under the requested name."""
