"""Secrets never printed (issue 19 item 5): a known secret (resolved from config) and secrets
recognisable by their shape (a URL password, an `api_key=` query parameter) raised inside a
resource are redacted on every surface: each exception of the chain, the formatted traceback,
the printed trace, trace.json, the trace loaded into the destination and the log records."""

from __future__ import annotations

import logging
import traceback

import pytest

import dlt
from core_helpers import rows_of

# assembled at run time, so the source lines a traceback quotes hold none of them
KNOWN = "known-" + "secret-" + "7f3a9c"
QUERY_KEY = "QK" + "8812734655"
URL_PASSWORD = "pw" + "hunter2hunter2"
SECRETS = (KNOWN, QUERY_KEY, URL_PASSWORD)


def _leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


@pytest.fixture
def failed_run(monkeypatch):
    monkeypatch.setenv("SOURCES__TEST_RELIABILITY_SECRETS__CALLS__API_TOKEN", KNOWN)

    @dlt.resource
    def calls(api_token: str = dlt.secrets.value):
        yield {"id": 1}
        url = f"https://api.example.com/v1/items?api_key={QUERY_KEY}&page=2"
        dsn = f"postgresql://loader:{URL_PASSWORD}@db.example.com/prod"
        raise RuntimeError(f"GET {url} failed (token {api_token}, fallback {dsn})")

    pipeline = dlt.pipeline(pipeline_name="secret_chain", destination="duckdb")
    with pytest.raises(Exception) as failure:
        pipeline.run(calls())
    return pipeline, failure.value


def test_every_exception_of_the_chain_is_redacted(failed_run):
    _, error = failed_run
    chain = []
    while error is not None:
        chain.append(error)
        error = error.__cause__ or error.__context__
    assert [type(e).__name__ for e in chain] == ["PipelineStepFailed", "ResourceExtractionError",
                                                "RuntimeError"]
    for error in chain:
        assert _leaks(str(error)) == [], type(error).__name__
    assert "api_key=***" in str(chain[1]) and "loader:***@db.example.com" in str(chain[1])


def test_formatted_traceback_is_redacted(failed_run):
    _, error = failed_run
    text = "".join(traceback.format_exception(error))
    assert "ResourceExtractionError" in text
    assert _leaks(text) == []


def test_printed_and_saved_trace_is_redacted(failed_run, capsys):
    pipeline, _ = failed_run
    print(pipeline.last_trace)
    assert "ResourceExtractionError" in capsys.readouterr().out
    assert _leaks(str(pipeline.last_trace)) == []
    saved = (pipeline._working_dir / "trace.json").read_text()
    assert "FAILED" in str(pipeline.last_trace) and _leaks(saved) == []
    restored = dlt.attach("secret_chain").last_trace
    assert _leaks(str(restored)) == [] and _leaks(restored.steps[0].traceback) == []


def test_trace_loaded_into_the_destination_is_redacted(failed_run):
    failed, _ = failed_run
    pipeline = dlt.pipeline(pipeline_name="trace_sink", destination="duckdb")
    pipeline.run([failed.last_trace], table_name="trace")
    with pipeline.sql_client() as client:
        tables = [row[0] for row in client.execute_sql(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            pipeline.dataset_name)]
    dumped = " ".join(str(row) for table in tables if table.startswith("trace")
                      for row in rows_of(pipeline, table))
    assert "ResourceExtractionError" in dumped
    assert _leaks(dumped) == []


def test_log_records_are_redacted(failed_run, caplog):
    pipeline, error = failed_run
    with caplog.at_level(logging.DEBUG, logger="dlt"):
        logging.getLogger("dlt").error("while calling %s: %s", "the api", error, exc_info=error)
    assert caplog.records
    assert _leaks(caplog.text) == []


def test_redact_masks_secret_shapes_and_keeps_ordinary_text():
    from dlt.configuration.redaction import redact

    assert redact("https://u:p4ssw0rd@host/db") == "https://u:***@host/db"
    assert redact("GET /x?key=abc123&page=2") == "GET /x?key=***&page=2"
    assert redact("access_token=abc.def client_secret=s3cr3t") == "access_token=*** client_secret=***"
    assert redact("Authorization: Bearer abcdefghijkl") == "Authorization: Bearer ***"
    ordinary = "primary_key=id on table users: 3 rows, https://example.com/docs?page=2"
    assert redact(ordinary) == ordinary


def test_a_short_known_secret_is_redacted_where_it_stands_alone_not_inside_words():
    from dlt.configuration.redaction import redact, remember_secret

    remember_secret("qzvload")
    assert redact("postgresql://qzvload:qzvload@localhost/db") == "postgresql://***:***@localhost/db"
    assert redact("qzvload_file_format 'csv' is not supported") == "qzvload_file_format 'csv' is not supported"
    assert redact("password is qzvload.") == "password is ***."


def test_a_secret_mapping_keeps_who_and_where_readable_and_hides_the_password():
    from dlt.configuration.redaction import redact, remember_secret

    remember_secret({"username": "qzvuser", "host": "qzvhost.example", "password": "qzvpass-123",
                     "query": {"sslmode": "qzvmode"}})
    assert redact("user 'qzvuser' at qzvhost.example with qzvpass-123 (sslmode=qzvmode)") == (
        "user 'qzvuser' at qzvhost.example with *** (sslmode=qzvmode)")


def test_an_example_url_with_a_placeholder_password_stays_readable():
    from dlt.configuration.redaction import redact

    assert redact("expected postgresql://user:password@host:5432/db") == (
        "expected postgresql://user:password@host:5432/db")
    assert redact("got postgresql://user:s3cr3t-value@host/db") == "got postgresql://user:***@host/db"


class _ClientError(Exception):
    """Like many client libraries' errors: the text is built from attributes, not from args."""

    def __init__(self, url: str) -> None:
        super().__init__("request failed")
        self.url = url

    def __str__(self) -> str:
        return f"request to {self.url} failed"


def test_an_exception_with_its_own_str_is_redacted_and_keeps_its_class(monkeypatch):
    @dlt.resource
    def calls():
        yield {"id": 1}
        raise _ClientError(f"https://api.example.com/v1/items?api_key={QUERY_KEY}")

    pipeline = dlt.pipeline(pipeline_name="custom_str_secret", destination="duckdb")
    with pytest.raises(Exception) as failure:
        pipeline.run(calls())
    chain, error = [], failure.value
    while error is not None:
        chain.append(error)
        error = error.__cause__ or error.__context__
    client_error = chain[-1]
    assert isinstance(client_error, _ClientError) and type(client_error).__name__ == "_ClientError"
    assert str(client_error) == "request to https://api.example.com/v1/items?api_key=*** failed"
    assert _leaks("".join(traceback.format_exception(failure.value))) == []

