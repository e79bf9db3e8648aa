"""Load a week of USGS earthquakes (nested GeoJSON) into DuckDB and show what was loaded.

    python examples/earthquakes_pipeline.py                      # into ./earthquakes.duckdb
    python examples/earthquakes_pipeline.py --destination redshift   # credentials from config

Nested `properties` become columns (`properties__mag`, ...); the `geometry.coordinates` list
becomes the child table `earthquakes__geometry__coordinates`. Running it again merges by id, so
the row count stays the same.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timezone
from pathlib import Path

import dlt

DATA_FILE = Path(__file__).parent / "data" / "earthquakes.json"


@dlt.source(name="usgs")
def usgs_earthquakes(geojson_file: str = str(DATA_FILE)):
    """Earthquake features from a GeoJSON file (`SOURCES__USGS__GEOJSON_FILE` overrides it).

    As in dlt 1.31, arguments of a source are looked up in configuration down to the bare key,
    so an argument named `path` would take the `PATH` environment variable.
    """

    # magnitudes are sometimes whole numbers in the feed: declare the column as double so the
    # first value does not make it bigint (which would send 2.5 to a variant column)
    @dlt.resource(primary_key="id", write_disposition="merge",
                  columns={"properties__mag": {"data_type": "double"}})
    def earthquakes():
        features = json.loads(Path(geojson_file).read_text(encoding="utf-8"))["features"]
        for page_start in range(0, len(features), 500):
            yield features[page_start:page_start + 500]

    def epoch_ms_to_datetime(feature: dict) -> dict:
        for key in ("time", "updated"):
            value = feature["properties"].get(key)
            if value is not None:
                feature["properties"][key] = datetime.fromtimestamp(value / 1000, tz=timezone.utc)
        return feature

    return earthquakes.add_map(epoch_ms_to_datetime)


def main() -> None:
    """Run the pipeline and print the load info and the strongest earthquakes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--destination", default="duckdb", help="an installed destination name")
    args = parser.parse_args()

    pipeline = dlt.pipeline(pipeline_name="earthquakes", destination=args.destination,
                            dataset_name="usgs_data")
    load_info = pipeline.run(usgs_earthquakes())
    print(load_info)

    with pipeline.sql_client() as client:
        table = client.make_qualified_table_name("earthquakes")
        coordinates = client.make_qualified_table_name("earthquakes__geometry__coordinates")
        rows = client.execute_sql(
            f"SELECT properties__mag, properties__place, properties__time FROM {table}"
            " WHERE properties__mag IS NOT NULL ORDER BY properties__mag DESC LIMIT 5"
        )
        total = client.execute_sql(f"SELECT count(*) FROM {table}")[0][0]
        points = client.execute_sql(f"SELECT count(*) FROM {coordinates}")[0][0]
    print(f"\n{total} earthquakes and {points} coordinate values in dataset {pipeline.dataset_name}.")
    print("The five strongest:")
    for magnitude, place, when in rows:
        print(f"  M {magnitude:>4}  {place}  ({when:%Y-%m-%d %H:%M} UTC)")


if __name__ == "__main__":
    main()
