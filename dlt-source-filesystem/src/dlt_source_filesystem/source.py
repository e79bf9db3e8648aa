"""The `filesystem` resource (a file listing), the readers transformers and the `readers` source.

Annotations here are real objects: dlt reads them to inject configuration and to find the
`incremental` argument.
"""

from typing import Any, Dict, Iterator, List, Optional, Tuple

import dlt
from dlt.extract.incremental import Incremental

DEFAULT_CHUNK_SIZE = 100


@dlt.resource(primary_key="file_url", section="filesystem", standalone=True)
def filesystem(
    bucket_url: str = dlt.secrets.value,
    credentials: Any = None,
    file_glob: Optional[str] = "*",
    files_per_page: int = DEFAULT_CHUNK_SIZE,
    extract_content: bool = False,
    kwargs: Optional[Dict[str, Any]] = None,
    client_kwargs: Optional[Dict[str, Any]] = None,
    incremental: Optional[Incremental[Any]] = None,
) -> Iterator[List[Any]]:
    """Pages of the files under `bucket_url` matching `file_glob`, as `FileItemDict`s.

    Args:
        bucket_url: A local path, a `file://` URL or any fsspec URL (`s3://bucket/folder`).
        credentials: An fsspec `AbstractFileSystem` to use, or a mapping of storage options.
        file_glob: The glob below `bucket_url`; `*` (default) is this folder only, `**/*.csv`
            recurses.
        files_per_page: Files per yielded page.
        extract_content: Put each file's bytes in `file_content`.
        kwargs: Passed to the fsspec filesystem.
        client_kwargs: Passed to the filesystem's native client.
        incremental: A cursor on a FileItem field, usually `modification_date`; with
            `row_order` the listing is sorted by that field.
    """
    from dlt_source_filesystem.files import FileItemDict, fsspec_filesystem, glob_files

    fs_client, _ = fsspec_filesystem(bucket_url, credentials, kwargs=kwargs, client_kwargs=client_kwargs)
    files: Iterator[Any] = glob_files(fs_client, bucket_url, file_glob or "*")
    if incremental is not None and incremental.row_order:
        descending = (incremental.row_order == "asc") == (incremental.last_value_func is min)
        field = incremental.cursor_path
        files = iter(sorted(files, key=lambda f: f[field], reverse=descending))
    page: List[Any] = []
    for item in files:
        file_dict = FileItemDict(item, fs_client)
        if extract_content:
            file_dict["file_content"] = file_dict.read_bytes()
        page.append(file_dict)
        if len(page) >= files_per_page:
            yield page
            page = []
    if page:
        yield page


def _read_csv(items: Iterator[Any], chunksize: int = 10000, **pandas_kwargs: Any) -> Iterator[Any]:
    """Rows of CSV files, parsed by `pandas.read_csv` (any of its keyword arguments, e.g.
    `sep=";"`), as lists of dicts of at most `chunksize` rows."""
    import pandas as pd

    options = {"header": "infer", **pandas_kwargs, "chunksize": chunksize}
    for file_obj in items:
        with file_obj.open() as file:
            for frame in pd.read_csv(file, **options):
                yield frame.to_dict(orient="records")


def _read_jsonl(items: Iterator[Any], chunksize: int = 1000) -> Iterator[List[Dict[str, Any]]]:
    """Records of JSON-lines files, in lists of at most `chunksize`."""
    import json

    for file_obj in items:
        with file_obj.open() as file:
            chunk: List[Dict[str, Any]] = []
            for line in file:
                if not line.strip():
                    continue
                chunk.append(json.loads(line))
                if len(chunk) >= chunksize:
                    yield chunk
                    chunk = []
            if chunk:
                yield chunk


def _read_parquet(items: Iterator[Any], chunksize: int = 10, use_pyarrow: bool = False,
                  **pyarrow_kwargs: Any) -> Iterator[Any]:
    """Rows of parquet files in batches of `chunksize`: lists of dicts, or Arrow record batches
    with `use_pyarrow=True`; `pyarrow_kwargs` go to `ParquetFile.iter_batches` (e.g. `columns`)."""
    from pyarrow import parquet as pq

    for file_obj in items:
        with file_obj.open() as file:
            for batch in pq.ParquetFile(file).iter_batches(batch_size=chunksize, **pyarrow_kwargs):
                yield batch if use_pyarrow else batch.to_pylist()


def _read_csv_duckdb(items: Iterator[Any], chunk_size: int = 5000, use_pyarrow: bool = False,
                     **duckdb_kwargs: Any) -> Iterator[Any]:
    """Rows of CSV files parsed by DuckDB's `read_csv` (its keyword arguments in
    `duckdb_kwargs`): Arrow record batches with `use_pyarrow=True`, else lists of dicts."""
    import duckdb

    for file_obj in items:
        connection = duckdb.connect()
        try:
            with file_obj.open() as file:
                relation = connection.read_csv(file, **duckdb_kwargs)
                reader = relation.fetch_record_batch(chunk_size)
                for batch in reader:
                    yield batch if use_pyarrow else batch.to_pylist()
        finally:
            connection.close()


# as in dlt 1.31, the standalone readers are named after their functions, so
# `filesystem(...) | read_csv()` loads into the table `_read_csv` (`.with_name()` renames it);
# the resources of `readers(...)` are `read_csv`, `read_jsonl`, ...
read_csv = dlt.transformer(name="_read_csv", section="filesystem", standalone=True)(_read_csv)
read_jsonl = dlt.transformer(name="_read_jsonl", section="filesystem", standalone=True)(_read_jsonl)
read_parquet = dlt.transformer(name="_read_parquet", section="filesystem", standalone=True)(_read_parquet)
read_csv_duckdb = dlt.transformer(name="_read_csv_duckdb", section="filesystem",
                                  standalone=True)(_read_csv_duckdb)


@dlt.source(name="filesystem", section="filesystem")
def readers(
    bucket_url: str = dlt.secrets.value,
    credentials: Any = None,
    file_glob: Optional[str] = "*",
    kwargs: Optional[Dict[str, Any]] = None,
    client_kwargs: Optional[Dict[str, Any]] = None,
    incremental: Optional[Incremental[Any]] = None,
) -> Tuple[Any, ...]:
    """A source whose resources `read_csv`, `read_jsonl`, `read_parquet` and `read_csv_duckdb`
    read the files that `filesystem(bucket_url, file_glob)` lists; select one with
    `.with_resources(...)` or take it as an attribute (`readers(...).read_csv`)."""
    listing = filesystem(bucket_url, credentials, file_glob=file_glob, kwargs=kwargs,
                         client_kwargs=client_kwargs, incremental=incremental)
    return (
        listing | dlt.transformer(name="read_csv")(_read_csv),
        listing | dlt.transformer(name="read_jsonl")(_read_jsonl),
        listing | dlt.transformer(name="read_parquet")(_read_parquet),
        listing | dlt.transformer(name="read_csv_duckdb")(_read_csv_duckdb),
    )
