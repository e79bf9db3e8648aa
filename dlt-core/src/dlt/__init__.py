"""dlt, the data load tool: load data from anything iterable into a database.

    import dlt
    info = dlt.run([{"id": 1}], destination="duckdb", table_name="items")
    print(info)

Destinations and sources come from plugins (`dlt.plugins` entry points); see
`dlt.destinations`, `dlt.sources` and `dlt.hookspecs`.
"""

from dlt.version import __version__
from dlt.plugins import hookimpl
from dlt.configuration.accessors import config, secrets
from dlt.configuration.specs import CredentialsConfiguration as TCredentials
from dlt.configuration.typing import TSecretStrValue, TSecretValue
from dlt.extract import DltResource, DltSource, defer, resource, source, transformer
from dlt.extract import mark
from dlt.schema import Schema
from dlt.pipeline import Pipeline, attach, run
from dlt.pipeline import pipeline as _pipeline_function
from dlt.pipeline import current
from dlt.pipeline import progress
from dlt import destinations, sources
from dlt.destinations.impl.sink.decorator import destination
from dlt.dataset import Dataset, Relation
from dlt.dataset import dataset as _dataset_function

pipeline = _pipeline_function
# `dlt.dataset` is the function (as in dlt 1.31); the package stays importable as dlt.dataset.*
dataset = _dataset_function

__all__ = [
    "Dataset", "DltResource", "DltSource", "Pipeline", "Relation", "Schema", "TCredentials",
    "TSecretStrValue", "TSecretValue", "__version__", "attach", "config", "current", "dataset",
    "defer", "destination", "destinations", "hookimpl", "mark", "pipeline", "progress", "resource", "run", "secrets",
    "source", "sources", "transformer",
]
