"""`postgres_adapter`: PostGIS geometry columns on a resource, as in dlt 1.31.

The adapter only sets two column hints, `x-postgres-geometry` (true) and `x-postgres-srid`
(the SRID, 4326 unless given); the PostgreSQL job client creates such a column as
`geometry(Geometry, <srid>)` and loads its values (WKT, EWKT, hex WKB or WKB bytes) through
PostGIS's own input function. The database needs the PostGIS extension
(`CREATE EXTENSION postgis`). Nothing here imports psycopg.

    from dlt.destinations.adapters import postgres_adapter

    places = postgres_adapter(places, geometry=["location", "outline"], srid=4326)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, Optional

from dlt.destinations.utils import get_resource_for_adapter
from dlt.schema.typing import TColumnNames

if TYPE_CHECKING:
    from dlt.extract import DltResource

__all__ = ["DEFAULT_SRID", "GEOMETRY_HINT", "SRID_HINT", "postgres_adapter"]

#: column hint: create the column as a PostGIS `geometry` and load its values as geometries
GEOMETRY_HINT: Literal["x-postgres-geometry"] = "x-postgres-geometry"
#: column hint: the Spatial Reference System Identifier of a geometry column
SRID_HINT: Literal["x-postgres-srid"] = "x-postgres-srid"
#: the SRID of a geometry column without `x-postgres-srid` (WGS 84, as in dlt 1.31)
DEFAULT_SRID = 4326


def _geometry_columns(geometry: Any) -> list[str]:
    """The column names of `geometry` (one name or a list of names), checked as dlt 1.31
    checks them, and each a non-empty string."""
    if isinstance(geometry, str):
        geometry = [geometry]
    if not isinstance(geometry, list):
        raise ValueError(
            "`geometry` must be a list of column names or a single column name as a string."
            f" postgres_adapter got {type(geometry).__name__} {geometry!r}.")
    for name in geometry:
        if not isinstance(name, str) or not name:
            raise ValueError(
                f"`geometry` must hold column names (non-empty strings), but it holds {name!r}"
                f" in {geometry!r}.")
    return geometry


def postgres_adapter(
    data: Any,
    geometry: TColumnNames = None,
    srid: Optional[int] = DEFAULT_SRID,
) -> DltResource:
    """Mark columns of `data` as PostGIS geometries for the postgres destination.

    `data` is a resource, a source with one selected resource, or plain data (made into a
    resource). `geometry` is a column name or a list of them; `srid` is their Spatial
    Reference System Identifier (4326 when not given; `None` leaves the hint out, which the
    destination also reads as 4326). Returns the resource with the hints applied.

    Raises `ValueError` when `geometry` is missing or empty, or not a name or a list of names.

        >>> postgres_adapter([{"town": "Null Island", "loc": "POINT(0 0)"}], geometry="loc")
    """
    resource = get_resource_for_adapter(data)
    column_hints: dict[str, dict[str, Any]] = {}
    if geometry:
        for name in _geometry_columns(geometry):
            column_hints[name] = {"name": name, GEOMETRY_HINT: True}
            if srid is not None:
                column_hints[name][SRID_HINT] = srid
    if not column_hints:
        raise ValueError(
            "A value for `geometry` must be specified: postgres_adapter needs the name of at"
            " least one column to create as a PostGIS geometry, e.g. geometry=['location'].")
    resource.apply_hints(columns=column_hints)
    return resource
