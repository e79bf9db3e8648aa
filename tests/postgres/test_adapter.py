"""`postgres_adapter`: PostGIS geometry columns, as dlt 1.31 makes them, on a real PostgreSQL
with PostGIS (installed by the `postgis_url` fixture when missing; see conftest.py)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest

import dlt
from dlt.pipeline.exceptions import PipelineStepFailed

#: POINT(1 2) as little-endian WKB
POINT_WKB = bytes.fromhex("0101000000000000000000f03f0000000000000040")
#: LINESTRING(0 0,3 4) as little-endian WKB
LINE_WKB = bytes.fromhex(
    "010200000002000000" "00000000000000000000000000000000" "00000000000008400000000000001040")


def places_rows() -> list[dict[str, Any]]:
    """One row of each value form, and one of NULLs."""
    return [
        {"id": 1, "wkt": "POINT(1 2)", "hex": POINT_WKB.hex(), "wkb": POINT_WKB},
        {"id": 2, "wkt": "LINESTRING(0 0,3 4)", "hex": LINE_WKB.hex().upper(), "wkb": LINE_WKB},
        {"id": 3, "wkt": None, "hex": None, "wkb": None},
    ]


def chain(exc: BaseException | None) -> list[BaseException]:
    found = []
    while exc is not None:
        found.append(exc)
        exc = exc.__cause__ or exc.__context__
    return found


def geometry_columns(connection: Any, schema: str, table: str) -> dict[str, tuple[str, int]]:
    """column -> (type, srid) as PostGIS's `geometry_columns` view lists them."""
    rows = connection.execute(
        "SELECT f_geometry_column, type, srid FROM geometry_columns"
        " WHERE f_table_schema = %s AND f_table_name = %s", (schema, table)).fetchall()
    return {name: (kind, srid) for name, kind, srid in rows}


def column_type(connection: Any, schema: str, table: str, column: str) -> str:
    """`format_type` of a column: `geometry(Geometry,4326)` for a geometry column."""
    (found,) = connection.execute(
        "SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a"
        " WHERE a.attrelid = format('%%I.%%I', %s::text, %s::text)::regclass"
        " AND a.attname = %s", (schema, table, column)).fetchone()
    return found


def as_text(connection: Any, schema: str, table: str, *columns: str) -> list[tuple[Any, ...]]:
    """`ST_AsText` and `ST_SRID` of `columns`, by `id`."""
    selected = ", ".join(f"ST_AsText({c}), ST_SRID({c})" for c in columns)
    return connection.execute(
        f'SELECT id, {selected} FROM "{schema}"."{table}" ORDER BY id').fetchall()


# -- the adapter ---------------------------------------------------------------------------------


def test_the_adapter_imports_from_dlt_destinations_adapters() -> None:
    from dlt.destinations.adapters import postgres_adapter
    from dlt.destinations.impl.postgres.postgres_adapter import GEOMETRY_HINT, SRID_HINT
    from dlt_destination_postgres import postgres_adapter as module

    assert postgres_adapter is module.postgres_adapter
    assert (GEOMETRY_HINT, SRID_HINT) == ("x-postgres-geometry", "x-postgres-srid")


