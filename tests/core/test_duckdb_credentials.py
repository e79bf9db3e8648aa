"""`DuckDbCredentials` (dlt 1.31's `dlt.destinations.impl.duckdb.configuration`): the database,
and the extensions, configs, pragmas and statements applied to the connections dlt uses."""

from __future__ import annotations

import json
import logging
import textwrap
import traceback
from pathlib import Path

import duckdb
import pytest

import dlt
from dlt.configuration import reset_resolver
from dlt.configuration.exceptions import ConfigValueError, ValueNotSecretException
from dlt.destinations.impl.duckdb.configuration import (
    DuckDbCredentials,
    InvalidInMemoryDuckdbCredentials,
)
from dlt.pipeline.exceptions import PipelineStepFailed

PLANTED_KEY = "AKIAPLANTED0123456789"
PLANTED_SECRET = "planted-secret-value-6d5c4b"


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def session_values(pipeline, *expressions):
    """The values of SQL expressions in a session of `pipeline.sql_client()`."""
    with pipeline.sql_client() as client:
        return client.execute_sql(f"SELECT {', '.join(expressions)}")[0]


def attached_databases(pipeline):
    with pipeline.sql_client() as client:
        rows = client.execute_sql("SELECT database_name FROM duckdb_databases()")
    return {row[0] for row in rows}


def other_database(tmp_path: Path) -> Path:
    """A second database file with one table, for statements to ATTACH."""
    path = tmp_path / "other.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute("CREATE TABLE answers AS SELECT 42 AS answer")
    return path


def test_bundled_extensions_are_built_into_duckdb_here():
    # the extensions the tests below load must not need a download (there is no internet)
    with duckdb.connect() as connection:
        modes = dict(connection.execute(
            "SELECT extension_name, install_mode FROM duckdb_extensions()").fetchall())
    assert modes["json"] == "STATICALLY_LINKED" and modes["icu"] == "STATICALLY_LINKED"


def test_explicit_credentials_set_up_every_session_of_a_loading_pipeline(tmp_path):
    other = other_database(tmp_path)
    credentials = DuckDbCredentials(
        str(tmp_path / "main.duckdb"), extensions=["json"], global_config={"threads": 3},
        pragmas=["enable_progress_bar"], local_config={"max_expression_depth": 777},
        statements=[f"ATTACH '{other}' AS other_db (READ_ONLY)",
                    "CREATE OR REPLACE MACRO add_one(x) AS x + 1"])
    pipeline = dlt.pipeline(pipeline_name="explicit", dataset_name="data",
                            destination=dlt.destinations.duckdb(credentials=credentials))
    pipeline.run([{"id": 1}, {"id": 2}], table_name="items")
    pipeline.run([{"id": 3}], table_name="items")

    assert (tmp_path / "main.duckdb").exists()
    with pipeline.sql_client() as client:
        assert client.execute_sql("SELECT count(*), sum(id) FROM items") == [(3, 6)]
    assert session_values(
        pipeline, "current_setting('threads')", "current_setting('enable_progress_bar')",
        "current_setting('max_expression_depth')", "current_setting('TimeZone')",
        "add_one(41)") == (3, True, 777, "UTC", 42)
    assert "other_db" in attached_databases(pipeline)
    with pipeline.sql_client() as client:
        assert client.execute_sql("SELECT answer FROM other_db.main.answers") == [(42,)]


def test_an_extension_that_cannot_load_fails_naming_it(tmp_path):
    credentials = DuckDbCredentials(str(tmp_path / "x.duckdb"), extensions=["no_such_extension"])
    pipeline = dlt.pipeline(pipeline_name="bad_extension",
                            destination=dlt.destinations.duckdb(credentials))
    with pytest.raises(PipelineStepFailed) as failure:
        pipeline.run([{"id": 1}], table_name="items")
    assert "extension 'no_such_extension'" in str(failure.value)
    assert "remove it from extensions" in str(failure.value)


