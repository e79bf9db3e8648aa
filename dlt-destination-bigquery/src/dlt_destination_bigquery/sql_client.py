"""`BigQuerySqlClient`: query jobs on one dataset through the official google-cloud-bigquery client.

Imported only by the factory's `client()`, so `import dlt` never loads the Google SDK.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from google.api_core import exceptions as google_exceptions
from google.cloud import bigquery as bq

from dlt.destinations.base import (
    DestinationCapabilities,
    DestinationError,
    DestinationTerminalError,
    DestinationTransientError,
    DestinationUndefinedRelation,
)
from dlt.destinations.sql_client import DBApiCursor, SqlClient
from dlt_destination_bigquery.configuration import (
    HOW_TO_CONFIGURE,
    BigQueryConfigurationError,
    BigQuerySettings,
    DefaultCredentials,
    OAuthCredentials,
    ServiceAccountCredentials,
)

#: error reasons (https://cloud.google.com/bigquery/docs/error-messages) a retry may fix
TRANSIENT_REASONS = frozenset({
    "backendError", "internalError", "rateLimitExceeded", "jobBackendError", "jobInternalError",
    "jobRateLimitExceeded", "tableUnavailable",
})
BIGQUERY_SCOPES = ("https://www.googleapis.com/auth/bigquery",
                   "https://www.googleapis.com/auth/cloud-platform")


def error_reasons(exc: BaseException) -> list[str]:
    """The `reason`s of a Google API error (empty for other exceptions)."""
    return [e.get("reason", "") for e in (getattr(exc, "errors", None) or []) if isinstance(e, dict)]


def is_transient(exc: BaseException) -> bool:
    """True when retrying the call that raised `exc` may succeed."""
    if isinstance(exc, (google_exceptions.ServerError, google_exceptions.TooManyRequests,
                        google_exceptions.RetryError, ConnectionError, TimeoutError)):
        return True
    try:
        import requests

        if isinstance(exc, (requests.ConnectionError, requests.Timeout)):
            return True
    except ImportError:  # pragma: no cover - google-cloud-bigquery depends on requests
        pass
    if any(reason in TRANSIENT_REASONS for reason in error_reasons(exc)):
        return True
    # concurrent DML on one table: BigQuery asks the caller to retry
    return "could not serialize access" in str(getattr(exc, "message", exc)).lower()


@contextmanager
def api_errors(doing: str) -> Iterator[None]:
    """Raise an API call's error (or a transient network error) in the block as the dlt error
    `translate_error` makes of it, saying what was being done; other errors pass unchanged."""
    try:
        yield
    except google_exceptions.GoogleAPICallError as exc:
        raise translate_error(exc, doing) from exc
    except Exception as exc:
        if is_transient(exc):
            raise translate_error(exc, doing) from exc
        raise


def translate_error(exc: BaseException, what: str) -> DestinationError:
    """A dlt destination error for a failed BigQuery call, transient or terminal; a table or
    dataset that does not exist (404) is `DestinationUndefinedRelation`."""
    message = getattr(exc, "message", None) or str(exc)
    text = f"BigQuery {what} failed: {message}"
    if is_transient(exc):
        return DestinationTransientError(text)
    if isinstance(exc, google_exceptions.NotFound):
        return DestinationUndefinedRelation(text)
    return DestinationTerminalError(text)


def query_parameter(value: Any) -> Any:
    """A positional `ScalarQueryParameter` for a Python value."""
    if value is None:
        return bq.ScalarQueryParameter(None, "STRING", None)
    if isinstance(value, bool):
        return bq.ScalarQueryParameter(None, "BOOL", value)
    if isinstance(value, int):
        return bq.ScalarQueryParameter(None, "INT64", value)
    if isinstance(value, float):
        return bq.ScalarQueryParameter(None, "FLOAT64", value)
    if isinstance(value, Decimal):
        sign, digits, exponent = value.as_tuple()
        fits_numeric = isinstance(exponent, int) and -exponent <= 9 and len(digits) + exponent <= 29
        return bq.ScalarQueryParameter(None, "NUMERIC" if fits_numeric else "BIGNUMERIC", value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return bq.ScalarQueryParameter(None, "TIMESTAMP", value)
    if isinstance(value, dt.date):
        return bq.ScalarQueryParameter(None, "DATE", value)
    if isinstance(value, dt.time):
        return bq.ScalarQueryParameter(None, "TIME", value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bq.ScalarQueryParameter(None, "BYTES", bytes(value))
    if isinstance(value, (dict, list)):
        return bq.ScalarQueryParameter(None, "JSON", json.dumps(value))
    return bq.ScalarQueryParameter(None, "STRING", str(value))


def google_credentials(settings: BigQuerySettings) -> tuple[Any, str]:
    """The `google.auth` credentials and the project for `settings`.

    Raises `BigQueryConfigurationError` naming the keys to set when nothing is configured. No
    secret is ever part of the message (nor chained: `from None`).
    """
    if settings.api_endpoint:
        from google.auth.credentials import AnonymousCredentials

        if not settings.project:
            raise BigQueryConfigurationError(
                f"destination.bigquery.api_endpoint is set ({settings.api_endpoint}) but no project"
                " is: set DESTINATION__BIGQUERY__CREDENTIALS__PROJECT_ID (or"
                " DESTINATION__BIGQUERY__PROJECT_ID) to the project the server serves."
            )
        return AnonymousCredentials(), settings.project
    credentials = settings.credentials
    if isinstance(credentials, ServiceAccountCredentials):
        from google.oauth2 import service_account

        try:
            native = service_account.Credentials.from_service_account_info(
                credentials.as_info(), scopes=BIGQUERY_SCOPES
            )
        except (ValueError, TypeError, KeyError) as exc:
            raise BigQueryConfigurationError(
                f"The service-account credentials of {credentials.client_email} could not be used"
                f" ({type(exc).__name__}): check that private_key is the complete PEM key of the"
                " service account's JSON key file."
            ) from None
        return native, settings.project_id or credentials.project_id  # type: ignore[return-value]
    if isinstance(credentials, OAuthCredentials):
        from google.oauth2.credentials import Credentials as OAuth2Credentials

        info = credentials.as_info()
        native = OAuth2Credentials(
            token=info.get("token"), refresh_token=info["refresh_token"], client_id=info["client_id"],
            client_secret=info["client_secret"], token_uri=info["token_uri"], scopes=BIGQUERY_SCOPES,
        )
        project = settings.project
        if not project:
            raise BigQueryConfigurationError(
                "The BigQuery OAuth credentials name no project: set"
                " DESTINATION__BIGQUERY__CREDENTIALS__PROJECT_ID (or DESTINATION__BIGQUERY__PROJECT_ID)."
            )
        return native, project
    if credentials is None or isinstance(credentials, DefaultCredentials):
        import google.auth
        from google.auth.exceptions import DefaultCredentialsError

        try:
            native, default_project = google.auth.default(scopes=BIGQUERY_SCOPES)
        except DefaultCredentialsError:
            found = ("The BigQuery credentials name only the project"
                     f" ({credentials.project_id}), which means application default credentials,"
                     " and there are none." if isinstance(credentials, DefaultCredentials) else
                     "No BigQuery credentials were found in the configuration and there are no"
                     " application default credentials.")
            raise BigQueryConfigurationError(f"{found} {HOW_TO_CONFIGURE}") from None
        project = settings.project or default_project
        if not project:
            raise BigQueryConfigurationError(
                "The application default credentials name no project: set"
                " DESTINATION__BIGQUERY__CREDENTIALS__PROJECT_ID (or DESTINATION__BIGQUERY__PROJECT_ID)."
            )
        return native, project
    project = settings.project_id or getattr(credentials, "project_id", None)
    if not project:
        raise BigQueryConfigurationError(
            "The BigQuery credentials object names no project: set DESTINATION__BIGQUERY__PROJECT_ID"
            " (or pass project_id=... to dlt.destinations.bigquery)."
        )
    return credentials, project


class BigQueryCursor(DBApiCursor):
    """A DB-API view of a finished query job: `description` and rows as tuples; dlt's readers
    (`iter_fetch`, `df`, `arrow`, ...) come from `DBApiCursor`."""

    def __init__(self, job: Any, rows: Any) -> None:
        super().__init__(rows)
        self.job = job
        schema = getattr(rows, "schema", None) or []
        self._description = [
            (field.name, field.field_type, None, None, field.precision, field.scale,
             field.mode != "REQUIRED")
            for field in schema
        ] or None
        self._rows = iter(rows) if self._description is not None else iter(())

    @property
    def description(self) -> Any:
        """Column descriptions (name first), or None for statements without results."""
        return self._description

    @property
    def rowcount(self) -> int:
        """Rows changed by a DML statement (-1 when unknown)."""
        affected = getattr(self.job, "num_dml_affected_rows", None)
        return -1 if affected is None else affected

    def close(self) -> None:
        """Nothing to close: the rows were fetched by the finished job."""

    def fetchall(self) -> list[tuple[Any, ...]]:
        """All remaining rows as tuples."""
        return [tuple(row.values()) for row in self._rows]

    def fetchmany(self, size: int | None = None) -> list[tuple[Any, ...]]:
        """Up to `size` more rows as tuples (`arraysize`, i.e. 1, without a size)."""
        wanted = self.arraysize if size is None else size
        rows: list[tuple[Any, ...]] = []
        while len(rows) < wanted:
            row = next(self._rows, None)
            if row is None:
                break
            rows.append(tuple(row.values()))
        return rows

    def fetchone(self) -> tuple[Any, ...] | None:
        """The next row, or None."""
        row = next(self._rows, None)
        return None if row is None else tuple(row.values())


class BigQuerySqlClient(SqlClient):
    """Query jobs on one BigQuery dataset, its default dataset, so unqualified table names
    resolve to it; `%s` (or BigQuery's `?`) positional parameters; names are
    `project.dataset.table`."""

    param = "?"
    backslash_escapes = True

    def __init__(self, dataset_name: str, capabilities: DestinationCapabilities,
                 settings: BigQuerySettings, query_timeout: float = 600.0) -> None:
        super().__init__(dataset_name, capabilities)
        self.settings = settings
        self.query_timeout = query_timeout
        # resolved now, so a missing setting fails before any data moves
        self._credentials, self.project_id = google_credentials(settings)
        self._client: Any = None

    def __repr__(self) -> str:
        return (f"<BigQuerySqlClient project={self.project_id} dataset={self.dataset_name}"
                f" location={self.settings.location} endpoint={self.settings.api_endpoint}>")

    # -- connection -------------------------------------------------------------------------

    def open_connection(self) -> Any:
        """Make the `google.cloud.bigquery.Client` (the base `SqlClient` shares it between
        nested `with` blocks)."""
        if self._client is None:
            options = None
            if self.settings.api_endpoint:
                from google.api_core.client_options import ClientOptions

                options = ClientOptions(api_endpoint=self.settings.api_endpoint)
            self._client = bq.Client(project=self.project_id, credentials=self._credentials,
                                     location=self.settings.location, client_options=options)
        return self._client

    def close_connection(self) -> None:
        """Close the client (the base calls this when the outermost `with` ends)."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def api_call_options(self) -> dict[str, Any]:
        """`retry` and `timeout` for one API call: `retry_deadline` seconds of retries of
        transient errors, `http_timeout` seconds per HTTP request."""
        return {"retry": bq.DEFAULT_RETRY.with_deadline(self.settings.retry_deadline),
                "timeout": self.settings.http_timeout}

    @property
    def native_connection(self) -> Any:
        """The underlying `google.cloud.bigquery.Client` (inside `with`)."""
        return self._require_client()

    def _require_client(self) -> Any:
        if self._client is None:
            raise DestinationTerminalError("The BigQuery client is not connected; use it inside `with`.")
        return self._client

    # -- statements -------------------------------------------------------------------------

    @contextmanager
    def execute_query(self, sql: str, *args: Any) -> Iterator[BigQueryCursor]:
        """Run a query job (`%s` or `?` placeholders take `args`) and yield a cursor on its rows."""
        client = self._require_client()
        config = bq.QueryJobConfig(query_parameters=[query_parameter(a) for a in args],
                                   default_dataset=f"{self.project_id}.{self.dataset_name}")
        sql = self.driver_sql(sql, args)
        with api_errors(f"query ({_shorten(sql)})"):
            job = client.query(sql, job_config=config, **self.api_call_options())
            rows = job.result(timeout=self.query_timeout)
        yield BigQueryCursor(job, rows)

    def execute_script(self, statements: Sequence[str], transaction: bool = True) -> None:
        """Run statements as one multi-statement query job, inside one transaction by default."""
        body = ";\n".join(s.rstrip().rstrip(";") for s in statements)
        if transaction:
            body = f"BEGIN TRANSACTION;\n{body};\nCOMMIT TRANSACTION"
        self.execute_sql(body + ";")

    # -- transactions -----------------------------------------------------------------------

    def begin_transaction(self) -> None:
        """BigQuery has transactions only inside one script: use `execute_script`."""
        raise DestinationTerminalError(
            "BigQuery transactions span one multi-statement query only; run the statements"
            " with BigQuerySqlClient.execute_script(statements) instead of begin_transaction()."
        )

    # -- names ------------------------------------------------------------------------------

    def escape_identifier(self, name: str) -> str:
        """A backtick-quoted identifier."""
        return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"

    def qualified_dataset_name(self, dataset_name: str | None = None) -> str:
        """`` `project.dataset` ``."""
        return f"`{self.project_id}.{dataset_name or self.dataset_name}`"

    def qualified_table_name(self, table_name: str, dataset_name: str | None, quote: bool) -> str:
        """`` `project.dataset.table` `` (without the backticks with `quote=False`)."""
        name = self.table_id(table_name, dataset_name)
        return f"`{name}`" if quote else name

    def literal(self, value: Any) -> str:
        """A GoogleSQL literal; datetimes are TIMESTAMP (naive ones taken as UTC)."""
        if isinstance(value, dt.datetime):
            if value.tzinfo is None:
                value = value.replace(tzinfo=dt.timezone.utc)
            return f"TIMESTAMP {self.escape_string(value.isoformat(sep=' '))}"
        return super().literal(value)

    def table_id(self, table_name: str, dataset_name: str | None = None) -> str:
        """`project.dataset.table` as the API expects it (no quotes)."""
        return f"{self.project_id}.{dataset_name or self.dataset_name}.{table_name}"

    # -- datasets ---------------------------------------------------------------------------

    def has_dataset(self, dataset_name: str | None = None) -> bool:
        """True when the dataset exists."""
        try:
            self._require_client().get_dataset(f"{self.project_id}.{dataset_name or self.dataset_name}",
                                              **self.api_call_options())
        except google_exceptions.NotFound:
            return False
        except google_exceptions.GoogleAPICallError as exc:
            raise translate_error(exc, "dataset lookup") from exc
        return True

    def create_dataset(self, dataset_name: str | None = None) -> None:
        """Create the dataset in the configured location (if it does not exist)."""
        dataset = bq.Dataset(f"{self.project_id}.{dataset_name or self.dataset_name}")
        if self.settings.location:
            dataset.location = self.settings.location
        try:
            self._require_client().create_dataset(dataset, exists_ok=True, **self.api_call_options())
        except google_exceptions.GoogleAPICallError as exc:
            raise translate_error(exc, f"creating dataset {dataset.dataset_id}") from exc

    def drop_dataset(self, dataset_name: str | None = None) -> None:
        """Drop the dataset and every table in it."""
        try:
            self._require_client().delete_dataset(
                f"{self.project_id}.{dataset_name or self.dataset_name}",
                delete_contents=True, not_found_ok=True, **self.api_call_options(),
            )
        except google_exceptions.GoogleAPICallError as exc:
            raise translate_error(exc, "dropping a dataset") from exc


def _shorten(sql: str, limit: int = 200) -> str:
    flat = " ".join(sql.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def string_literal(value: str) -> str:
    """A GoogleSQL string literal."""
    escaped = value.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n").replace("\r", "\\r")
    return f"'{escaped}'"