def test_importing_the_adapter_does_not_import_psycopg() -> None:
    code = ("import sys, dlt_destination_postgres.postgres_adapter;"
            " print('psycopg' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"


def test_the_adapter_sets_the_geometry_and_srid_hints() -> None:
    from dlt.destinations.adapters import postgres_adapter

    resource = postgres_adapter(dlt.resource([{"id": 1}], name="places"),
                                geometry=["loc", "area"], srid=3857)
    assert resource.name == "places"
    assert resource.columns["loc"] == {"name": "loc", "x-postgres-geometry": True,
                                       "x-postgres-srid": 3857}
    assert resource.columns["area"]["x-postgres-srid"] == 3857


def test_one_column_name_and_the_default_srid_4326() -> None:
    from dlt.destinations.adapters import postgres_adapter

    resource = postgres_adapter([{"loc": "POINT(0 0)"}], geometry="loc")
    assert resource.name == "content"
    assert resource.columns["loc"] == {"name": "loc", "x-postgres-geometry": True,
                                       "x-postgres-srid": 4326}


def test_srid_none_leaves_the_srid_hint_out() -> None:
    from dlt.destinations.adapters import postgres_adapter

    resource = postgres_adapter([{"loc": "POINT(0 0)"}], geometry="loc", srid=None)
    assert resource.columns["loc"] == {"name": "loc", "x-postgres-geometry": True}


@pytest.mark.parametrize("geometry", [None, "", []])
def test_no_geometry_column_is_a_value_error(geometry: Any) -> None:
    from dlt.destinations.adapters import postgres_adapter

    with pytest.raises(ValueError, match="A value for `geometry` must be specified"):
        postgres_adapter([{"loc": "POINT(0 0)"}], geometry=geometry)


@pytest.mark.parametrize("geometry", [("loc",), {"loc"}, 7])
def test_geometry_other_than_a_name_or_a_list_is_a_value_error(geometry: Any) -> None:
    from dlt.destinations.adapters import postgres_adapter

    with pytest.raises(ValueError, match="`geometry` must be a list of column names or a single"):
        postgres_adapter([{"loc": "POINT(0 0)"}], geometry=geometry)


def test_a_list_holding_something_else_than_names_is_a_value_error() -> None:
    from dlt.destinations.adapters import postgres_adapter

    with pytest.raises(ValueError, match="must hold column names"):
        postgres_adapter([{"loc": "POINT(0 0)"}], geometry=["loc", 3])


# -- loading into PostGIS --------------------------------------------------------------------------


@pytest.fixture
def adapted_places() -> Any:
    from dlt.destinations.adapters import postgres_adapter

    return postgres_adapter(dlt.resource(places_rows(), name="places"),
                            geometry=["wkt", "hex", "wkb"])


@pytest.mark.parametrize("file_format", ["parquet", "jsonl", "csv"])
def test_wkt_hex_wkb_and_wkb_bytes_load_as_geometries_in_every_job_format(
        postgis_pipeline: Any, postgis_connection: Any, adapted_places: Any,
        file_format: str) -> None:
    postgis_pipeline.run(adapted_places, loader_file_format=file_format)
    jobs = postgis_pipeline.last_trace.last_load_info.load_packages[0].jobs["completed_jobs"]
    assert {j.file_format for j in jobs if j.table_name == "places"} == {file_format}
    schema = postgis_pipeline.dataset_name
    assert geometry_columns(postgis_connection, schema, "places") == {
        "wkt": ("GEOMETRY", 4326), "hex": ("GEOMETRY", 4326), "wkb": ("GEOMETRY", 4326)}
    assert column_type(postgis_connection, schema, "places", "wkb") == "geometry(Geometry,4326)"
    assert as_text(postgis_connection, schema, "places", "wkt", "hex", "wkb") == [
        (1, "POINT(1 2)", 4326, "POINT(1 2)", 4326, "POINT(1 2)", 4326),
        (2, "LINESTRING(0 0,3 4)", 4326, "LINESTRING(0 0,3 4)", 4326,
         "LINESTRING(0 0,3 4)", 4326),
        (3, None, None, None, None, None, None),
    ]


def test_arrow_tables_with_wkt_and_wkb_columns_load_as_geometries(
        postgis_pipeline: Any, postgis_connection: Any) -> None:
    from dlt.destinations.adapters import postgres_adapter

    table = pa.table({"id": pa.array([1, 2], pa.int64()),
                      "wkt": pa.array(["POINT(1 2)", None], pa.string()),
                      "wkb": pa.array([POINT_WKB, LINE_WKB], pa.binary()),
                      "label": pa.array(["a", "b"], pa.string())})
    postgis_pipeline.run(postgres_adapter(dlt.resource(table, name="shapes"),
                                          geometry=["wkt", "wkb"]))
    schema = postgis_pipeline.dataset_name
    assert as_text(postgis_connection, schema, "shapes", "wkt", "wkb") == [
        (1, "POINT(1 2)", 4326, "POINT(1 2)", 4326),
        (2, None, None, "LINESTRING(0 0,3 4)", 4326),
    ]


def test_a_geometry_reads_back_as_hex_ewkb_text(postgis_pipeline: Any) -> None:
    from dlt.destinations.adapters import postgres_adapter

    postgis_pipeline.run(postgres_adapter(
        dlt.resource([{"id": 1, "loc": "POINT(1 2)"}], name="read_back"), geometry="loc"))
    ewkb = "0101000020E6100000000000000000F03F0000000000000040"  # POINT(1 2) with SRID 4326
    with postgis_pipeline.sql_client() as client:
        assert client.execute_sql("SELECT loc FROM read_back") == [(ewkb,)]
    assert postgis_pipeline.dataset().read_back.arrow().column("loc").to_pylist() == [ewkb]


def test_the_srid_argument_becomes_the_column_srid_and_ewkt_keeps_it(
        postgis_pipeline: Any, postgis_connection: Any) -> None:
    from dlt.destinations.adapters import postgres_adapter

    rows = [{"id": 1, "loc": "SRID=3857;POINT(100 200)"}, {"id": 2, "loc": "POINT(5 6)"}]
    postgis_pipeline.run(postgres_adapter(dlt.resource(rows, name="mercator"), geometry="loc",
                                          srid=3857))
    schema = postgis_pipeline.dataset_name
    assert geometry_columns(postgis_connection, schema, "mercator") == {"loc": ("GEOMETRY", 3857)}
    assert as_text(postgis_connection, schema, "mercator", "loc") == [
        (1, "POINT(100 200)", 3857), (2, "POINT(5 6)", 3857)]


@pytest.mark.parametrize("file_format", ["parquet", "jsonl"])
def test_geojson_in_a_json_column_loads_as_a_geometry(postgis_pipeline: Any,
                                                      postgis_connection: Any,
                                                      file_format: str) -> None:
    from dlt.destinations.adapters import postgres_adapter

    rows = [{"id": 1, "shape": {"type": "Point", "coordinates": [7, 8]}}]
    resource = postgres_adapter(dlt.resource(rows, name="geojson",
                                             columns={"shape": {"data_type": "json"}}),
                                geometry="shape")
    postgis_pipeline.run(resource, loader_file_format=file_format)
    assert as_text(postgis_connection, postgis_pipeline.dataset_name, "geojson", "shape") == [
        (1, "POINT(7 8)", 4326)]


def test_a_geometry_column_added_later_is_added_as_a_geometry(postgis_pipeline: Any,
                                                             postgis_connection: Any) -> None:
    from dlt.destinations.adapters import postgres_adapter

    postgis_pipeline.run([{"id": 1}], table_name="grown")
    postgis_pipeline.run(postgres_adapter(
        dlt.resource([{"id": 2, "loc": POINT_WKB}], name="grown"), geometry="loc", srid=4258))
    schema = postgis_pipeline.dataset_name
    assert column_type(postgis_connection, schema, "grown", "loc") == "geometry(Geometry,4258)"
    assert as_text(postgis_connection, schema, "grown", "loc") == [
        (1, None, None), (2, "POINT(1 2)", 4258)]


#: every dlt data type next to a geometry, with text that COPY's text format must escape
MIXED_ROW = {
    "id": 1, "loc": "POINT(1 2)", "n": 2**62, "f": 1.25, "price": Decimal("12.345"),
    "label": "tab\there, line\nbreak, back\\slash \\N", "empty": "", "ok": True,
    "seen": dt.datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=dt.timezone.utc),
    "day": dt.date(2024, 2, 29), "at": dt.time(12, 30, 1, 500000),
    "doc": {"a": [1, 2], "s": "x'y\\z"}, "blob": b"\x00\xff\\x\t",
}