def test_an_open_connection_gets_the_database_setup_once_and_stays_open(tmp_path):
    other = other_database(tmp_path)
    connection = duckdb.connect(str(tmp_path / "mine.duckdb"))
    credentials = DuckDbCredentials(
        connection, global_config={"threads": 3}, local_config={"max_expression_depth": 555},
        statements=[f"ATTACH '{other}' AS other_db (READ_ONLY)"])
    pipeline = dlt.pipeline(pipeline_name="own_connection", dataset_name="data",
                            destination=dlt.destinations.duckdb(credentials))
    # a second ATTACH of the same file would fail: the statements run once on this connection
    pipeline.run([{"id": 1}], table_name="items")
    pipeline.run([{"id": 2}], table_name="items")

    assert connection.execute("SELECT count(*) FROM data.items").fetchall() == [(2,)]
    assert connection.execute("SELECT current_setting('threads')").fetchall() == [(3,)]
    assert session_values(pipeline, "current_setting('max_expression_depth')",
                          "current_setting('threads')") == (555, 3)
    assert "other_db" in attached_databases(pipeline)
    assert credentials.database == str(tmp_path / "mine.duckdb")
    connection.close()


def test_session_timezone_is_set_on_open_and_none_keeps_duckdb_default(tmp_path):
    berlin = dlt.pipeline(pipeline_name="berlin", destination=dlt.destinations.duckdb(
        DuckDbCredentials(str(tmp_path / "berlin.duckdb"), session_timezone="Europe/Berlin")))
    berlin.run([{"id": 1}], table_name="items")
    assert session_values(berlin, "current_setting('TimeZone')") == ("Europe/Berlin",)

    with duckdb.connect() as plain:
        duckdb_default = plain.execute("SELECT current_setting('TimeZone')").fetchone()[0]
    unset = dlt.pipeline(pipeline_name="unset", destination=dlt.destinations.duckdb(
        DuckDbCredentials(str(tmp_path / "unset.duckdb"), session_timezone=None)))
    unset.run([{"id": 1}], table_name="items")
    assert session_values(unset, "current_setting('TimeZone')") == (duckdb_default,)


def test_credentials_fields_come_from_environment_variables(monkeypatch, tmp_path):
    path = tmp_path / "from_env.duckdb"
    monkeypatch.setenv("DESTINATION__DUCKDB__CREDENTIALS__DATABASE", str(path))
    monkeypatch.setenv("DESTINATION__DUCKDB__CREDENTIALS__EXTENSIONS", '["json"]')
    monkeypatch.setenv("DESTINATION__DUCKDB__CREDENTIALS__GLOBAL_CONFIG", '{"threads": 3}')
    monkeypatch.setenv("DESTINATION__DUCKDB__CREDENTIALS__PRAGMAS", '["enable_progress_bar"]')
    monkeypatch.setenv("DESTINATION__DUCKDB__CREDENTIALS__LOCAL_CONFIG",
                       '{"max_expression_depth": 321}')
    monkeypatch.setenv("DESTINATION__DUCKDB__CREDENTIALS__STATEMENTS",
                       '["CREATE OR REPLACE MACRO twice(x) AS 2 * x"]')
    pipeline = dlt.pipeline(pipeline_name="env_credentials", destination="duckdb")
    pipeline.run([{"id": 1}, {"id": 2}], table_name="items")

    assert path.exists() and not (Path.cwd() / "env_credentials.duckdb").exists()
    with pipeline.sql_client() as client:
        assert client.execute_sql("SELECT count(*) FROM items") == [(2,)]
    assert session_values(pipeline, "current_setting('threads')",
                          "current_setting('enable_progress_bar')",
                          "current_setting('max_expression_depth')",
                          "twice(21)") == (3, True, 321, 42)


def test_an_explicit_path_takes_the_other_fields_from_configuration(monkeypatch, tmp_path):
    monkeypatch.setenv("DESTINATION__DUCKDB__CREDENTIALS__DATABASE",
                       str(tmp_path / "ignored.duckdb"))
    monkeypatch.setenv("DESTINATION__DUCKDB__CREDENTIALS__GLOBAL_CONFIG", '{"threads": 3}')
    pipeline = dlt.pipeline(pipeline_name="mixed", destination=dlt.destinations.duckdb(
        str(tmp_path / "explicit.duckdb")))
    pipeline.run([{"id": 1}], table_name="items")
    assert (tmp_path / "explicit.duckdb").exists() and not (tmp_path / "ignored.duckdb").exists()
    assert session_values(pipeline, "current_setting('threads')") == (3,)


