"""`@dlt.destination`: a Python function as a destination, with batches, config injection,
typed values, parallelism strategies and progress that survives a failed load."""

from __future__ import annotations

import gzip
import os
import threading
import time
from datetime import date, datetime, timezone
from decimal import Decimal

import orjson
import pyarrow.parquet as pq
import pytest

import dlt
from dlt.common.destination.exceptions import DestinationTerminalException
from dlt.common.exceptions import ValueErrorWithKnownValues
from dlt.configuration.exceptions import ConfigFieldMissingException
from dlt.pipeline.exceptions import PipelineStepFailed
from dlt.plugins import get_plugin_manager


def test_the_sink_factory_is_a_builtin_plugin_named_destination():
    records = get_plugin_manager().records
    assert records["destination"].status == "ok" and records["destination"].builtin
    assert dlt.destinations.destination is get_plugin_manager().destination("destination")


def test_rows_arrive_in_batches_of_batch_size_with_the_table_schema():
    calls = []

    @dlt.destination(batch_size=4)
    def sink(items, table):
        calls.append((table["name"], [dict(r) for r in items], table))

    rows = [{"id": i, "Name": f"n{i}", "Payload": {"k": i}} for i in range(10)]
    dlt.pipeline(pipeline_name="sink_batches", destination=sink).run(rows, table_name="Things")
    assert sorted(len(items) for _, items, _ in calls) == [2, 4, 4]
    assert {name for name, _, _ in calls} == {"Things"}
    delivered = sorted((r for _, items, _ in calls for r in items), key=lambda r: r["id"])
    assert delivered == rows
    table = calls[0][2]
    assert {k: c["data_type"] for k, c in table["columns"].items()} == {
        "id": "bigint", "Name": "text", "Payload": "json"}
    assert table["write_disposition"] == "append"


def test_typed_jsonl_keeps_python_types():
    got: list[dict] = []
    row = {"ts": datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc), "day": date(2024, 1, 1),
           "amount": Decimal("1.25"), "blob": b"xy"}

    @dlt.destination(loader_file_format="typed-jsonl")
    def sink(items, table):
        got.append(items[0])

    dlt.pipeline(pipeline_name="sink_typed", destination=sink).run([row], table_name="t")
    assert got == [row]


def test_jsonl_is_refused_as_in_dlt_1_31_which_reads_only_typed_jsonl_and_parquet():
    with pytest.raises(ValueErrorWithKnownValues) as raised:
        @dlt.destination(loader_file_format="jsonl")
        def sink(items, table):
            pass

        sink()
    assert raised.value.valid_values == ("typed-jsonl", "parquet")
    assert "Received invalid value `loader_file_format=jsonl`" in str(raised.value)


def test_batch_size_zero_passes_a_gzipped_typed_jsonl_file():
    opened = []

    @dlt.destination(batch_size=0)
    def sink(items, table):
        with gzip.open(items, "rb") as file:
            opened.append((os.path.basename(items), [orjson.loads(line) for line in file]))

    pipeline = dlt.pipeline(pipeline_name="sink_gz", destination=sink)
    pipeline.run([{"id": 1}, {"id": 2}], table_name="t")
    ((name, rows),) = opened
    assert name.endswith(".typed-jsonl.gz")
    assert sorted(r["id"] for r in rows) == [1, 2]


def test_batch_size_zero_passes_a_plain_file_when_compression_is_disabled(monkeypatch):
    monkeypatch.setenv("DATA_WRITER__DISABLE_COMPRESSION", "true")
    opened = []

    @dlt.destination(batch_size=0)
    def sink(items, table):
        with open(items, "rb") as file:
            opened.append((os.path.basename(items), [orjson.loads(line) for line in file]))

    dlt.pipeline(pipeline_name="sink_plain", destination=sink).run([{"id": 1}], table_name="t")
    ((name, rows),) = opened
    assert name.endswith(".typed-jsonl") and [r["id"] for r in rows] == [1]


@pytest.mark.parametrize("name", [None, "my_sink"])
def test_the_destination_name_is_the_name_argument_or_the_function_name(name):
    @dlt.destination(name=name)
    def other_sink(items, table):
        pass

    pipeline = dlt.pipeline(pipeline_name=f"sink_named_{name}", destination=other_sink)
    info = pipeline.run([{"a": 1}], table_name="t")
    expected = name or "other_sink"
    assert pipeline.destination.destination_name == expected
    assert info.destination_name == expected
    assert pipeline.destination.destination_type == "dlt.destinations.destination"
    assert info.destination_type == "dlt.destinations.destination"
    assert f"to destination {expected} " in str(info)


def test_a_named_destination_of_a_type_keeps_its_name_and_its_type():
    named = dlt.destinations.duckdb(destination_name="warehouse")
    assert named.destination_name == "warehouse"
    assert named.destination_type == "dlt.destinations.duckdb"
    assert dlt.destinations.duckdb().destination_name == "duckdb"