@pytest.mark.parametrize("loc", ["POINT(1 2)", POINT_WKB], ids=["wkt", "wkb"])
@pytest.mark.parametrize("file_format", ["parquet", "jsonl", "csv"])
def test_every_other_type_round_trips_next_to_a_geometry(postgis_pipeline: Any,
                                                         file_format: str, loc: Any) -> None:
    # parquet with a bytea column takes the row path, streamed as COPY's text format; a csv
    # job with WKB is rendered again without the `\x` of its binary values
    from dlt.destinations.adapters import postgres_adapter

    row = {**MIXED_ROW, "loc": loc}
    resource = postgres_adapter(dlt.resource([row], name="mixed", columns={
        "price": {"data_type": "decimal", "precision": 12, "scale": 3},
        "doc": {"data_type": "json"}}), geometry="loc")
    postgis_pipeline.run(resource, loader_file_format=file_format)
    names = [n for n in MIXED_ROW if n != "loc"]
    with postgis_pipeline.sql_client() as client:
        (row,) = client.execute_sql(f"SELECT ST_AsText(loc), {', '.join(names)} FROM mixed")
    assert row[0] == "POINT(1 2)"
    assert dict(zip(names, row[1:])) == {n: MIXED_ROW[n] for n in names}


@pytest.mark.parametrize("file_format", ["parquet", "jsonl"])
def test_a_merge_replaces_geometries_through_the_staging_table(
        postgis_pipeline: Any, postgis_connection: Any, file_format: str) -> None:
    from dlt.destinations.adapters import postgres_adapter

    def places(rows: list[dict[str, Any]]) -> Any:
        resource = dlt.resource(rows, name="places", write_disposition="merge", primary_key="id")
        return postgres_adapter(resource, geometry=["wkt", "wkb"])

    postgis_pipeline.run(places([{"id": 1, "wkt": "POINT(1 2)", "wkb": POINT_WKB},
                                 {"id": 2, "wkt": "POINT(3 4)", "wkb": POINT_WKB}]),
                         loader_file_format=file_format)
    postgis_pipeline.run(places([{"id": 2, "wkt": "POINT(30 40)", "wkb": LINE_WKB},
                                 {"id": 3, "wkt": "POINT(5 6)", "wkb": None}]),
                         loader_file_format=file_format)
    schema = postgis_pipeline.dataset_name
    assert as_text(postgis_connection, schema, "places", "wkt", "wkb") == [
        (1, "POINT(1 2)", 4326, "POINT(1 2)", 4326),
        (2, "POINT(30 40)", 4326, "LINESTRING(0 0,3 4)", 4326),
        (3, "POINT(5 6)", 4326, None, None),
    ]
    assert geometry_columns(postgis_connection, f"{schema}_staging", "places") == {
        "wkt": ("GEOMETRY", 4326), "wkb": ("GEOMETRY", 4326)}


