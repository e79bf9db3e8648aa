"""The filesystem destination on fsspec URLs: `memory://` end to end (load, state restore into
a fresh working dir, `pipeline.dataset()`), `file://`, and clear errors for protocols whose
fsspec implementation is missing or unknown."""

from __future__ import annotations

import gzip
import uuid

import orjson
import pytest

import dlt

fsspec = pytest.importorskip("fsspec", reason="fsspec is the [filesystem] extra of dlt-core")


@pytest.fixture()
def memory_bucket():
    """A fresh `memory://` bucket URL, deleted after the test."""
    name = f"bucket-{uuid.uuid4().hex[:8]}"
    yield f"memory://{name}"
    memory = fsspec.filesystem("memory")
    if memory.exists(f"/{name}"):
        memory.rm(f"/{name}", recursive=True)


@dlt.resource(primary_key="id")
def events(start: int = 0, cursor=dlt.sources.incremental("id")):
    """Three rows from `start`, with a nested list, tracked by an incremental cursor."""
    for i in range(start, start + 3):
        yield {"id": i, "name": f"event {i}", "tags": [f"t{i}", "x"]}


def _pipeline(tmp_path, bucket_url: str, name: str = "fsspec_pipe", folder: str = "work"):
    return dlt.pipeline(pipeline_name=name, destination=dlt.destinations.filesystem(bucket_url),
                        dataset_name="events_data", pipelines_dir=str(tmp_path / folder))


def test_memory_bucket_holds_data_files_loads_and_state(tmp_path, memory_bucket):
    pipeline = _pipeline(tmp_path, memory_bucket)
    pipeline.run(events())
    memory = fsspec.filesystem("memory")
    root = memory_bucket[len("memory://"):]
    files = memory.find(f"/{root}/events_data")
    data = [f for f in files if "/events/" in f]
    assert len(data) == 1 and data[0].endswith(".jsonl.gz")
    rows = [orjson.loads(line) for line in gzip.decompress(memory.cat_file(data[0])).splitlines()]
    assert sorted(r["id"] for r in rows) == [0, 1, 2]
    assert any("/_dlt_loads/" in f for f in files)
    assert any("/_dlt_pipeline_state/" in f for f in files)
    assert any("/_dlt_version/" in f for f in files)
    assert f"/{root}/events_data/init" in files


def test_memory_bucket_is_read_back_by_the_dataset(tmp_path, memory_bucket):
    pipeline = _pipeline(tmp_path, memory_bucket)
    pipeline.run(events())
    frame = pipeline.dataset().events.df().sort_values("id")
    assert frame["name"].tolist() == ["event 0", "event 1", "event 2"]
    assert len(pipeline.dataset().events__tags.df()) == 6
    loads = pipeline.dataset()._dlt_loads.df()
    assert len(loads) == 1


def test_state_is_restored_from_a_memory_bucket_into_a_fresh_working_dir(tmp_path, memory_bucket):
    first = _pipeline(tmp_path, memory_bucket, folder="first")
    first.run(events())
    # a new machine: another working dir, same bucket; the incremental cursor comes back
    second = _pipeline(tmp_path, memory_bucket, folder="second")
    second.run(events(start=1))
    ids = sorted(second.dataset().events.df()["id"].tolist())
    assert ids == [0, 1, 2, 3]  # 1 and 2 were filtered by the restored cursor (last value 2)
    assert second.state["sources"]  # the restored state holds the incremental
    assert second.default_schema.tables["events"]["columns"]["name"]["data_type"] == "text"


def test_parquet_files_in_a_memory_bucket_are_read_back(tmp_path, memory_bucket):
    pipeline = _pipeline(tmp_path, memory_bucket, name="fsspec_parquet")
    pipeline.run([{"id": 1, "value": 1.5}, {"id": 2, "value": 2.5}], table_name="numbers",
                 loader_file_format="parquet")
    memory = fsspec.filesystem("memory")
    assert any(f.endswith(".parquet") for f in memory.find(memory_bucket[len("memory://"):]))
    assert sorted(pipeline.dataset().numbers.df()["value"].tolist()) == [1.5, 2.5]


def test_replace_deletes_earlier_files_in_a_memory_bucket(tmp_path, memory_bucket):
    pipeline = _pipeline(tmp_path, memory_bucket, name="fsspec_replace")
    pipeline.run([{"id": 1}], table_name="things", write_disposition="replace")
    pipeline.run([{"id": 2}], table_name="things", write_disposition="replace")
    assert pipeline.dataset().things.df()["id"].tolist() == [2]
    memory = fsspec.filesystem("memory")
    things = [f for f in memory.find(memory_bucket[len("memory://"):]) if "/things/" in f]
    assert len(things) == 1


def test_file_url_writes_into_the_local_folder(tmp_path):
    bucket = tmp_path / "bucket"
    pipeline = _pipeline(tmp_path, f"file://{bucket}", name="file_url")
    pipeline.run(events())
    assert list((bucket / "events_data" / "events").glob("*.jsonl.gz"))
    assert len(pipeline.dataset().events.df()) == 3


def test_a_protocol_whose_fsspec_package_is_missing_names_the_extra(tmp_path):
    try:
        fsspec.get_filesystem_class("s3")
    except ImportError:
        pass
    else:
        pytest.skip("s3fs is installed here, so s3:// does not fail for a missing package")
    pipeline = _pipeline(tmp_path, "s3://some-bucket/path", name="s3_missing")
    with pytest.raises(Exception, match=r"s3fs.*pip install \"dlt-core\[s3\]\"") as failure:
        pipeline.run([{"id": 1}], table_name="t")
    assert "s3://" in str(failure.value)


def test_an_unknown_protocol_is_a_clear_error(tmp_path):
    pipeline = _pipeline(tmp_path, "nosuchproto://x/y", name="unknown_proto")
    with pytest.raises(Exception, match="does not know the protocol 'nosuchproto://'"):
        pipeline.run([{"id": 1}], table_name="t")
