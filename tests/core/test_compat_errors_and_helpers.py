"""dlt 1.31's error classes, retry predicate, config injection decorator, transform steps,
credentials and schema helpers, imported from their 1.31 paths, behave as they did there.

Expected values marked "as 1.31" were produced by dlt 1.31.0 from the same calls."""

from __future__ import annotations

import os

import duckdb
import pytest

import dlt
from dlt.sources.credentials import OAuth2Credentials  # module level: the source's annotation names it


def _pipeline(name: str, destination: str = "duckdb"):
    return dlt.pipeline(pipeline_name=name, destination=destination, dataset_name=f"{name}_data")


# -- extract errors --------------------------------------------------------------------------

def test_mistakes_raise_the_1_31_classes_all_caught_as_resource_errors():
    from dlt.extract import exceptions as ex
    from dlt.sources import DltResource

    @dlt.resource
    def numbers(count):
        yield from range(count)

    @dlt.resource
    def plain():
        yield 1

    @dlt.source
    def two():
        return plain, dlt.resource([1], name="other")

    cases = [
        (ex.ResourceNameMissing, lambda: dlt.resource([1, 2])),
        (ex.InvalidResourceDataTypeIsNone, lambda: DltResource.from_data(None, name="empty")),
        (ex.ResourcesNotFoundError, lambda: two().with_resources("missing")),
        (ex.ResourceNotATransformer, lambda: plain | dlt.resource([1], name="not_a_transformer")),
        (ex.ParametrizedResourceUnbound, lambda: list(numbers)),
        (ex.InvalidStepFunctionArguments, lambda: plain.add_map("not a function")),
        (ex.DataItemRequiredForDynamicTableHints,
         lambda: dlt.resource([{"k": "a"}], name="dyn", table_name=lambda item: item["k"]).compute_table_schema()),
    ]
    for error_class, make_mistake in cases:
        with pytest.raises(error_class) as caught:
            make_mistake()
        assert isinstance(caught.value, ex.DltResourceException)
        assert isinstance(caught.value, ex.ResourceError)
    assert issubclass(ex.InvalidResourceDataTypeIsNone, ex.InvalidResourceDataType)


def test_extract_item_and_state_paths_are_the_real_objects():
    from dlt.extract import Incremental
    from dlt.extract.items import DataItemWithMeta, TableNameMeta
    from dlt.extract.mark import with_table_name
    from dlt.extract.state import resource_state, source_state
    from dlt.pipeline import current

    assert Incremental is dlt.sources.incremental
    assert isinstance(with_table_name({"a": 1}, "t"), DataItemWithMeta)
    assert isinstance(with_table_name({"a": 1}, "t").meta, TableNameMeta)
    assert resource_state is current.resource_state and source_state is current.source_state


# -- pipeline activation and SQL clients -----------------------------------------------------

def test_pipeline_activate_deactivate_and_is_active():
    from dlt.pipeline.exceptions import PipelineNotActive

    first = _pipeline("first")
    second = _pipeline("second")
    assert second.is_active and not first.is_active
    assert dlt.current.pipeline() is second
    first.activate()
    assert first.is_active and dlt.current.pipeline() is first
    with pytest.raises(PipelineNotActive, match="second is not the active pipeline"):
        second.deactivate()
    first.deactivate()
    assert not first.is_active
    # as in dlt 1.31, with no active pipeline dlt.current.pipeline() gives the default one
    default = dlt.current.pipeline()
    assert default is not first and default is not second and default.is_active


def test_sql_client_of_a_destination_without_one_raises_sql_client_not_available():
    from dlt.common.destination.exceptions import DestinationTerminalException, SqlClientNotAvailable

    pipeline = _pipeline("no_sql", destination="dummy")
    with pytest.raises(SqlClientNotAvailable, match="pipeline no_sql .* has no SQL client") as caught:
        pipeline.sql_client()
    assert isinstance(caught.value, DestinationTerminalException)


# -- retry_load ------------------------------------------------------------------------------

