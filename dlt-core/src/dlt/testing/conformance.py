"""The destination conformance suite: the same scenarios for every destination.

A destination plugin runs it by subclassing `DestinationConformance` in a test module and
providing a `destination` fixture that returns a configured destination instance:

    from dlt.testing.conformance import DestinationConformance

    class TestMyDestination(DestinationConformance):
        @pytest.fixture
        def destination(self, tmp_path):
            return dlt.destinations.my_destination(credentials=...)

Scenarios: every data type round trips; nested child tables; append, replace and merge; every
merge strategy the destination declares (delete-insert with dedup_sort and hard_delete, upsert,
insert-only, scd2) and every replace strategy (truncate-and-insert, insert-from-staging,
staging-optimized); refresh; dropping tables; schema evolution; variant columns; state and
schema restore from the destination, also into a fresh pipelines dir; Arrow tables and
DataFrames; a table spread over several job files (append and merge); resume after a crash
mid-load; hostile identifiers; system tables; a wrong location or credentials (a
`wrong_destination` fixture) failing with a destination error. Where a destination lacks a
capability (say, merge), the scenario is skipped with the reason from its capabilities.

Rows are read back through the destination's SQL client, or from its files when its
capabilities declare `loads_into_files` (filesystem-like destinations).
"""

from __future__ import annotations

import base64
import gzip
import json
import shutil
import uuid
from datetime import date, datetime, time, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import dlt
from dlt.pipeline.pipeline import Pipeline

ALL_TYPES_ROW = {
    "col_text": "Zürich ☃ 'quoted' \"double\"",
    "col_bigint": 9007199254740993,
    "col_double": 3.5,
    "col_bool": True,
    "col_timestamp": datetime(2024, 2, 29, 13, 45, 30, 123456, tzinfo=timezone.utc),
    "col_date": date(2024, 2, 29),
    "col_time": time(13, 45, 30, 123456),
    "col_decimal": Decimal("12345678901234567890.123456789"),
    "col_json": {"a": [1, 2, {"b": None}], "c": "d"},
    "col_binary": b"\x00\x01binary\xff",
}
MERGE_STRATEGY_SCENARIOS = {
    "delete-insert": "test_merge_upserts_by_primary_key, test_merge_dedup_sort_and_hard_delete",
    "upsert": "test_merge_upsert_keeps_row_ids_and_replaces_nested_rows",
    "insert-only": "test_merge_insert_only_keeps_existing_rows",
    "scd2": "test_merge_scd2_retires_changed_and_absent_records",
}
"""The merge strategies the suite proves, and the scenarios that prove them."""
REPLACE_STRATEGIES = ("truncate-and-insert", "insert-from-staging", "staging-optimized")
"""The replace strategies `test_every_declared_replace_strategy_swaps_rows_and_child_rows` proves."""

ALL_TYPES_COLUMNS = {
    "col_json": {"data_type": "json"},
    "col_decimal": {"data_type": "decimal"},
}


def comparable(value: Any) -> Any:
    """Bring a value read back from any destination to a common form for comparison."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, bytearray):
        return bytes(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return value
    return value


def read_sql_rows(pipeline: Pipeline, table: str) -> list[dict[str, Any]]:
    """All rows of `table` in the pipeline's dataset, through its SQL client."""
    with pipeline.sql_client() as client:
        qualified = client.make_qualified_table_name(table)
        with client.execute_query(f"SELECT * FROM {qualified}") as cursor:
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]


def read_filesystem_rows(pipeline: Pipeline, table: str) -> list[dict[str, Any]]:
    """All rows of `table` written by a filesystem-like destination (jsonl, gzip or not, or parquet files)."""
    import pyarrow.parquet as pq

    from dlt.destinations.impl.filesystem.client import local_path

    root = local_path(pipeline.destination.configuration()["bucket_url"]) / pipeline.dataset_name / table
    rows: list[dict[str, Any]] = []
    if not root.is_dir():
        return rows
    for file in sorted(root.iterdir()):
        if file.name.endswith((".jsonl", ".jsonl.gz")):
            # jsonl files are gzip-compressed unless data_writer.disable_compression is set
            data = gzip.decompress(file.read_bytes()) if file.suffix == ".gz" else file.read_bytes()
            rows += [json.loads(line) for line in data.decode("utf-8").splitlines() if line]
        elif file.suffix == ".parquet":
            rows += pq.read_table(file).to_pylist()
    return rows


