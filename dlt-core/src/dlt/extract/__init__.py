"""Extract: sources, resources, transformers and writing their items into load packages."""

from dlt.extract import mark
from dlt.extract.decorators import SourceFactory, defer, resource, source, transformer
from dlt.extract.incremental import Incremental
from dlt.extract.mark import make_hints, make_nested_hints, with_hints, with_table_name
from dlt.extract.resource import DltResource, ResourceError, ResourceExtractionError
from dlt.extract.source import DltSource

__all__ = ["DltResource", "DltSource", "Incremental", "SourceFactory", "ResourceError", "ResourceExtractionError", "defer",
           "make_hints", "make_nested_hints", "mark", "resource", "source", "transformer",
           "with_hints", "with_table_name"]