def test_retry_load_repeats_only_non_terminal_failures_of_allowed_steps():
    from dlt.common.exceptions import TerminalValueError
    from dlt.pipeline.exceptions import PipelineStepFailed
    from dlt.pipeline.helpers import retry_load

    @dlt.resource
    def flaky():
        yield {"a": 1}
        raise ConnectionError("network down")

    with pytest.raises(PipelineStepFailed) as caught:
        _pipeline("retry").extract(flaky())
    failed_extract = caught.value
    assert failed_extract.step == "extract"
    # as 1.31: the default repeats load only; allowing extract repeats a transient error
    assert retry_load()(failed_extract) is False
    assert retry_load(("extract",))(failed_extract) is True

    @dlt.resource
    def refused():
        yield {"a": 1}
        raise TerminalValueError("bad page size")

    with pytest.raises(PipelineStepFailed) as caught:
        _pipeline("retry_terminal").extract(refused())
    # the terminal error is two causes down (PipelineStepFailed <- ResourceExtractionError):
    # not retried even where extract may be (1.31 looks one level deep and would retry)
    assert retry_load(("extract",))(caught.value) is False

    transient_load = PipelineStepFailed("retry", "load", ConnectionError("reset"))
    terminal_load = PipelineStepFailed("retry", "load", TerminalValueError("bad value"))
    assert retry_load()(transient_load) is True
    assert retry_load()(terminal_load) is False
    assert retry_load()(ValueError("plain")) is True
    assert retry_load()(TerminalValueError("plain")) is False
    assert isinstance(TerminalValueError("x"), ValueError)


# -- with_config ------------------------------------------------------------------------------

def test_with_config_injects_arguments_from_sections_then_the_root(monkeypatch):
    from dlt.common.configuration import with_config as from_package
    from dlt.common.configuration.inject import with_config
    from dlt.configuration.exceptions import ConfigFieldMissingException

    assert from_package is with_config
    monkeypatch.setenv("MY_API__API_KEY", "k1")
    monkeypatch.setenv("PAGE_SIZE", "50")

    @with_config(sections=("my_api",))
    def client(api_key: str = dlt.secrets.value, page_size: int = 100, other: str = "d"):
        return api_key, page_size, other

    assert client() == ("k1", 50, "d")  # as 1.31
    assert client(api_key="explicit") == ("explicit", 50, "d")

    @with_config
    def plain(token: str = dlt.secrets.value):
        return token

    monkeypatch.setenv("TOKEN", "t")
    assert plain() == "t"
    monkeypatch.delenv("TOKEN")
    with pytest.raises(ConfigFieldMissingException):
        plain()


def test_config_value_sentinels_are_the_accessors_placeholders():
    from dlt.common.typing import ConfigValue, SecretValue

    assert ConfigValue is dlt.config.value and SecretValue is dlt.secrets.value


# -- transform steps --------------------------------------------------------------------------

def test_take_first_skip_first_and_pivot_as_1_31():
    from dlt.sources.helpers.transform import pivot, skip_first, take_first

    rows = [{"i": i} for i in range(10)]
    assert list(dlt.resource(rows, name="r").add_filter(take_first(3))) == rows[:3]
    assert list(dlt.resource(rows, name="r").add_filter(skip_first(7))) == rows[7:]
    pivoted = list(dlt.resource([{"a": 1, "m": [[1, 2], [3, 4]]}], name="p").add_map(pivot("m", "c_")))
    assert pivoted == [{"a": 1, "m": [{"c_0": 1, "c_1": 2}, {"c_0": 3, "c_1": 4}]}]
    nested = list(dlt.resource([{"a": {"m": [[1, 2]]}}], name="p").add_map(pivot("$.a.m")))
    assert nested == [{"a": {"m": [{"col0": 1, "col1": 2}]}}]
    assert pivot()([1, 2]) == [{"col0": 1, "col1": 2}]
    with pytest.raises(ValueError, match="sequence of sequences at 'a'"):
        pivot("a")({"a": [1, 2]})
    with pytest.raises(ValueError, match="plain field paths"):
        pivot("$.items[*].m")


def test_add_row_hash_to_table_gives_1_31_hashes_for_frames_and_arrow():
    pd = pytest.importorskip("pandas", reason="add_row_hash_to_table hashes with pandas (the [pandas] extra)")
    import pyarrow as pa

    from dlt.sources.helpers.transform import add_row_hash_to_table

    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    expected = [7694637405057536657, 1753204411530023459]  # as 1.31
    assert add_row_hash_to_table("h")(frame.copy())["h"].tolist() == expected
    assert add_row_hash_to_table("h")(pa.Table.from_pandas(frame))["h"].to_pylist() == expected