class DestinationConformance:
    """Base class of a destination's conformance tests; subclass it as `Test...`."""

    @pytest.fixture
    def destination(self) -> Any:
        """Override: return a configured destination instance."""
        raise NotImplementedError("Provide a `destination` fixture in your subclass.")

    @pytest.fixture
    def pipeline(self, destination: Any, dlt_pipelines_dir: Path) -> Pipeline:
        """A fresh pipeline with a unique dataset on the destination."""
        suffix = uuid.uuid4().hex[:8]
        return dlt.pipeline(pipeline_name=f"conformance_{suffix}", destination=destination,
                            dataset_name=f"conformance_{suffix}")

    @pytest.fixture
    def wrong_destination(self) -> Any:
        """Override: return the destination pointed at a location or credentials that cannot
        work (a missing folder, a wrong password); None skips the wrong-location scenario."""
        return None

    def loads_into_files(self, pipeline: Pipeline) -> bool:
        """True when the destination declares `loads_into_files` (its rows are read from files)."""
        return bool(getattr(pipeline.destination.capabilities(), "loads_into_files", False))

    def read_rows(self, pipeline: Pipeline, table: str) -> list[dict[str, Any]]:
        """Rows of a table as dicts: through the SQL client, or from the job files for a
        destination that declares `loads_into_files`."""
        if self.loads_into_files(pipeline):
            return read_filesystem_rows(pipeline, table)
        return read_sql_rows(pipeline, table)

    def table_is_stored(self, pipeline: Pipeline, table: str) -> bool:
        """True when the destination holds `table` of the pipeline's dataset."""
        with pipeline.destination_client() as client:
            if self.loads_into_files(pipeline):
                return bool(client.table_files(table))
            return table in client.storage_columns()

    def decode(self, column_type: str, value: Any) -> Any:
        """Turn what a destination returns for `column_type` into the Python value loaded."""
        if value is None:
            return None
        if column_type == "json" and isinstance(value, str):
            return json.loads(value)
        if column_type == "binary" and isinstance(value, str):
            return base64.b64decode(value)
        if column_type == "timestamp" and isinstance(value, str):
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        if column_type == "date" and isinstance(value, str):
            return date.fromisoformat(value)
        if column_type == "time" and isinstance(value, str):
            return time.fromisoformat(value)
        if column_type == "decimal" and not isinstance(value, Decimal):
            return Decimal(str(value))
        return comparable(value)

    def skip_unless(self, pipeline: Pipeline, capability: str) -> None:
        """Skip the scenario when the destination lacks `capability`."""
        caps = pipeline.destination.capabilities()
        if not getattr(caps, capability):
            reason = caps.notes.get(capability.replace("supports_", ""), f"no {capability}")
            pytest.skip(f"{pipeline.destination.name}: {reason}")

    # -- scenarios -----------------------------------------------------------------------------

    def test_every_data_type_round_trips(self, pipeline: Pipeline) -> None:
        info = pipeline.run([ALL_TYPES_ROW], table_name="all_types", columns=ALL_TYPES_COLUMNS)
        assert not info.has_failed_jobs
        schema = pipeline.default_schema.tables["all_types"]["columns"]
        assert {name: schema[name]["data_type"] for name in ALL_TYPES_ROW} == {
            name: name.removeprefix("col_") for name in ALL_TYPES_ROW
        }
        (row,) = self.read_rows(pipeline, "all_types")
        for name, expected in ALL_TYPES_ROW.items():
            got = self.decode(schema[name]["data_type"], row[name])
            assert got == comparable(expected), f"{name}: {got!r} != {expected!r}"

    def test_nested_data_becomes_child_tables(self, pipeline: Pipeline) -> None:
        data = [{"id": 1, "meta": {"source": "a", "deep": {"level": 2}},
                 "tags": ["x", "y"], "children": [{"name": "c1", "toys": [{"t": 1}]}, {"name": "c2"}]}]
        pipeline.run(data, table_name="parents")
        (parent,) = self.read_rows(pipeline, "parents")
        assert parent["meta__source"] == "a" and parent["meta__deep__level"] == 2
        tags = sorted(self.read_rows(pipeline, "parents__tags"), key=lambda r: r["_dlt_list_idx"])
        assert [t["value"] for t in tags] == ["x", "y"]
        assert {t["_dlt_parent_id"] for t in tags} == {parent["_dlt_id"]}
        children = sorted(self.read_rows(pipeline, "parents__children"), key=lambda r: r["_dlt_list_idx"])
        assert [c["name"] for c in children] == ["c1", "c2"]
        (toy,) = self.read_rows(pipeline, "parents__children__toys")
        assert toy["t"] == 1 and toy["_dlt_parent_id"] == children[0]["_dlt_id"]

    def test_append_keeps_earlier_rows(self, pipeline: Pipeline) -> None:
        pipeline.run([{"id": 1}, {"id": 2}], table_name="appended")
        pipeline.run([{"id": 3}], table_name="appended")
        assert sorted(r["id"] for r in self.read_rows(pipeline, "appended")) == [1, 2, 3]

    def test_replace_swaps_rows_and_child_rows(self, pipeline: Pipeline) -> None:
        pipeline.run([{"id": 1, "items": [1, 2]}], table_name="replaced", write_disposition="replace")
        pipeline.run([{"id": 2, "items": [3]}], table_name="replaced", write_disposition="replace")
        assert [r["id"] for r in self.read_rows(pipeline, "replaced")] == [2]
        assert [r["value"] for r in self.read_rows(pipeline, "replaced__items")] == [3]

    def test_merge_upserts_by_primary_key(self, pipeline: Pipeline) -> None:
        self.skip_unless(pipeline, "supports_merge")
        first = [{"id": 1, "v": "a", "tags": ["t1", "t2"]}, {"id": 2, "v": "b", "tags": ["t3"]}]
        pipeline.run(first, table_name="merged", write_disposition="merge", primary_key="id")
        # id 2 twice in one load: the last one wins
        second = [{"id": 2, "v": "b-old", "tags": []}, {"id": 2, "v": "b2", "tags": ["t4"]}, {"id": 3, "v": "c", "tags": []}]
        pipeline.run(second, table_name="merged", write_disposition="merge", primary_key="id")
        rows = {r["id"]: r for r in self.read_rows(pipeline, "merged")}
        assert {k: v["v"] for k, v in rows.items()} == {1: "a", 2: "b2", 3: "c"}
        tags = self.read_rows(pipeline, "merged__tags")
        by_parent: dict[Any, list[str]] = {}
        for tag in tags:
            by_parent.setdefault(tag["_dlt_parent_id"], []).append(tag["value"])
        assert sorted(by_parent[rows[1]["_dlt_id"]]) == ["t1", "t2"]
        assert by_parent[rows[2]["_dlt_id"]] == ["t4"]
        assert len(tags) == 3

    def test_merge_key_replaces_whole_partitions(self, pipeline: Pipeline) -> None:
        self.skip_unless(pipeline, "supports_merge")
        day1 = [{"day": "d1", "n": 1}, {"day": "d1", "n": 2}, {"day": "d2", "n": 3}]
        pipeline.run(day1, table_name="by_day", write_disposition="merge", columns={"day": {"merge_key": True}})
        pipeline.run([{"day": "d1", "n": 10}], table_name="by_day", write_disposition="merge",
                     columns={"day": {"merge_key": True}})
        rows = sorted((r["day"], r["n"]) for r in self.read_rows(pipeline, "by_day"))
        assert rows == [("d1", 10), ("d2", 3)]

    def skip_unless_strategy(self, pipeline: Pipeline, kind: str, strategy: str) -> None:
        """Skip the scenario when the destination does not list `strategy` among its
        `supported_<kind>_strategies` (kind: merge or replace)."""
        caps = pipeline.destination.capabilities()
        if kind == "merge":
            self.skip_unless(pipeline, "supports_merge")
        if strategy not in getattr(caps, f"supported_{kind}_strategies"):
            pytest.skip(f"{pipeline.destination.name}: no {kind} strategy {strategy}")

    def test_merge_dedup_sort_and_hard_delete(self, pipeline: Pipeline) -> None:
        self.skip_unless_strategy(pipeline, "merge", "delete-insert")

        @dlt.resource(primary_key="id", write_disposition="merge", table_name="deduped",
                      columns={"lsn": {"dedup_sort": "desc"}, "deleted": {"hard_delete": True}})
        def deduped(rows: list[dict[str, Any]]) -> Any:
            yield rows

        pipeline.run(deduped([{"id": 1, "lsn": 1, "deleted": False, "tags": ["a"]},
                              {"id": 2, "lsn": 1, "deleted": False, "tags": ["b"]}]))
        pipeline.run(deduped([{"id": 1, "lsn": 3, "v": "kept", "deleted": False, "tags": ["c"]},
                              {"id": 1, "lsn": 2, "v": "dropped", "deleted": False, "tags": []},
                              {"id": 2, "deleted": True}]))
        rows = self.read_rows(pipeline, "deduped")
        assert [(r["id"], r["v"]) for r in rows] == [(1, "kept")]
        assert [r["value"] for r in self.read_rows(pipeline, "deduped__tags")] == ["c"]

    def test_merge_without_keys_appends(self, pipeline: Pipeline) -> None:
        self.skip_unless_strategy(pipeline, "merge", "delete-insert")
        pipeline.run([{"a": 1}], table_name="keyless", write_disposition="merge")
        pipeline.run([{"a": 1}], table_name="keyless", write_disposition="merge")
        assert len(self.read_rows(pipeline, "keyless")) == 2

    def test_merge_upsert_keeps_row_ids_and_replaces_nested_rows(self, pipeline: Pipeline) -> None:
        self.skip_unless_strategy(pipeline, "merge", "upsert")
        disposition = {"disposition": "merge", "strategy": "upsert"}
        pipeline.run([{"id": 1, "v": "a", "tags": ["x", "y"]}], table_name="upserted",
                     write_disposition=disposition, primary_key="id")
        (before,) = self.read_rows(pipeline, "upserted")
        pipeline.run([{"id": 1, "v": "b", "tags": ["z"]}, {"id": 2, "v": "c", "tags": []}],
                     table_name="upserted", write_disposition=disposition, primary_key="id")
        rows = {r["id"]: r for r in self.read_rows(pipeline, "upserted")}
        assert {k: r["v"] for k, r in rows.items()} == {1: "b", 2: "c"}
        assert rows[1]["_dlt_id"] == before["_dlt_id"]
        assert [r["value"] for r in self.read_rows(pipeline, "upserted__tags")] == ["z"]

    def test_merge_insert_only_keeps_existing_rows(self, pipeline: Pipeline) -> None:
        self.skip_unless_strategy(pipeline, "merge", "insert-only")
        disposition = {"disposition": "merge", "strategy": "insert-only"}
        pipeline.run([{"id": 1, "v": "first"}], table_name="inserted", write_disposition=disposition,
                     primary_key="id")
        pipeline.run([{"id": 1, "v": "changed"}, {"id": 2, "v": "new"}], table_name="inserted",
                     write_disposition=disposition, primary_key="id")
        assert sorted((r["id"], r["v"]) for r in self.read_rows(pipeline, "inserted")) == [
            (1, "first"), (2, "new")]

    def test_merge_scd2_retires_changed_and_absent_records(self, pipeline: Pipeline) -> None:
        self.skip_unless_strategy(pipeline, "merge", "scd2")

        def versions(rows: list[dict[str, Any]], boundary: str) -> Any:
            disposition = {"disposition": "merge", "strategy": "scd2", "boundary_timestamp": boundary}
            return dlt.resource(rows, name="history", write_disposition=disposition)

        pipeline.run(versions([{"k": 1, "v": "a", "tags": ["t"]}, {"k": 2, "v": "b"}], "2024-01-01"))
        pipeline.run(versions([{"k": 1, "v": "a2", "tags": ["t"]}], "2024-02-01"))
        jan, feb = datetime(2024, 1, 1, tzinfo=timezone.utc), datetime(2024, 2, 1, tzinfo=timezone.utc)
        rows = sorted(
            ((self.decode("timestamp", r["_dlt_valid_from"]), self.decode("timestamp", r["_dlt_valid_to"]),
              r["k"], r["v"]) for r in self.read_rows(pipeline, "history")),
            key=lambda r: (r[0], r[2]))
        assert rows == [(jan, feb, 1, "a"), (jan, feb, 2, "b"), (feb, None, 1, "a2")]
        # nested rows are insert-only and follow the row version (the row hash in _dlt_id)
        assert len(self.read_rows(pipeline, "history__tags")) == 2

    def test_replace_insert_from_staging_swaps_rows(self, pipeline: Pipeline,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
        self.skip_unless_strategy(pipeline, "replace", "insert-from-staging")
        monkeypatch.setenv("DESTINATION__REPLACE_STRATEGY", "insert-from-staging")
        pipeline.run([{"id": 1, "items": [1, 2]}], table_name="staged_replace", write_disposition="replace")
        pipeline.run([{"id": 2, "items": []}], table_name="staged_replace", write_disposition="replace")
        assert [r["id"] for r in self.read_rows(pipeline, "staged_replace")] == [2]
        assert self.read_rows(pipeline, "staged_replace__items") == []

    def test_refresh_drop_resources_starts_a_resource_over(self, pipeline: Pipeline) -> None:
        @dlt.resource(name="refreshed")
        def refreshed(n: int) -> Any:
            state = dlt.current.resource_state()
            state["runs"] = state.get("runs", 0) + 1
            yield {"n": n, "runs": state["runs"]}

        pipeline.run(refreshed(1))
        pipeline.run(refreshed(2), refresh="drop_resources")
        assert [(r["n"], r["runs"]) for r in self.read_rows(pipeline, "refreshed")] == [(2, 1)]

    def test_new_columns_are_added(self, pipeline: Pipeline) -> None:
        pipeline.run([{"id": 1}], table_name="evolving")
        pipeline.run([{"id": 2, "added": "yes"}], table_name="evolving")
        rows = sorted(self.read_rows(pipeline, "evolving"), key=lambda r: r["id"])
        assert rows[0].get("added") is None and rows[1]["added"] == "yes"
        assert "added" in pipeline.default_schema.tables["evolving"]["columns"]

    def test_value_of_another_type_goes_to_a_variant_column(self, pipeline: Pipeline) -> None:
        pipeline.run([{"id": 1, "amount": 10}], table_name="variants")
        pipeline.run([{"id": 2, "amount": "ten"}], table_name="variants")
        rows = {r["id"]: r for r in self.read_rows(pipeline, "variants")}
        assert rows[1]["amount"] == 10
        assert rows[2]["amount__v_text"] == "ten" and rows[2].get("amount") is None

    def test_state_and_schema_restore_from_destination(self, pipeline: Pipeline) -> None:
        @dlt.resource(name="stateful")
        def stateful():
            state = dlt.current.resource_state()
            state["runs"] = state.get("runs", 0) + 1
            yield {"run": state["runs"]}

        pipeline.run(stateful())
        shutil.rmtree(pipeline.working_dir)
        restored = dlt.pipeline(pipeline_name=pipeline.pipeline_name, destination=pipeline.destination,
                                dataset_name=pipeline.dataset_name)
        assert restored.state.get("sources", {}) == {}
        assert restored.sync_destination() is True
        assert "stateful" in restored.default_schema.tables
        restored.run(stateful())
        runs = sorted(r["run"] for r in self.read_rows(restored, "stateful"))
        assert runs == [1, 2]

    def test_interrupted_load_resumes_exactly_once(self, pipeline: Pipeline) -> None:
        pipeline.extract([{"id": i} for i in range(5)], table_name="resumed")
        pipeline.normalize()
        (load_id,) = pipeline.list_normalized_load_packages()
        # a crash mid-load leaves jobs in started_jobs
        for job in pipeline.storage.jobs(load_id, "new_jobs"):
            pipeline.storage.move_job(load_id, job, "started_jobs")
        pipeline.run()
        assert sorted(r["id"] for r in self.read_rows(pipeline, "resumed")) == [0, 1, 2, 3, 4]
        assert not pipeline.has_pending_data

    def test_crash_after_commit_does_not_load_twice(self, pipeline: Pipeline) -> None:
        pipeline.run([{"id": 1}, {"id": 2}], table_name="committed")
        (load_id,) = pipeline.list_completed_load_packages()
        # a crash after the destination committed but before the package was marked loaded
        loaded = pipeline.storage.path("loaded", load_id)
        target = pipeline.storage.path("normalized", load_id)
        shutil.move(str(loaded), str(target))
        for job in pipeline.storage.jobs(load_id, "completed_jobs"):
            pipeline.storage.move_job(load_id, job, "started_jobs")
        info = pipeline.run()
        assert info.load_packages[0].already_loaded
        assert sorted(r["id"] for r in self.read_rows(pipeline, "committed")) == [1, 2]

    def test_hostile_identifiers_keep_every_value(self, pipeline: Pipeline) -> None:
        row = {"select": 1, "From Table": 2, "with space": 3, "Ünïcödé": 4, "CamelCase": 5,
               "camelcase": 6, "quote\"d": 7, "x" * 200: 8, "1st": 9, "a-b": 10}
        pipeline.run([row], table_name="Hostile Table-Name")
        table = pipeline.default_schema.naming.normalize_table_identifier("Hostile Table-Name")
        (stored,) = self.read_rows(pipeline, table)
        values = sorted(v for k, v in stored.items() if not k.startswith("_dlt"))
        assert values == list(range(1, 11))

    def test_system_tables_record_loads_and_schema(self, pipeline: Pipeline) -> None:
        info = pipeline.run([{"id": 1}], table_name="tracked")
        loads = self.read_rows(pipeline, "_dlt_loads")
        assert info.loads_ids[0] in {r["load_id"] for r in loads}

    # -- dropping, syncing, Arrow input, big loads, wrong settings -------------------------

    def test_drop_tables_removes_them_and_their_child_tables(self, pipeline: Pipeline) -> None:
        pipeline.run([{"id": 1, "items": [1, 2]}], table_name="dropped")
        pipeline.run([{"id": 1}], table_name="kept")
        assert self.table_is_stored(pipeline, "dropped__items")
        pipeline.drop_tables("dropped")
        assert not self.table_is_stored(pipeline, "dropped")
        assert not self.table_is_stored(pipeline, "dropped__items")
        assert self.table_is_stored(pipeline, "kept")
        assert "dropped" not in pipeline.default_schema.tables
        # a dropped table comes back with the next load, holding only the new rows
        pipeline.run([{"id": 2}], table_name="dropped")
        assert [r["id"] for r in self.read_rows(pipeline, "dropped")] == [2]

    def test_fresh_working_dir_restores_incremental_state_from_destination(
            self, pipeline: Pipeline, tmp_path: Path) -> None:
        @dlt.resource(name="events", primary_key="id")
        def events(rows: list[dict[str, Any]],
                   cursor: Any = dlt.sources.incremental("id")) -> Any:
            yield rows

        pipeline.run(events([{"id": i} for i in range(1, 4)]))
        # another machine: same pipeline name and dataset, an empty pipelines dir
        elsewhere = dlt.pipeline(pipeline_name=pipeline.pipeline_name, destination=pipeline.destination,
                                 dataset_name=pipeline.dataset_name,
                                 pipelines_dir=str(tmp_path / "another_machine"))
        elsewhere.run(events([{"id": i} for i in range(1, 6)]))
        assert sorted(r["id"] for r in self.read_rows(elsewhere, "events")) == [1, 2, 3, 4, 5]
        assert "events" in elsewhere.default_schema.tables

    def test_arrow_table_and_dataframe_load_their_rows(self, pipeline: Pipeline) -> None:
        import pyarrow as pa

        pd = pytest.importorskip("pandas", reason="the DataFrame input needs pandas (dlt-core[pandas])")
        pipeline.run(pa.table({"id": [1, 2, 3], "name": ["a", "b", None], "score": [1.5, None, 3.0]}),
                     table_name="from_arrow")
        rows = sorted(self.read_rows(pipeline, "from_arrow"), key=lambda r: r["id"])
        assert [(r["id"], r["name"], r["score"]) for r in rows] == [
            (1, "a", 1.5), (2, "b", None), (3, None, 3.0)]
        pipeline.run(pd.DataFrame({"id": [4, 5], "name": ["d", "e"]}), table_name="from_pandas")
        frame_rows = sorted((r["id"], r["name"]) for r in self.read_rows(pipeline, "from_pandas"))
        assert frame_rows == [(4, "d"), (5, "e")]

    def test_table_spread_over_several_job_files_loads_every_row(
            self, pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
        from dlt.storage.packages import JobFileName

        monkeypatch.setenv("DATA_WRITER__FILE_MAX_ITEMS", "100")
        pipeline.extract([{"id": i, "v": f"row {i}"} for i in range(350)], table_name="big")
        pipeline.normalize()
        (load_id,) = pipeline.list_normalized_load_packages()
        jobs = [j for j in pipeline.storage.jobs(load_id, "new_jobs")
                if JobFileName.parse(j.name).table_name == "big"]
        assert len(jobs) >= 2, f"expected several job files, got {[j.name for j in jobs]}"
        pipeline.load()
        assert sorted(r["id"] for r in self.read_rows(pipeline, "big")) == list(range(350))

    def test_merge_of_several_job_files_keeps_one_row_per_key(
            self, pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
        self.skip_unless(pipeline, "supports_merge")
        monkeypatch.setenv("DATA_WRITER__FILE_MAX_ITEMS", "50")
        rows = [{"id": i, "v": "first"} for i in range(120)]
        pipeline.run(rows, table_name="big_merge", write_disposition="merge", primary_key="id")
        rows = [{"id": i, "v": "second"} for i in range(60, 180)]
        pipeline.run(rows, table_name="big_merge", write_disposition="merge", primary_key="id")
        stored = {r["id"]: r["v"] for r in self.read_rows(pipeline, "big_merge")}
        assert len(self.read_rows(pipeline, "big_merge")) == 180
        assert stored == {i: "first" if i < 60 else "second" for i in range(180)}

    @pytest.mark.parametrize("strategy", REPLACE_STRATEGIES)
    def test_every_declared_replace_strategy_swaps_rows_and_child_rows(
            self, pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch, strategy: str) -> None:
        self.skip_unless_strategy(pipeline, "replace", strategy)
        monkeypatch.setenv("DESTINATION__REPLACE_STRATEGY", strategy)
        pipeline.run([{"id": 1, "items": [1, 2]}], table_name="swapped", write_disposition="replace")
        pipeline.run([{"id": 2, "items": [3]}], table_name="swapped", write_disposition="replace")
        assert [r["id"] for r in self.read_rows(pipeline, "swapped")] == [2]
        assert [r["value"] for r in self.read_rows(pipeline, "swapped__items")] == [3]

    def test_every_declared_strategy_has_a_scenario(self, pipeline: Pipeline) -> None:
        caps = pipeline.destination.capabilities()
        assert set(caps.supported_merge_strategies) <= set(MERGE_STRATEGY_SCENARIOS), (
            "merge strategies without a conformance scenario: "
            f"{sorted(set(caps.supported_merge_strategies) - set(MERGE_STRATEGY_SCENARIOS))}")
        assert set(caps.supported_replace_strategies) <= set(REPLACE_STRATEGIES)

    def test_wrong_location_or_credentials_fail_with_a_clear_error(
            self, wrong_destination: Any, dlt_pipelines_dir: Path) -> None:
        if wrong_destination is None:
            pytest.skip("this destination's conformance class defines no `wrong_destination` fixture")
        from dlt.destinations.base import DestinationError
        from dlt.pipeline.exceptions import PipelineStepFailed

        suffix = uuid.uuid4().hex[:8]
        pipeline = dlt.pipeline(pipeline_name=f"wrong_{suffix}", destination=wrong_destination,
                                dataset_name=f"wrong_{suffix}")
        with pytest.raises(PipelineStepFailed) as raised:
            pipeline.run([{"id": 1}], table_name="never_loaded")
        chain: list[BaseException] = []
        error: BaseException | None = raised.value
        while error is not None and error not in chain:
            chain.append(error)
            error = error.__cause__ or error.__context__
        destination_errors = [e for e in chain if isinstance(e, DestinationError)]
        assert destination_errors, f"no DestinationError in {[type(e).__name__ for e in chain]}"
        assert str(destination_errors[0]).strip()
        # nothing lost: the package waits for a run with the right settings
        assert pipeline.has_pending_data
