"""Exceptions of the REST client (`dlt.sources.helpers.rest_client.exceptions`)."""

from __future__ import annotations

from dlt.utils.exceptions import DltException


class RESTClientException(DltException):
    """Base of the REST client's own errors."""


class IgnoreResponseException(RESTClientException):
    """Raise from a response hook to skip this response: pagination stops without an error."""


class PaginatorSetupError(RESTClientException, ValueError):
    """A paginator was configured with settings that contradict each other."""


class PaginatorNotFound(RESTClientException):
    """No paginator could be detected for a response."""