def test_credentials_table_in_toml_files(tmp_path):
    path = tmp_path / "from_toml.duckdb"
    write(Path(".dlt/config.toml"), f"""
        [destination.duckdb.credentials]
        database = "{path}"
        extensions = ["json"]
        global_config = {{threads = 3}}
        pragmas = ["enable_progress_bar"]
    """)
    write(Path(".dlt/secrets.toml"), """
        [destination.duckdb.credentials]
        statements = ["CREATE OR REPLACE MACRO add_two(x) AS x + 2"]
    """)
    reset_resolver()
    pipeline = dlt.pipeline(pipeline_name="toml_credentials", destination="duckdb")
    pipeline.run([{"id": 1}], table_name="items")

    assert path.exists()
    assert session_values(pipeline, "current_setting('threads')",
                          "current_setting('enable_progress_bar')", "add_two(40)") == (3, True, 42)


def test_statements_in_config_toml_are_refused_as_secrets_in_the_wrong_file(tmp_path):
    write(Path(".dlt/config.toml"), f"""
        [destination.duckdb.credentials]
        database = "{tmp_path / 'x.duckdb'}"
        statements = ["CREATE OR REPLACE MACRO add_two(x) AS x + 2"]
    """)
    reset_resolver()
    pipeline = dlt.pipeline(pipeline_name="misplaced", destination="duckdb")
    with pytest.raises(ValueNotSecretException, match="credentials.statements.*secrets.toml"):
        pipeline.destination.configuration()


def test_a_credentials_field_of_the_wrong_type_is_an_error_naming_its_key(monkeypatch, tmp_path):
    monkeypatch.setenv("DESTINATION__DUCKDB__CREDENTIALS__EXTENSIONS", "5")
    with pytest.raises(ConfigValueError,
                       match=r"destination\.duckdb\.credentials\.extensions` cannot be converted"):
        dlt.destinations.duckdb().configuration()
    monkeypatch.delenv("DESTINATION__DUCKDB__CREDENTIALS__EXTENSIONS")
    explicit = DuckDbCredentials(str(tmp_path / "x.duckdb"), global_config=["threads", 1])
    with pytest.raises(ConfigValueError,
                       match=r"destination\.duckdb\.credentials\.global_config must be a table"):
        dlt.destinations.duckdb(explicit).configuration()


def test_one_extension_given_as_text_is_a_list_of_one(tmp_path):
    destination = dlt.destinations.duckdb(DuckDbCredentials(str(tmp_path / "x.duckdb"),
                                                            extensions="json"))
    assert destination.configuration()["credentials"].extensions == ["json"]


def test_read_only_credentials_read_the_data_and_refuse_a_load(monkeypatch, tmp_path):
    path = tmp_path / "shared.duckdb"
    writer = dlt.pipeline(pipeline_name="shared", dataset_name="data",
                          destination=dlt.destinations.duckdb(DuckDbCredentials(str(path))))
    writer.run([{"id": 1}, {"id": 2}], table_name="items")

    monkeypatch.setenv("DESTINATION__DUCKDB__CREDENTIALS__READ_ONLY", "true")
    reader = dlt.pipeline(pipeline_name="shared", dataset_name="data",
                          destination=dlt.destinations.duckdb(DuckDbCredentials(str(path))))
    assert sorted(row[0] for row in reader.dataset().items.select("id").fetchall()) == [1, 2]
    with reader.sql_client() as client:
        assert client.execute_sql("SELECT count(*) FROM items") == [(2,)]
        with pytest.raises(Exception, match="read-only"):
            client.execute_sql("CREATE TABLE not_allowed (id INTEGER)")

    with pytest.raises(PipelineStepFailed) as failure:
        reader.run([{"id": 3}], table_name="items")
    assert "read_only = true" in str(failure.value) and "set" in str(failure.value)
    assert reader.has_pending_data
    with duckdb.connect(str(path), read_only=True) as connection:
        assert connection.execute("SELECT count(*) FROM data.items").fetchall() == [(2,)]


def test_read_only_credentials_of_a_missing_database_say_it_does_not_exist(tmp_path):
    missing = tmp_path / "missing.duckdb"
    pipeline = dlt.pipeline(pipeline_name="nothing_yet", destination=dlt.destinations.duckdb(
        DuckDbCredentials(str(missing), read_only=True)))
    with pytest.raises(Exception, match="read-only: it does not exist"):
        with pipeline.sql_client() as client:
            client.execute_sql("SELECT 1")
    assert not missing.exists()


