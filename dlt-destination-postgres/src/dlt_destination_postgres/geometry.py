"""PostGIS geometry columns: their column type, the PostGIS check and how values reach them.

A column with the `x-postgres-geometry` hint (see `postgres_adapter`) is created as
`geometry(Geometry, <srid>)`. Its values always reach PostgreSQL as text, which PostGIS's input
function reads whatever the form: WKT, EWKT (`SRID=4326;POINT(0 0)`), hex WKB or EWKB, and
GeoJSON. WKB bytes are sent as their hex text, JSON values (a GeoJSON dict in a `json` column)
as JSON text. A geometry without an SRID takes the column's SRID; one with another SRID fails
the job. No psycopg here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dlt.destinations.base import DestinationTerminalError

from dlt_destination_postgres.postgres_adapter import DEFAULT_SRID, GEOMETRY_HINT, SRID_HINT

#: the PostGIS type name when the extension's schema is on the search_path
GEOMETRY_TYPE = "geometry"

#: where PostGIS is: the `geometry` type as the search_path resolves it (NULL when it does
#: not), the schema the extension is installed in, and whether the server could install it
POSTGIS_LOOKUP_SQL = (
    "SELECT to_regtype('geometry')::text,"
    " (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
    "  WHERE e.extname = 'postgis'),"
    " EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'postgis')"
)


class PostgisNotInstalledError(DestinationTerminalError):
    """A geometry column is to be created, but the database has no PostGIS extension."""


def is_geometry_column(column: dict[str, Any]) -> bool:
    """True for a column with the `x-postgres-geometry` hint set."""
    return bool(column.get(GEOMETRY_HINT))


def geometry_srid(column: dict[str, Any], table_name: str = "") -> int:
    """The SRID of a geometry column: its `x-postgres-srid` hint, else 4326. A value that is
    not a whole number raises, naming the table and column (it goes into the DDL)."""
    srid = column.get(SRID_HINT)
    if srid is None:
        return DEFAULT_SRID
    if isinstance(srid, str) and srid.strip().isdigit():
        return int(srid)
    if isinstance(srid, bool) or not isinstance(srid, int):
        where = f"table {table_name!r}, " if table_name else ""
        raise DestinationTerminalError(
            f"The geometry column ({where}column {column.get('name')!r}) has the SRID"
            f" {srid!r} in its `{SRID_HINT}` hint; an SRID is a whole number such as 4326."
            f" Pass e.g. postgres_adapter(..., srid=4326).")
    return srid


def geometry_column_type(column: dict[str, Any], type_name: str = GEOMETRY_TYPE,
                         table_name: str = "") -> str:
    """`geometry(Geometry, <srid>)`, the type dlt 1.31 creates for a geometry column;
    `type_name` is the schema-qualified name when PostGIS is off the search_path."""
    return f"{type_name}(Geometry, {geometry_srid(column, table_name)})"


def postgis_type_name(found: tuple[Any, Any, Any], table: str, column: str,
                      where: str, database: str) -> str:
    """The name to write the geometry type with, from the row of `POSTGIS_LOOKUP_SQL`;
    raises `PostgisNotInstalledError` (naming `table`, `column` and the database) without
    PostGIS. `where` says which server it is."""
    visible, extension_schema, available = found
    if visible:
        return GEOMETRY_TYPE
    if extension_schema:
        quoted = '"' + str(extension_schema).replace('"', '""') + '"'
        return f"{quoted}.{GEOMETRY_TYPE}"
    needs = (f"Column {column!r} of table {table!r} is a PostGIS geometry (the `{GEOMETRY_HINT}`"
             f" hint that postgres_adapter sets), but {where} has no PostGIS extension, so the"
             " type `geometry` does not exist.")
    if available:
        todo = (f" Run `CREATE EXTENSION postgis;` in database {database} (as a superuser),"
                " then run the pipeline again.")
    else:
        todo = (" The server has no PostGIS either: install it there (on Debian the package"
                f" postgresql-<major>-postgis-3), run `CREATE EXTENSION postgis;` in database"
                f" {database}, then run the pipeline again.")
    raise PostgisNotInstalledError(f"{needs}{todo}")


# -- values ---------------------------------------------------------------------------------------


def geometry_text(value: Any) -> str:
    """The text PostGIS reads for one non-null geometry value: a string as it is (WKT, EWKT,
    hex (E)WKB, GeoJSON), WKB bytes as hex, a dict or list (GeoJSON) as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, (dict, list)):
        import orjson

        return orjson.dumps(value).decode()
    raise TypeError(
        f"a geometry value is WKT or hex WKB text, WKB bytes or a GeoJSON dict, not"
        f" {type(value).__name__} {value!r:.80}")


def geometry_converter(table: str, column: str, file_name: str) -> Callable[[Any], str]:
    """`geometry_text` for the values of one job file's column; a value of another kind fails
    the job (`LoadJobTerminalError`) naming the file, table and column."""
    from dlt.destinations.base import LoadJobTerminalError

    def convert(value: Any) -> str:
        try:
            return geometry_text(value)
        except TypeError as exc:
            raise LoadJobTerminalError(
                file_name, f"Column {column!r} of table {table!r} is a PostGIS geometry, but {exc}."
            ) from None

    return convert


def _hex_array(array: Any) -> Any:
    """A binary Arrow array (WKB) as an array of its values' hex text."""
    import pyarrow as pa

    return pa.array([None if v is None else v.hex() for v in array.to_pylist()], pa.string())


def strip_bytea_prefix(array: Any) -> Any:
    """Text of PostgreSQL's bytea form (`\\x` then hex, how csv job files hold binary values)
    as plain hex, which PostGIS reads as WKB."""
    import pyarrow.compute as pc

    return pc.replace_substring_regex(array, pattern=r"^\\x", replacement="")


def arrow_geometry_conversion(arrow_type: Any) -> Callable[[Any], Any] | None | bool:
    """How an Arrow column of a geometry column reaches CSV: None (text as it is), a function
    on the array (binary WKB to hex) or False (the row path must convert it value by value)."""
    import pyarrow.types as t

    if t.is_null(arrow_type) or t.is_string(arrow_type) or t.is_large_string(arrow_type):
        return None
    if (t.is_binary(arrow_type) or t.is_large_binary(arrow_type)
            or t.is_fixed_size_binary(arrow_type)):
        return _hex_array
    return False
