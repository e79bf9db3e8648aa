"""The file system fails under dlt (issue 19 item 6): a DuckDB file in a read-only folder is a
terminal error naming the folder, a database locked by another process is transient and says
so, and a full disk is a clear error that loses nothing. The read-only and full-disk cases need
a small tmpfs, so they run as root only (the CI containers are root) and skip with that reason
elsewhere."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

import pytest

import dlt
from core_helpers import rows_of
from dlt.pipeline.exceptions import PipelineStepFailed


def _mount_tmpfs(folder, options):
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root; run as root to test a read-only or full disk")
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"mount -t tmpfs is not allowed here: {done.stderr.strip()}")


@pytest.fixture
def tmpfs(tmp_path):
    mounted = []

    def mount(name, options):
        folder = tmp_path / name
        _mount_tmpfs(folder, options)
        mounted.append(folder)
        return folder

    yield mount
    for folder in mounted:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def test_duckdb_in_a_read_only_folder_is_terminal_and_names_the_folder(tmpfs):
    folder = tmpfs("readonly", "size=1m,ro")
    pipeline = dlt.pipeline(pipeline_name="ro_folder",
                            destination=dlt.destinations.duckdb(str(folder / "data.duckdb")))
    started = time.perf_counter()
    with pytest.raises(PipelineStepFailed) as failure:
        pipeline.run([{"id": 1}], table_name="t")
    text = str(failure.value)
    assert "DestinationTerminalError" in text and f"the folder {folder} is not writable" in text
    assert "another process" not in text
    assert time.perf_counter() - started < 5  # not retried as transient with back-off


def test_duckdb_locked_by_another_process_is_transient_and_says_so(tmp_path):
    database = tmp_path / "locked.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import duckdb, sys, time
        connection = duckdb.connect({str(database)!r})
        print("holding", flush=True)
        time.sleep(60)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        pipeline = dlt.pipeline(pipeline_name="locked_db",
                                destination=dlt.destinations.duckdb(str(database)))
        with pytest.raises(PipelineStepFailed) as failure:
            pipeline.run([{"id": 1}], table_name="t")
        text = str(failure.value)
        assert "another process holds a lock" in text
        assert pipeline.list_normalized_load_packages()  # kept for the next run
    finally:
        holder.kill()
        holder.wait()
    info = dlt.pipeline(pipeline_name="locked_db",
                        destination=dlt.destinations.duckdb(str(database))).run()
    assert info.row_counts.get("t") == 1


def test_full_disk_is_a_clear_error_and_loses_nothing(tmpfs, tmp_path, monkeypatch):
    pipelines = tmpfs("full", "size=2m")
    monkeypatch.setenv("DLT_PIPELINES_DIR", str(pipelines))
    database = str(tmp_path / "full.duckdb")

    @dlt.resource(name="big")
    def big(cursor=dlt.sources.incremental("id")):
        yield [{"id": i, "text": os.urandom(200).hex()} for i in range(20_000)]

    pipeline = dlt.pipeline(pipeline_name="full_disk", destination=dlt.destinations.duckdb(database))
    with pytest.raises(PipelineStepFailed) as failure:
        pipeline.run(big())
    text = str(failure.value)
    assert "StorageFullError" in text and "is full" in text and str(pipelines) in text
    assert isinstance(failure.value.exception, OSError)
    assert pipeline.list_extracted_load_packages() == []  # no partial package
    subprocess.run(["mount", "-o", "remount,size=64m", str(pipelines)], check=True)
    again = dlt.pipeline(pipeline_name="full_disk", destination=dlt.destinations.duckdb(database))
    again.run(big())
    ids = [row["id"] for row in rows_of(again, "big")]
    assert sorted(ids) == list(range(20_000))  # every row, exactly once