def leaked_texts(pipeline, error, caplog):
    """Every text a run produces that a user or a log collector may see."""
    texts = [str(error), repr(error), "".join(traceback.format_exception(error)),
             "\n".join(record.getMessage() for record in caplog.records),
             "\n".join(caplog.text.splitlines())]
    if pipeline.last_trace is not None:
        texts.append(str(pipeline.last_trace))
    trace_file = Path(pipeline.working_dir) / "trace.json"
    if trace_file.exists():
        texts.append(trace_file.read_text())
    return texts


def test_a_secret_in_statements_never_appears_in_logs_errors_reprs_or_traces(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    good = f"CREATE OR REPLACE MACRO key_id() AS '{PLANTED_KEY}'"
    # a parser error: DuckDB's message quotes the line of the statement, key and secret included
    broken = f"CREATE SECRETT leaked (TYPE s3, KEY_ID '{PLANTED_KEY}', SECRET '{PLANTED_SECRET}')"
    credentials = DuckDbCredentials(str(tmp_path / "secret.duckdb"), statements=[good, broken])
    assert PLANTED_KEY not in repr(credentials) and PLANTED_KEY not in str(credentials)
    pipeline = dlt.pipeline(pipeline_name="secretive",
                            destination=dlt.destinations.duckdb(credentials))

    with pytest.raises(PipelineStepFailed) as failure:
        pipeline.run([{"id": 1}], table_name="items")

    assert "Statement 2 of 2" in str(failure.value) and "Parser Error" in str(failure.value)
    for text in leaked_texts(pipeline, failure.value, caplog):
        assert PLANTED_KEY not in text and PLANTED_SECRET not in text
        assert "SECRETT" not in text


def test_a_working_secret_statement_leaves_no_trace_in_debug_logs(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    statement = f"CREATE OR REPLACE MACRO key_id() AS '{PLANTED_KEY}'"
    pipeline = dlt.pipeline(pipeline_name="quiet", destination=dlt.destinations.duckdb(
        DuckDbCredentials(str(tmp_path / "quiet.duckdb"), statements=[statement])))
    info = pipeline.run([{"id": 1}], table_name="items")

    assert session_values(pipeline, "key_id()") == (PLANTED_KEY,)
    texts = [str(info), str(pipeline.last_trace), caplog.text,
             (Path(pipeline.working_dir) / "trace.json").read_text()]
    assert all(PLANTED_KEY not in text for text in texts)
    trace = json.loads((Path(pipeline.working_dir) / "trace.json").read_text())
    assert PLANTED_KEY not in json.dumps(trace)


def test_keywords_and_url_form_keep_working_through_credentials(tmp_path):
    in_folder = dlt.pipeline(pipeline_name="in_folder", destination=dlt.destinations.duckdb(
        DuckDbCredentials(":pipeline:")))
    in_folder.run([{"id": 1}], table_name="items")
    assert (Path(in_folder.working_dir) / "in_folder.duckdb").exists()

    absolute = tmp_path / "url.duckdb"
    by_url = dlt.pipeline(pipeline_name="by_url", destination=dlt.destinations.duckdb(
        DuckDbCredentials(f"duckdb:///{absolute}")))
    by_url.run([{"id": 1}], table_name="items")
    assert absolute.exists()

    in_memory = dlt.pipeline(pipeline_name="in_memory", destination=dlt.destinations.duckdb(
        DuckDbCredentials(":memory:")))
    with pytest.raises(InvalidInMemoryDuckdbCredentials, match='":memory:" would load into'):
        in_memory.run([{"id": 1}], table_name="items")


def test_a_memory_limit_in_global_config_is_kept_and_never_raised(tmp_path):
    pipeline = dlt.pipeline(pipeline_name="capped", destination=dlt.destinations.duckdb(
        DuckDbCredentials(str(tmp_path / "capped.duckdb"),
                          global_config={"memory_limit": "300MB"})))
    pipeline.run([{"id": 1}], table_name="items")
    assert pipeline.destination_client().raise_default_memory_limit is False
    assert session_values(pipeline, "current_setting('memory_limit')") == ("286.1 MiB",)

    default = dlt.pipeline(pipeline_name="default_cap", destination=dlt.destinations.duckdb(
        DuckDbCredentials(str(tmp_path / "default.duckdb"))))
    assert default.destination_client().raise_default_memory_limit is True