@pytest.mark.parametrize("strategy", ["insert-from-staging", "staging-optimized"])
def test_a_staged_replace_keeps_the_geometries(postgis_pipeline: Any, postgis_connection: Any,
                                               strategy: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from dlt.destinations.adapters import postgres_adapter

    monkeypatch.setenv("DESTINATION__REPLACE_STRATEGY", strategy)
    for wkt in ("POINT(1 1)", "POINT(2 2)"):
        resource = dlt.resource([{"id": 1, "loc": wkt}], name="replaced",
                                write_disposition="replace")
        postgis_pipeline.run(postgres_adapter(resource, geometry="loc"))
    assert as_text(postgis_connection, postgis_pipeline.dataset_name, "replaced", "loc") == [
        (1, "POINT(2 2)", 4326)]


def test_a_value_postgis_cannot_read_fails_the_job_naming_the_table(
        postgis_pipeline: Any) -> None:
    from dlt.destinations.adapters import postgres_adapter

    resource = postgres_adapter(dlt.resource([{"id": 1, "loc": "POINT(1"}], name="broken"),
                                geometry="loc")
    with pytest.raises(PipelineStepFailed) as failed:
        postgis_pipeline.run(resource)
    text = " ".join(str(e) for e in chain(failed.value))
    assert "into table broken" in text and "parse error" in text


@pytest.mark.parametrize("file_format", ["parquet", "jsonl"])
def test_a_number_in_a_geometry_column_fails_the_job_naming_the_column(
        postgis_pipeline: Any, file_format: str) -> None:
    from dlt.destinations.adapters import postgres_adapter

    resource = postgres_adapter(dlt.resource([{"id": 1, "loc": 12}], name="numbers"),
                                geometry="loc")
    with pytest.raises(PipelineStepFailed) as failed:
        postgis_pipeline.run(resource, loader_file_format=file_format)
    text = " ".join(str(e) for e in chain(failed.value))
    assert "Column 'loc' of table 'numbers' is a PostGIS geometry, but a geometry value is" in text


def test_an_srid_that_is_not_a_number_is_a_clear_error(postgis_pipeline: Any) -> None:
    from dlt.destinations.adapters import postgres_adapter

    resource = postgres_adapter(dlt.resource([{"id": 1, "loc": "POINT(1 2)"}], name="odd"),
                                geometry="loc", srid="4326; DROP TABLE x")  # type: ignore[arg-type]
    with pytest.raises(PipelineStepFailed) as failed:
        postgis_pipeline.run(resource)
    text = " ".join(str(e) for e in chain(failed.value))
    assert "table 'odd', column 'loc'" in text and "an SRID is a whole number" in text


# -- databases without PostGIS on the search_path ----------------------------------------------


@pytest.fixture
def scratch_database(postgres_server: Any, postgis_url: str) -> Iterator[str]:
    """A fresh database of the loader role (no PostGIS), dropped afterwards."""
    name = f"scratch_{uuid.uuid4().hex[:10]}"
    postgres_server.create_database(name)
    yield name
    postgres_server.admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                                  database="postgres")


