"""A dlt config provider backed by Airflow Variables and Connections.

Lookups, for a key such as `destination.postgres.credentials` (and every less specific
candidate dlt tries, pipeline-scoped ones first):

1. the Airflow Variable `dlt_secrets_toml`, a whole `secrets.toml` document, as in dlt 1.31;
2. an Airflow Variable named exactly by the dotted key (`sources.github.api_key`);
3. for keys ending in `credentials`, an Airflow Connection whose id is the dotted key; its URI
   is the value (`postgres://` spelled `postgresql://`).

The provider answers only in a process that has already imported Airflow (a task or a DAG
file being parsed), so a plain script on a machine with dlt-airflow installed never pays for
importing Airflow. Answers are cached for `cache_seconds`, hits and misses alike, to keep the
number of round trips to Airflow's metadata low.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import time
from typing import Any

from dlt.configuration.providers import tomllib

#: the Airflow Variable holding a whole secrets.toml document (dlt 1.31's name)
SECRETS_TOML_VARIABLE = "dlt_secrets_toml"

_MISSING = object()


def _quiet() -> contextlib.ExitStack:
    """Swallow what Airflow prints on stdout/stderr while looking a value up."""
    stack = contextlib.ExitStack()
    stack.enter_context(contextlib.redirect_stdout(io.StringIO()))
    stack.enter_context(contextlib.redirect_stderr(io.StringIO()))
    return stack


def read_variable(key: str) -> str | None:
    """The Airflow Variable `key`, or None when it is not set.

    Inside a task the task SDK answers (through the task's supervisor); where it cannot (a DAG
    file parsed in a process of its own, as `dag.test()` and the `airflow` CLI do), the
    metadata database does.
    """
    from airflow.sdk import Variable

    with _quiet():
        value = Variable.get(key, default=None)
        if value is None:
            with contextlib.suppress(Exception):
                from airflow.models import Variable as VariableModel

                value = VariableModel.get(key, default_var=None)
    return value


def read_connection(conn_id: str) -> Any:
    """The Airflow Connection `conn_id` as a value dlt credentials accept, or None (the task SDK
    first, then the metadata database, as for Variables)."""
    from airflow.sdk import Connection

    connection = None
    with _quiet():
        with contextlib.suppress(Exception):
            connection = Connection.get(conn_id)
        if connection is None:
            with contextlib.suppress(Exception):
                from airflow.models import Connection as ConnectionModel

                connection = ConnectionModel.get_connection_from_secrets(conn_id)
    return None if connection is None else connection_value(connection)


def connection_value(connection: Any) -> Any:
    """A connection as dlt credentials: a native URI (Airflow spells PostgreSQL `postgres://`,
    SQLAlchemy and dlt `postgresql://`)."""
    uri = connection.get_uri()
    if uri.startswith("postgres://"):
        uri = "postgresql://" + uri[len("postgres://"):]
    return uri


def parse_toml(text: str, where: str) -> dict[str, Any]:
    """Parse a TOML document read from Airflow; the error names the Variable, never the text."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        from dlt.configuration.providers import ConfigFileError

        raise ConfigFileError(
            f"The Airflow Variable '{where}' is not a valid TOML document ({exc}). Store a"
            " secrets.toml document in it (see docs/deploy.md)."
        ) from None


class AirflowSecretsProvider:
    """dlt secrets and config from Airflow Variables and Connections (see the module doc)."""

    name = "Airflow Secrets TOML Provider"
    is_secret_store = True

    def __init__(self, cache_seconds: float = 5.0) -> None:
        self.cache_seconds = cache_seconds
        self._cache: dict[tuple[str, str], tuple[float, Any]] = {}

    @staticmethod
    def in_airflow() -> bool:
        """Whether this process runs Airflow code (a task or a DAG file being parsed)."""
        return "airflow.sdk" in sys.modules

    def _cached(self, kind: str, key: str, read: Any) -> Any:
        now = time.monotonic()
        hit = self._cache.get((kind, key))
        if hit is not None and now - hit[0] < self.cache_seconds:
            return hit[1]
        value = read(key)
        self._cache[(kind, key)] = (now, value)
        return value

    def clear_cache(self) -> None:
        """Forget cached answers (after changing a Variable in the same process)."""
        self._cache.clear()

    def _document(self) -> dict[str, Any]:
        def read(key: str) -> dict[str, Any]:
            text = read_variable(key)
            return parse_toml(text, key) if text else {}

        return self._cached("toml", SECRETS_TOML_VARIABLE, read)

    def get_value(self, path: tuple[str, ...]) -> Any:
        """The value at `path` from Airflow, or None (always None outside Airflow)."""
        if not path or not self.in_airflow():
            return None
        node: Any = self._document()
        for part in path:
            if not isinstance(node, dict) or part not in node:
                node = _MISSING
                break
            node = node[part]
        if node is not _MISSING:
            return node
        key = ".".join(path)
        value = self._cached("variable", key, read_variable)
        if value is not None:
            return _parse_table(value)
        if path[-1] == "credentials":
            return self._cached("connection", key, read_connection)
        return None


def _parse_table(value: str) -> Any:
    """A Variable holding a JSON object is returned as a dict (a credentials table); anything
    else as its text."""
    text = value.strip()
    if text.startswith("{"):
        with contextlib.suppress(ValueError):
            return json.loads(text)
    return value