def test_parquet_batches_are_record_batches_and_batch_size_zero_passes_the_file():
    batches, paths = [], []

    @dlt.destination(batch_size=2, loader_file_format="parquet")
    def batched(items, table):
        batches.append(items.to_pylist())

    @dlt.destination(batch_size=0, loader_file_format="parquet")
    def whole(items, table):
        paths.append((items, pq.read_table(items).column("id").to_pylist()))

    data = [{"id": i} for i in range(5)]
    dlt.pipeline(pipeline_name="sink_pq", destination=batched).run(data, table_name="t")
    dlt.pipeline(pipeline_name="sink_pq0", destination=whole).run(data, table_name="t")
    assert [[r["id"] for r in b] for b in batches] == [[0, 1], [2, 3], [4]]
    assert len(paths) == 1 and paths[0][0].endswith(".parquet") and sorted(paths[0][1]) == [0, 1, 2, 3, 4]


def test_a_failed_load_resumes_at_the_first_batch_not_delivered(monkeypatch):
    monkeypatch.setenv("LOAD__RAISE_ON_MAX_RETRIES", "2")
    delivered, attempts, broken = [], [], [True]

    @dlt.destination(batch_size=3)
    def flaky(items, table):
        ids = [r["id"] for r in items]
        if 4 in ids and broken[0]:
            attempts.append(ids)
            raise ConnectionError("remote down")
        delivered.append(ids)

    pipeline = dlt.pipeline(pipeline_name="sink_resume", destination=flaky)
    with pytest.raises(PipelineStepFailed) as failure:
        pipeline.run([{"id": i} for i in range(1, 9)], table_name="rows")
    assert failure.value.step == "load" and "remote down" in str(failure.value)
    assert delivered == [[1, 2, 3]] and attempts == [[4, 5, 6]] * 2
    assert pipeline.has_pending_data
    broken[0] = False
    pipeline.run()
    assert delivered == [[1, 2, 3], [4, 5, 6], [7, 8]]
    assert not pipeline.has_pending_data


def test_a_terminal_exception_fails_the_job_without_retries():
    calls = []

    @dlt.destination
    def refusing(items, table):
        calls.append(1)
        raise DestinationTerminalException("schema mismatch at the remote end")

    with pytest.raises(PipelineStepFailed) as failure:
        dlt.pipeline(pipeline_name="sink_terminal", destination=refusing).run([{"a": 1}], table_name="t")
    assert "schema mismatch at the remote end" in str(failure.value) and calls == [1]


def test_function_arguments_come_from_config_and_a_missing_secret_fails_before_loading(monkeypatch):
    seen = []

    @dlt.destination(name="my_api")
    def api_sink(items, table, api_url=dlt.config.value, api_key=dlt.secrets.value):
        seen.append((api_url, api_key))

    with pytest.raises(ConfigFieldMissingException):
        dlt.pipeline(pipeline_name="sink_cfg_missing", destination=api_sink).run([{"a": 1}], table_name="t")
    assert seen == []
    monkeypatch.setenv("DESTINATION__MY_API__API_KEY", "k3y")
    monkeypatch.setenv("DESTINATION__MY_API__API_URL", "http://example")
    dlt.pipeline(pipeline_name="sink_cfg", destination=api_sink).run([{"a": 1}], table_name="t")
    # an explicit argument wins over configuration
    dlt.pipeline(pipeline_name="sink_cfg2", destination=api_sink(api_url="http://explicit")).run(
        [{"a": 1}], table_name="t")
    assert seen == [("http://example", "k3y"), ("http://explicit", "k3y")]


def test_table_sequential_runs_one_job_per_table_at_a_time():
    active: dict[str, int] = {}
    most: dict[str, int] = {}
    overall = [0, 0]
    lock = threading.Lock()

    @dlt.destination(batch_size=1, loader_parallelism_strategy="table-sequential")
    def sink(items, table):
        name = table["name"]
        with lock:
            active[name] = active.get(name, 0) + 1
            most[name] = max(most.get(name, 0), active[name])
            overall[0] += 1
            overall[1] = max(overall)
        time.sleep(0.05)
        with lock:
            active[name] -= 1
            overall[0] -= 1

    os.environ["EXTRACT__ITEMS_PER_FILE"] = "1"
    try:
        resources = [dlt.resource([{"v": i} for i in range(2)], name=f"r{t}") for t in range(3)]
        dlt.pipeline(pipeline_name="sink_table_seq", destination=sink).run(resources)
    finally:
        del os.environ["EXTRACT__ITEMS_PER_FILE"]
    assert set(most) == {"r0", "r1", "r2"} and max(most.values()) == 1
    assert overall[1] > 1, "different tables load in parallel"


def test_dlt_destination_by_name_makes_a_sink_or_a_named_destination():
    got = []

    def plain(items, table):
        got.extend(items)

    sink = dlt.destination("plain_one", destination_callable=plain, batch_size=1)
    assert sink.name == "plain_one" and sink.destination_type == "dlt.destinations.destination"
    dlt.pipeline(pipeline_name="sink_plain", destination=sink).run([{"v": 1}, {"v": 2}], table_name="t")
    assert sorted(r["v"] for r in got) == [1, 2]
    named = dlt.destination("warehouse", destination_type="duckdb")
    assert named.name == "warehouse" and named.destination_type == "dlt.destinations.duckdb"


def test_an_unknown_file_format_is_refused_with_the_choices():
    with pytest.raises(ValueErrorWithKnownValues, match="'typed-jsonl', 'parquet'"):
        @dlt.destination(loader_file_format="insert_values")
        def sink(items, table):
            pass

        sink()