# -- credentials -----------------------------------------------------------------------------

def test_oauth2_credentials_resolve_from_secrets_and_add_scopes(monkeypatch):
    from dlt.configuration.exceptions import ConfigFieldMissingException
    from dlt.common.configuration.specs import OAuth2Credentials as from_specs

    assert from_specs is OAuth2Credentials
    for field, value in (("CLIENT_ID", "cid"), ("CLIENT_SECRET", "sec"), ("REFRESH_TOKEN", "rt")):
        monkeypatch.setenv(f"SOURCES__API__CREDENTIALS__{field}", value)
    seen = {}

    @dlt.source(name="api")
    def api(credentials: OAuth2Credentials = dlt.secrets.value):
        credentials.add_scopes(["read", "write"])
        credentials.add_scopes("read")
        seen.update(dict(credentials))
        return dlt.resource([1], name="x")

    api()
    assert seen == {"client_id": "cid", "client_secret": "sec", "refresh_token": "rt",
                    "scopes": ["read", "write"], "token": None}
    monkeypatch.delenv("SOURCES__API__CREDENTIALS__CLIENT_SECRET")
    with pytest.raises(ConfigFieldMissingException,
                       match="`credentials` is itself a configuration `OAuth2Credentials` with missing field"
                             r"\(s\): `client_secret`"):
        api()


# -- schema helpers, key columns and column order ----------------------------------------------

def test_merge_key_columns_are_not_null_and_hint_columns_take_their_data_position():
    from dlt.common.schema.utils import (
        get_columns_names_with_prop,
        get_first_column_name_with_prop,
        has_table_seen_data,
        new_column,
        new_table,
    )

    pipeline = _pipeline("keys")
    pipeline.run(dlt.resource(
        [{"id": 1, "k": 2, "v": 3}], name="t", primary_key="id", merge_key="k",
        write_disposition="merge", columns={"w": {"data_type": "text"}, "v": {"nullable": False}},
    ))
    table = pipeline.default_schema.tables["t"]
    # as 1.31
    assert get_columns_names_with_prop(table, "primary_key") == ["id"]
    assert get_columns_names_with_prop(table, "merge_key") == ["k"]
    assert get_columns_names_with_prop(table, "nullable") == ["id", "k", "v", "_dlt_load_id", "_dlt_id"]
    assert list(table["columns"]) == ["w", "id", "k", "v", "_dlt_load_id", "_dlt_id"]
    assert get_first_column_name_with_prop(table, "primary_key") == "id"
    assert has_table_seen_data(table)
    with duckdb.connect(os.path.join(os.getcwd(), "keys.duckdb"), read_only=True) as con:
        ddl = con.execute(
            "SELECT column_name, is_nullable FROM information_schema.columns"
            " WHERE table_schema = 'keys_data' AND table_name = 't' ORDER BY ordinal_position"
        ).fetchall()
    assert ddl == [("w", "YES"), ("id", "NO"), ("k", "NO"), ("v", "NO"),
                   ("_dlt_load_id", "NO"), ("_dlt_id", "NO")]
    assert new_column("a", "bigint", nullable=False) == {"name": "a", "nullable": False, "data_type": "bigint"}
    assert new_table("x", columns=[new_column("a")]) == {
        "name": "x", "columns": {"a": {"name": "a", "nullable": True}},
        "write_disposition": "append", "resource": "x",
    }
    assert new_table("x__c", parent_table_name="x") == {"name": "x__c", "columns": {}, "parent": "x"}


def test_common_utils_nested_helpers():
    from dlt.common.utils import custom_environ, flatten_list_or_items, map_nested_in_place, without_none

    assert map_nested_in_place(lambda v: v * 2, {"a": [1, (2, 3)], "b": 4}) == {"a": [2, [4, 6]], "b": 8}
    with pytest.raises(ValueError):
        map_nested_in_place(str, 5)
    assert without_none({"a": None, "b": 0}) == {"b": 0}
    assert list(flatten_list_or_items([1, [2, 3], 4])) == [1, 2, 3, 4]
    os.environ.pop("DLT_TEST_CUSTOM_ENV", None)
    with custom_environ({"DLT_TEST_CUSTOM_ENV": "1"}):
        assert os.environ["DLT_TEST_CUSTOM_ENV"] == "1"
    assert "DLT_TEST_CUSTOM_ENV" not in os.environ
