"""Extract: sources, resources, transformers and writing their items into load packages."""

from dlt.extract.decorators import defer, resource, source, transformer
from dlt.extract.resource import DltResource, ResourceError, ResourceExtractionError
from dlt.extract.source import DltSource

__all__ = ["DltResource", "DltSource", "ResourceError", "ResourceExtractionError", "defer",
           "resource", "source", "transformer"]
