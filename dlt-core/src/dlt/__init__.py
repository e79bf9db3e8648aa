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
from dlt import destinations, sources

pipeline = _pipeline_function

__all__ = [
    "DltResource", "DltSource", "Pipeline", "Schema", "TCredentials", "TSecretStrValue",
    "TSecretValue", "__version__", "attach", "config", "current", "defer", "destinations",
    "hookimpl", "mark", "pipeline", "resource", "run", "secrets",
    "source", "sources", "transformer",
]
