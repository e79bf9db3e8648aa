"""Record objects (pydantic models, dataclasses, named tuples) load as dicts of their fields,
items and nested values alike, and a list in a list goes to a child table named `list`: both
as in dlt 1.31 (checked side by side)."""

from __future__ import annotations

import collections
import dataclasses

import dlt
from pydantic import BaseModel


class Address(BaseModel):
    street: str


class User(BaseModel):
    userId: int
    name: str
    address: Address


@dataclasses.dataclass
class Tagged:
    id: int
    tags: list


Point = collections.namedtuple("Point", "id x")


def columns_of(pipeline, table_prefix):
    with pipeline.sql_client() as client:
        return client.execute_sql(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema ="
            f" 'data' AND table_name LIKE '{table_prefix}%' AND column_name NOT LIKE '_dlt%'"
            " ORDER BY table_name, ordinal_position")


def make_pipeline(tmp_path):
    return dlt.pipeline(pipeline_name="records", pipelines_dir=str(tmp_path / "p"),
                        destination=dlt.destinations.duckdb(str(tmp_path / "db.duckdb")),
                        dataset_name="data")


def test_models_dataclasses_and_named_tuples_load_as_dicts(tmp_path):
    pipeline = make_pipeline(tmp_path)
    pipeline.run([User(userId=1, name="x", address=Address(street="s"))], table_name="users")
    pipeline.run([Tagged(1, ["a", "b"])], table_name="tagged")
    pipeline.run([Point(1, 2)], table_name="points")
    pipeline.run([{"id": 1, "home": Address(street="q"), "t": Tagged(2, [])}], table_name="mixed")
    assert columns_of(pipeline, "users") == [
        ("users", "user_id"), ("users", "name"), ("users", "address__street")]
    assert columns_of(pipeline, "tagged") == [("tagged", "id"), ("tagged__tags", "value")]
    assert columns_of(pipeline, "points") == [("points", "id"), ("points", "x")]
    assert columns_of(pipeline, "mixed") == [("mixed", "id"), ("mixed", "t__id"), ("mixed", "home__street")]
    with pipeline.sql_client() as client:
        assert client.execute_sql("SELECT user_id, name, address__street FROM data.users") == [(1, "x", "s")]
        assert client.execute_sql("SELECT value FROM data.tagged__tags ORDER BY value") == [("a",), ("b",)]


def test_a_list_in_a_list_goes_to_a_child_table_named_list(tmp_path):
    pipeline = make_pipeline(tmp_path)
    pipeline.run([{"id": 1, "m": [[1, 2], [3, [4, 5]]], "lo": [[{"a": 1}]]}], table_name="t")
    tables = {name for name, _ in columns_of(pipeline, "t")}
    assert tables == {"t", "t__m__list", "t__m__list__list", "t__lo__list"}
    with pipeline.sql_client() as client:
        # the row of the inner list [4, 5] has no value of its own (as in 1.31)
        assert client.execute_sql("SELECT value FROM data.t__m__list ORDER BY value") == [
            (1,), (2,), (3,), (None,)]
        assert client.execute_sql("SELECT value FROM data.t__m__list__list ORDER BY value") == [(4,), (5,)]
        assert client.execute_sql("SELECT a FROM data.t__lo__list") == [(1,)]
