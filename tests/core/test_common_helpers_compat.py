"""The helpers dlt 1.31 scripts import from `dlt.common` (pendulum, json, logger, time and id
helpers, Slack notifications, naming conventions, extract errors) work as they did there.

Expected values marked "as 1.31" were produced by dlt 1.31.0 from the same calls."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import http.server
import importlib
import io
import json as std_json
import logging
import subprocess
import sys
import threading
import uuid

import pytest

import dlt


def test_from_dlt_common_import_the_1_31_names():
    from dlt.common import Decimal, json, logger, pendulum, sleep

    assert Decimal is decimal.Decimal
    assert pendulum.datetime(2024, 1, 1).tzinfo.name == "UTC"
    assert json.loads(json.dumps({"a": 1})) == {"a": 1}
    assert callable(logger.info) and callable(sleep)
    with pytest.raises(ImportError):
        from dlt.common import no_such_name  # noqa: F401


def test_import_dlt_does_not_load_pendulum():
    code = "import dlt, sys; print('pendulum' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_dlt_common_pendulum_makes_utc_the_local_timezone_as_1_31_does():
    from dlt.common.pendulum import pendulum, timedelta

    assert pendulum.now().timezone_name == "UTC"
    assert pendulum.today().add(days=1) - pendulum.today() == timedelta(days=1)


class _Color(enum.Enum):
    RED = "red"


@dataclasses.dataclass
class _Point:
    x: int


def test_json_encodes_the_values_data_carries_as_1_31():
    from dlt.common import pendulum
    from dlt.common.json import json

    value = {"d": decimal.Decimal("1.10"), "b": b"\x01\x02", "p": pendulum.datetime(2024, 1, 1),
             "naive": datetime.datetime(2024, 1, 1, 1, 2, 3, 4), "u": uuid.UUID(int=1), "e": _Color.RED,
             "dc": _Point(1), 1: "int key", "date": datetime.date(2024, 1, 2), "t": datetime.time(1, 2)}
    # as 1.31
    assert json.dumps(value) == (
        '{"d":"1.10","b":"AQI=","p":"2024-01-01T00:00:00+00:00","naive":"2024-01-01T01:02:03.000004",'
        '"u":"00000000-0000-0000-0000-000000000001","e":"red","dc":{"x":1},"1":"int key",'
        '"date":"2024-01-02","t":"01:02:00"}')
    assert json.dumps({"b": 1, "a": 2}, sort_keys=True) == '{"a":2,"b":1}'
    assert json.dumps([1], pretty=True) == "[\n  1\n]"
    assert isinstance(json.dumpb({"a": 1}), bytes) and json.loadb(b'{"a": 1}') == {"a": 1}
    buffer = io.BytesIO()
    json.dump({"x": [1, 2]}, buffer)
    buffer.seek(0)
    assert json.load(buffer) == {"x": [1, 2]}
    with pytest.raises(TypeError, match="cannot be written as JSON"):
        json.dumps({"x": object()})


def test_json_typed_round_trip_keeps_types_and_key_order():
    from dlt.common.json import json

    value = {"z": decimal.Decimal("1.10"), "a": datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc),
             "d": datetime.date(2024, 1, 2), "b": b"x"}
    back = json.typed_loads(json.typed_dumps(value))
    assert back == value and list(back) == ["z", "a", "d", "b"]
    assert type(back["z"]) is decimal.Decimal and back["z"].as_tuple() == decimal.Decimal("1.10").as_tuple()
    assert json.typed_loadb(json.typed_dumpb(value, sort_keys=True)) == value


def test_json_custom_encoder_takes_what_no_rule_knows():
    from dlt.common.json import json

    class Money:
        def __init__(self, cents: int) -> None:
            self.cents = cents

    json.set_custom_encoder(lambda v: {"cents": v.cents} if isinstance(v, Money) else None)
    try:
        assert json.dumps({"m": Money(5)}) == '{"m":{"cents":5}}'
    finally:
        json.set_custom_encoder(None)


@pytest.mark.parametrize(("value", "expected"), [
    # as 1.31: (value, ensure_pendulum_datetime(value).isoformat())
    ("2024-01-31", "2024-01-31T00:00:00+00:00"),
    ("2024-01-31T12:00:00", "2024-01-31T12:00:00+00:00"),
    ("2024-01-31T12:00:00+02:00", "2024-01-31T10:00:00+00:00"),
    ("2024-01-31T12:00:00Z", "2024-01-31T12:00:00+00:00"),
    ("2024-01-31 12:00:00.123456", "2024-01-31T12:00:00.123456+00:00"),
    (1700000000, "2023-11-14T22:13:20+00:00"),
    (1700000000.5, "2023-11-14T22:13:20.500000+00:00"),
    ("1700000000", "2023-11-14T22:13:20+00:00"),
    (datetime.datetime(2024, 1, 1, 5), "2024-01-01T05:00:00+00:00"),
    (datetime.datetime(2024, 1, 1, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=2))),
     "2024-01-01T03:00:00+00:00"),
    (datetime.date(2024, 2, 3), "2024-02-03T00:00:00+00:00"),
    ("2024", "2024-01-01T00:00:00+00:00"),
    ("20240131", "2024-01-31T00:00:00+00:00"),
])
def test_ensure_pendulum_datetime_as_1_31(value, expected):
    from dlt.common.time import ensure_pendulum_date, ensure_pendulum_datetime

    result = ensure_pendulum_datetime(value)
    assert result.isoformat() == expected and result.timezone_name == "UTC"
    assert ensure_pendulum_date(value).isoformat() == expected[:10]


def test_ensure_pendulum_helpers_convert_zones_and_refuse_what_is_no_datetime():
    from dlt.common.pendulum import pendulum
    from dlt.common.time import ensure_pendulum_date, ensure_pendulum_datetime, ensure_pendulum_time

    berlin_midnight = pendulum.datetime(2024, 1, 1, tz="Europe/Berlin")
    assert ensure_pendulum_datetime(berlin_midnight).isoformat() == "2023-12-31T23:00:00+00:00"
    assert ensure_pendulum_date(berlin_midnight).isoformat() == "2023-12-31"  # as 1.31
    assert ensure_pendulum_time("12:34:56+02:00").isoformat() == "10:34:56"  # as 1.31
    assert ensure_pendulum_time(datetime.timedelta(hours=1, minutes=2)).isoformat() == "01:02:00"
    with pytest.raises(ValueError, match="'nope'"):
        ensure_pendulum_datetime("nope")
    with pytest.raises(ValueError, match="no date"):
        ensure_pendulum_datetime("12:00:00")
    with pytest.raises(TypeError):
        ensure_pendulum_datetime(None)


def test_ids_digests_and_dict_helpers_as_1_31():
    from dlt.common.utils import chunks, digest128, digest256, uniq_id, uniq_id_base64, update_dict_nested

    assert digest128("hello") == "jrS2qTLygDNe4aJ5+MII" and digest128("hello", 10) == "jrS2qTLygDNe4Q"
    assert digest256("hello") == "Mzi+aU9QxfM4gUmGzfBoZFOoiLhPQk15KvS5ICOY85I="
    ids = {uniq_id() for _ in range(100)}
    assert len(ids) == 100 and all(len(i) == 32 and int(i, 16) >= 0 for i in ids)
    assert len(uniq_id_base64(10)) == 14
    merged = update_dict_nested({"a": {"b": 1, "c": [1]}, "x": 1}, {"a": {"c": [2], "d": {"e": 1}}, "x": {"y": 1}})
    assert merged == {"a": {"b": 1, "c": [2], "d": {"e": 1}}, "x": {"y": 1}}
    source = {"k": {"n": 1}}
    copied = update_dict_nested({}, source, copy_src_dicts=True)
    assert copied == source and copied["k"] is not source["k"]
    assert list(chunks(range(5), 2)) == [[0, 1], [2, 3], [4]]


def test_logger_functions_write_to_the_dlt_logger(caplog):
    from dlt.common import logger

    with caplog.at_level(logging.INFO, logger="dlt"):
        logger.info("loaded %s rows", 3)
        logger.warning("careful")
        try:
            raise RuntimeError("inner")
        except RuntimeError:
            logger.exception("failed")
    assert [(r.name, r.levelname, r.getMessage()) for r in caplog.records] == [
        ("dlt", "INFO", "loaded 3 rows"), ("dlt", "WARNING", "careful"), ("dlt", "ERROR", "failed")]
    assert caplog.records[0].filename == "test_common_helpers_compat.py"
    assert caplog.records[2].exc_info[0] is RuntimeError


def test_sleep_stops_at_once_when_a_stop_was_requested(monkeypatch):
    from dlt.common import sleep
    from dlt.utils import signals

    sleep(0.01)
    monkeypatch.setattr(signals, "_received", 15)
    with pytest.raises(signals.StopRequested):
        sleep(60)


class _Hook(http.server.BaseHTTPRequestHandler):
    received: list = []
    status = 200

    def do_POST(self) -> None:  # noqa: N802 - the http.server name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.path, self.headers["Content-Type"], std_json.loads(body)))
        self.send_response(type(self).status)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def slack_hook():
    _Hook.received = []
    _Hook.status = 200
    server = http.server.HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/services/T000/B000/SECRETTOKEN"
    server.shutdown()
    server.server_close()


def test_send_slack_message_posts_to_the_pipelines_configured_hook(slack_hook, monkeypatch, tmp_path):
    from dlt.common.runtime.slack import send_slack_message

    monkeypatch.setenv("RUNTIME__SLACK_INCOMING_HOOK", slack_hook)
    pipeline = dlt.pipeline(pipeline_name="slack_notes", destination="duckdb", pipelines_dir=str(tmp_path))
    assert pipeline.runtime_config.slack_incoming_hook == slack_hook
    assert "SECRETTOKEN" not in repr(pipeline.runtime_config)
    send_slack_message(pipeline.runtime_config.slack_incoming_hook, "*loaded* 3 rows")
    send_slack_message(slack_hook, "plain", is_markdown=False)
    assert _Hook.received == [
        ("/services/T000/B000/SECRETTOKEN", "application/json; charset=utf-8", {"text": "*loaded* 3 rows", "mrkdwn": True}),
        ("/services/T000/B000/SECRETTOKEN", "application/json; charset=utf-8", {"text": "plain", "mrkdwn": False}),
    ]


def test_a_refused_or_unreachable_slack_hook_raises_without_the_secret_url(slack_hook):
    from dlt.common.runtime.slack import SlackNotificationError, send_slack_message

    _Hook.status = 404
    with pytest.raises(SlackNotificationError, match="HTTP 404") as refused:
        send_slack_message(slack_hook, "x")
    port = int(slack_hook.split(":")[2].split("/")[0])
    unreachable = slack_hook.replace(f":{port}/", ":9/")
    with pytest.raises(SlackNotificationError, match="Could not reach") as failed:
        send_slack_message(unreachable, "x")
    with pytest.raises(SlackNotificationError, match="no Slack incoming webhook|No Slack incoming webhook"):
        send_slack_message(None, "x")
    for error in (refused.value, failed.value):
        assert "SECRETTOKEN" not in str(error) and error.__cause__ is None


def test_naming_convention_modules_hold_our_conventions_under_the_1_31_name():
    from dlt.schema import naming

    for module, ours in (("snake_case", naming.SnakeCaseNamingConvention),
                         ("duck_case", naming.DuckCaseNamingConvention),
                         ("direct", naming.DirectNamingConvention),
                         ("sql_cs_v1", naming.SqlCsNamingConvention),
                         ("sql_ci_v1", naming.SqlCiNamingConvention)):
        convention = importlib.import_module(f"dlt.common.normalizers.naming.{module}").NamingConvention
        assert convention is ours
    from dlt.common.normalizers.naming import NamingConvention
    from dlt.common.normalizers.naming.snake_case import NamingConvention as SnakeCase

    assert NamingConvention is naming.NamingConvention
    assert SnakeCase().normalize_identifier("Hello World!") == "hello_worldx"  # as 1.31


def test_a_failing_resource_is_caught_as_1_31_extract_errors(tmp_path):
    from dlt.extract.exceptions import DltResourceException, DltSourceException, ResourceExtractionError
    from dlt.pipeline.exceptions import PipelineStepFailed

    @dlt.resource
    def broken():
        yield {"a": 1}
        raise ValueError("boom")

    pipeline = dlt.pipeline(pipeline_name="extract_errors", destination="duckdb", pipelines_dir=str(tmp_path))
    with pytest.raises(PipelineStepFailed) as failed:
        pipeline.run(broken())
    assert failed.value.step == "extract"
    assert isinstance(failed.value.exception, ResourceExtractionError)
    with pytest.raises(DltResourceException, match="max_items"):
        dlt.resource([1], name="limited").add_limit("5")

    @dlt.source
    def one_resource():
        return dlt.resource([1], name="a")

    with pytest.raises(DltSourceException, match="nope"):
        one_resource().with_resources("nope")


def test_libs_paths_give_the_libraries():
    import pyarrow

    from dlt.common.libs.pyarrow import pa
    from dlt.common.libs.pyarrow import pyarrow as imported

    assert pa is pyarrow is imported
    pandas = pytest.importorskip("pandas")
    from dlt.common.libs.pandas import pandas as imported_pandas

    assert imported_pandas is pandas


@pytest.mark.parametrize(("value", "expected", "day"), [
    # as 1.31: ensure_datetime keeps the zone (or its absence), ensure_date takes the day in UTC
    ("2024-01-31T12:00:00+02:00", "2024-01-31T12:00:00+02:00", "2024-01-31"),
    ("2024-01-31T12:00:00", "2024-01-31T12:00:00", "2024-01-31"),
    ("2024-01-31", "2024-01-31T00:00:00", "2024-01-31"),
    (datetime.date(2024, 2, 3), "2024-02-03T00:00:00", "2024-02-03"),
    (1700000000, "2023-11-14T22:13:20+00:00", "2023-11-14"),
    (datetime.datetime(2024, 1, 1, 5), "2024-01-01T05:00:00", "2024-01-01"),
])
def test_ensure_datetime_and_ensure_date_as_1_31(value, expected, day):
    from dlt.common.time import ensure_date, ensure_datetime

    result = ensure_datetime(value)
    assert type(result) is datetime.datetime and result.isoformat() == expected
    assert type(ensure_date(value)) is datetime.date and ensure_date(value).isoformat() == day


def test_source_modules_import_the_1_31_names_from_dlt_sources_and_dlt_common_typing():
    from dlt.common.typing import Self, TAnyDateTime, TColumnNames, TSortOrder, TypedDict  # noqa: F401
    from dlt.sources import DltResource, DltSource, TDataItem, TDataItems, incremental
    from dlt.utils import typing as our_typing

    assert (DltResource, DltSource, incremental) == (dlt.DltResource, dlt.DltSource, dlt.sources.incremental)
    assert (TDataItem, TDataItems) == (our_typing.TDataItem, our_typing.TDataItems)
    assert {"DltResource", "DltSource", "TDataItem"} <= set(dir(dlt.sources))


def test_a_query_on_a_missing_table_raises_database_undefined_relation(tmp_path):
    from dlt.destinations.exceptions import DatabaseTerminalException, DatabaseUndefinedRelation

    pipeline = dlt.pipeline(pipeline_name="undefined_relation", destination="duckdb", dataset_name="data",
                            pipelines_dir=str(tmp_path))
    with pipeline.sql_client() as client:
        # before the first load: the script asks, and starts from scratch
        with pytest.raises(DatabaseUndefinedRelation, match="items"):
            client.execute_sql("SELECT max(id) FROM items")
    pipeline.run([{"id": 3}], table_name="items")
    with pipeline.sql_client() as client:
        assert client.execute_sql("SELECT max(id) FROM items") == [(3,)]
        with pytest.raises(DatabaseUndefinedRelation, match="no_such_schema"):
            client.execute_sql("SELECT * FROM no_such_schema.items")
        with pytest.raises(DatabaseTerminalException) as bad_column:
            client.execute_sql("SELECT no_such_column FROM items")
        assert not isinstance(bad_column.value, DatabaseUndefinedRelation)


@pytest.mark.parametrize("credentials", [":memory:", "duckdb:///:memory:"])
def test_in_memory_duckdb_credentials_are_refused_before_any_data_moves_as_1_31(credentials, tmp_path):
    from dlt.destinations.impl.duckdb.factory import InvalidInMemoryDuckdbCredentials

    pipeline = dlt.pipeline(pipeline_name="in_memory", destination=dlt.destinations.duckdb(credentials),
                            pipelines_dir=str(tmp_path))
    with pytest.raises(InvalidInMemoryDuckdbCredentials) as refused:
        pipeline.run([{"id": 1}], table_name="t")
    message = str(refused.value)
    assert 'duckdb credentials ":memory:"' in message and 'duckdb.connect(":memory:")' in message
    assert not pipeline.has_pending_data  # nothing was extracted
    # the way the message shows works
    import duckdb

    connection = duckdb.connect(":memory:")
    in_memory = dlt.pipeline(pipeline_name="in_memory_conn", destination=dlt.destinations.duckdb(connection),
                             dataset_name="data", pipelines_dir=str(tmp_path))
    in_memory.run([{"id": 1}], table_name="t")
    assert connection.execute("SELECT id FROM data.t").fetchall() == [(1,)]
