"""Plugins that fail never break `import dlt`; using what they provide raises their error.

Each test installs fake distributions (dist-info folders on PYTHONPATH, no pip) and runs the
real entry-point loader in a fresh interpreter.
"""

from __future__ import annotations

from pathlib import Path

from fake_distributions import (
    PRINT_RECORDS,
    resolve_destination_code,
    run_json,
    run_python,
    write_fake_distribution,
)

BROKEN_MODULE = """
    raise RuntimeError("the broken plugin exploded on import")
"""

FILES_DESTINATION_MODULE = """
    from dlt import hookimpl


    @hookimpl
    def register_destinations(register):
        from dlt.destinations.impl.filesystem.factory import filesystem

        register("shared_files", filesystem)
"""


def test_broken_plugin_does_not_break_import_dlt(tmp_path: Path) -> None:
    write_fake_distribution(tmp_path, "dlt-broken-plugin", "broken_files", BROKEN_MODULE)

    result = run_python("import dlt; print(dlt.destinations.duckdb.destination_name)", tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "duckdb"


def test_broken_plugin_is_recorded_with_status_error_and_its_exception(tmp_path: Path) -> None:
    write_fake_distribution(tmp_path, "dlt-broken-plugin", "broken_files", BROKEN_MODULE)

    records = run_json(PRINT_RECORDS, tmp_path)

    broken = records["broken_files"]
    assert broken["status"] == "error"
    assert broken["distribution"] == "dlt-broken-plugin"
    assert broken["version"] == "1.0"
    assert broken["error"] == "RuntimeError: the broken plugin exploded on import"
    assert records["duckdb"]["status"] == "ok"
    assert records["filesystem"]["status"] == "ok"


def test_using_a_broken_plugins_destination_raises_its_error_chained(tmp_path: Path) -> None:
    write_fake_distribution(tmp_path, "dlt-broken-plugin", "broken_files", BROKEN_MODULE)

    error = run_json(resolve_destination_code("broken_files"), tmp_path)

    assert error["type"] == "PluginUnavailableError"
    assert "'broken_files'" in error["message"]
    assert "dlt-broken-plugin 1.0" in error["message"]
    assert "the broken plugin exploded on import" in error["message"]
    assert error["cause"] == "RuntimeError: the broken plugin exploded on import"


def test_plugin_for_another_dlt_core_is_recorded_incompatible(tmp_path: Path) -> None:
    write_fake_distribution(
        tmp_path, "dlt-future-plugin", "future_files", FILES_DESTINATION_MODULE,
        version="3.0", requires=("dlt-core>=99",),
    )

    future = run_json(PRINT_RECORDS, tmp_path)["future_files"]

    assert future["status"] == "incompatible"
    assert future["distribution"] == "dlt-future-plugin"
    assert future["version"] == "3.0"
    assert "dlt-core>=99" in future["error"]
    assert future["provides"] == {}  # never imported


def test_using_an_incompatible_plugins_destination_names_plugin_distribution_and_version(
    tmp_path: Path,
) -> None:
    write_fake_distribution(
        tmp_path, "dlt-future-plugin", "future_files", FILES_DESTINATION_MODULE,
        version="3.0", requires=("dlt-core>=99",),
    )

    error = run_json(resolve_destination_code("future_files"), tmp_path)

    assert error["type"] == "PluginUnavailableError"
    assert "plugin 'future_files'" in error["message"]
    assert "dlt-future-plugin 3.0" in error["message"]
    assert "incompatible" in error["message"]
    assert "dlt-core>=99" in error["message"]
    assert error["cause"] is not None and "dlt-core>=99" in error["cause"]


def test_two_plugins_registering_one_destination_name_is_an_error_naming_both(
    tmp_path: Path,
) -> None:
    write_fake_distribution(tmp_path, "dlt-files-one", "files_one", FILES_DESTINATION_MODULE)
    write_fake_distribution(tmp_path, "dlt-files-two", "files_two", FILES_DESTINATION_MODULE)

    error = run_json(resolve_destination_code("shared_files"), tmp_path)

    assert error["type"] == "DuplicateProvisionError"
    assert "dlt-files-one" in error["message"]
    assert "dlt-files-two" in error["message"]


def test_a_duplicate_destination_name_leaves_other_destinations_usable(tmp_path: Path) -> None:
    write_fake_distribution(tmp_path, "dlt-files-one", "files_one", FILES_DESTINATION_MODULE)
    write_fake_distribution(tmp_path, "dlt-files-two", "files_two", FILES_DESTINATION_MODULE)

    result = run_python("import dlt; print(dlt.destinations.filesystem.destination_name)", tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "filesystem"