def test_without_postgis_the_load_fails_saying_create_extension_and_stays_pending(
        postgres_server: Any, scratch_database: str, tmp_path: Any) -> None:
    from dlt.destinations.adapters import postgres_adapter
    from dlt_destination_postgres.geometry import PostgisNotInstalledError

    url = postgres_server.postgres_url_for(scratch_database)
    pipeline = dlt.pipeline(pipeline_name="no_gis", destination=dlt.destinations.postgres(url),
                            dataset_name="gis", pipelines_dir=str(tmp_path))
    resource = postgres_adapter(dlt.resource([{"id": 1, "loc": "POINT(1 2)"}], name="places"),
                                geometry="loc")
    with pytest.raises(PipelineStepFailed) as failed:
        pipeline.run(resource)
    (missing,) = [e for e in chain(failed.value) if isinstance(e, PostgisNotInstalledError)]
    assert "Column 'loc' of table 'places'" in str(missing)
    assert f"Run `CREATE EXTENSION postgis;` in database {scratch_database}" in str(missing)
    assert pipeline.has_pending_data

    postgres_server.admin_execute("CREATE EXTENSION postgis", database=scratch_database)
    pipeline.load()
    with pipeline.sql_client() as client:
        assert client.execute_sql("SELECT ST_AsText(loc) FROM places") == [("POINT(1 2)",)]


def test_postgis_in_a_schema_off_the_search_path_gets_a_qualified_type(
        postgres_server: Any, scratch_database: str, tmp_path: Any) -> None:
    from dlt.destinations.adapters import postgres_adapter

    postgres_server.admin_execute("CREATE SCHEMA gis; CREATE EXTENSION postgis SCHEMA gis;"
                                  " GRANT USAGE ON SCHEMA gis TO loader",
                                  database=scratch_database)
    url = postgres_server.postgres_url_for(scratch_database)
    pipeline = dlt.pipeline(pipeline_name="gis_schema", destination=dlt.destinations.postgres(url),
                            dataset_name="data", pipelines_dir=str(tmp_path))
    pipeline.run(postgres_adapter(dlt.resource([{"id": 1, "loc": POINT_WKB}], name="places"),
                                  geometry="loc"))
    with pipeline.sql_client() as client:
        assert client.execute_sql(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
            " WHERE attrelid = 'data.places'::regclass AND attname = 'loc'"
        ) == [("gis.geometry(Geometry,4326)",)]
        assert client.execute_sql("SELECT gis.ST_AsText(loc) FROM places") == [("POINT(1 2)",)]


def test_a_server_without_postgis_files_is_told_to_install_the_package() -> None:
    from dlt_destination_postgres.geometry import PostgisNotInstalledError, postgis_type_name

    with pytest.raises(PostgisNotInstalledError) as missing:
        postgis_type_name((None, None, False), "places", "loc", "PostgreSQL at db:5432", "prod")
    assert "postgresql-<major>-postgis-3" in str(missing.value)
    assert "run `CREATE EXTENSION postgis;` in database prod" in str(missing.value)
