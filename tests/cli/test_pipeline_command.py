"""`dlt pipeline`: list pipelines and inspect or manage real DuckDB pipelines made by the tests."""

from __future__ import annotations

import json
import shutil

import yaml
from cli_helpers import FAILING_PIPELINE, SHOP_PIPELINE, Project

SECRET_DB_PATH = "secret-location.duckdb"


def counts(project: Project, name: str = "shop") -> dict[str, int | None]:
    result = project.dlt("pipeline", name, "show", "--json")
    assert result.returncode == 0, result.stderr
    return {table["name"]: table["row_count"] for table in json.loads(result.stdout)}


# -- --list --------------------------------------------------------------------------------------


def test_list_finds_pipelines_in_the_default_pipelines_dir(shop: Project) -> None:
    table = shop.dlt("pipeline", "--list")
    as_json = shop.dlt("pipeline", "--list", "--json")

    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines()[1].split()[:4] == ["shop", "duckdb", "shop_data", "1"]
    (entry,) = json.loads(as_json.stdout)
    assert entry["name"] == "shop" and entry["dataset_name"] == "shop_data"
    assert entry["working_dir"] == str(shop.pipelines_dir / "shop")


def test_list_also_looks_in_the_working_dir_option(shop: Project, project: Project) -> None:
    project.run_pipeline_script("other.py", """
        import dlt
        dlt.pipeline("elsewhere", destination="duckdb").run([{"a": 1}], table_name="t")
    """, DLT_PIPELINES_DIR=str(project.path / "my_pipelines"))

    result = shop.dlt("pipeline", "--list", "--json", "--working-dir", str(project.path / "my_pipelines"))

    assert result.returncode == 0, result.stderr
    assert [entry["name"] for entry in json.loads(result.stdout)] == ["elsewhere", "shop"]


def test_list_with_no_pipelines_says_so(project: Project) -> None:
    result = project.dlt("pipeline", "--list")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"No pipelines in {project.pipelines_dir}."


# -- info, show, trace, schema, load-package -----------------------------------------------------


def test_info_shows_destination_dataset_schemas_packages_and_resource_state(shop: Project) -> None:
    table = shop.dlt("pipeline", "shop", "info")
    data = json.loads(shop.dlt("pipeline", "shop", "info", "--json").stdout)

    assert table.returncode == 0, table.stderr
    assert "Destination:      duckdb" in table.stdout
    assert "Schemas:          shop (default)" in table.stdout
    assert data["schema_names"] == ["shop"]
    assert data["pending_packages"] == {"extracted": [], "normalized": []}
    assert len(data["loaded_packages"]) == 1
    assert "orders" in data["sources"]["shop"]["resources"]  # the incremental cursor's state
    assert "orders" in table.stdout


def test_pipeline_name_without_a_command_shows_info(shop: Project) -> None:
    result = shop.dlt("pipeline", "shop")

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Pipeline:         shop")


def test_show_text_counts_rows_of_every_table_in_the_destination(shop: Project) -> None:
    table = shop.dlt("pipeline", "shop", "show", "--text")

    assert table.returncode == 0, table.stderr
    assert counts(shop) == {"orders": 3, "orders__items": 3, "customers": 2}
    rows = {line.split()[0]: line.split() for line in table.stdout.splitlines()[2:]}
    assert rows["orders__items"][:3] == ["orders__items", "orders", "3"]
    assert rows["orders"][-1] == "merge"


def test_show_text_in_another_directory_says_where_the_database_was_expected(shop: Project, tmp_path) -> None:
    elsewhere = Project(tmp_path / "elsewhere", shop.pipelines_dir, shop.site)

    result = elsewhere.dlt("pipeline", "shop", "show", "--text")

    assert result.returncode == 1
    assert str(elsewhere.path / "shop.duckdb") in result.stderr
    assert not (elsewhere.path / "shop.duckdb").exists()  # no empty database left behind


def test_show_in_another_directory_refuses_for_any_plugin_that_keeps_data_in_local_files(
        project: Project, tmp_path) -> None:
    # the guide's example SQLite destination declares where its data lives (`data_location`)
    project.run_pipeline_script("notes_pipeline.py", """
        import dlt

        dlt.pipeline("notes", destination="sqlite", dataset_name="notes_data").run(
            [{"text": "hi"}], table_name="notes")
    """)
    assert (project.path / "notes_data.sqlite").exists()
    elsewhere = Project(tmp_path / "elsewhere", project.pipelines_dir, project.site)

    result = elsewhere.dlt("pipeline", "notes", "show", "--text")

    assert result.returncode == 1
    assert str(elsewhere.path / "notes_data.sqlite") in result.stderr
    assert not (elsewhere.path / "notes_data.sqlite").exists()  # no empty database left behind
    assert project.dlt("pipeline", "notes", "show", "--text").returncode == 0


def test_trace_shows_the_steps_of_the_last_run(shop: Project) -> None:
    table = shop.dlt("pipeline", "shop", "trace")
    data = json.loads(shop.dlt("pipeline", "shop", "trace", "--json").stdout)

    assert table.returncode == 0, table.stderr
    assert [step["step"] for step in data["steps"]] == ["extract", "normalize", "load"]
    assert all(step["error"] is None for step in data["steps"])
    for step in ("extract", "normalize", "load"):
        assert any(line.split()[:1] == [step] and "completed" in line for line in table.stdout.splitlines())


def test_trace_shows_where_secrets_came_from_but_never_their_values(project: Project) -> None:
    database = str(project.path / SECRET_DB_PATH)
    project.run_pipeline_script("shop_pipeline.py", SHOP_PIPELINE,
                                DESTINATION__DUCKDB__CREDENTIALS=database)

    table = project.dlt("pipeline", "shop", "trace")
    as_json = project.dlt("pipeline", "shop", "trace", "--json")

    assert table.returncode == 0, table.stderr
    config = json.loads(as_json.stdout)["resolved_config"]
    assert config == [{"field": "destination.duckdb.credentials", "provider": "Environment Variables",
                       "key": "DESTINATION__DUCKDB__CREDENTIALS", "secret": True}]
    assert "DESTINATION__DUCKDB__CREDENTIALS" in table.stdout
    for output in (table.stdout, table.stderr, as_json.stdout):
        assert SECRET_DB_PATH not in output


def test_trace_of_a_pipeline_that_never_ran_is_an_error(project: Project) -> None:
    project.run_pipeline_script("make.py", """
        import dlt
        dlt.pipeline("idle", destination="duckdb")
    """)

    result = project.dlt("pipeline", "idle", "trace")

    assert result.returncode == 1
    assert "has no trace yet" in result.stderr


def test_schema_prints_the_pipeline_schema_as_yaml_or_json(shop: Project) -> None:
    as_yaml = shop.dlt("pipeline", "shop", "schema")
    as_json = shop.dlt("pipeline", "shop", "schema", "--json")

    assert as_yaml.returncode == 0, as_yaml.stderr
    assert yaml.safe_load(as_yaml.stdout)["tables"]["orders"]["columns"]["id"]["primary_key"] is True
    assert json.loads(as_json.stdout)["name"] == "shop"


def test_load_package_shows_the_newest_package_with_row_counts_and_jobs(shop: Project) -> None:
    data = json.loads(shop.dlt("pipeline", "shop", "load-package", "--json").stdout)
    by_id = shop.dlt("pipeline", "shop", "load-package", data["load_id"])

    assert data["status"] == "loaded"
    assert data["row_counts"]["orders"] == 3
    assert {job["table"] for job in data["jobs"]["completed_jobs"]} >= {"orders", "orders__items", "customers"}
    assert by_id.returncode == 0, by_id.stderr
    assert "Status:  loaded" in by_id.stdout
    assert "completed  orders__items" in by_id.stdout


def test_load_package_with_an_unknown_load_id_is_an_error(shop: Project) -> None:
    result = shop.dlt("pipeline", "shop", "load-package", "123.456")

    assert result.returncode == 1
    assert result.stderr.strip() == "Error: Pipeline shop has no load package 123.456."


# -- failed-jobs ---------------------------------------------------------------------------------


def test_failed_jobs_lists_the_job_the_destination_refused_with_its_error(project: Project) -> None:
    project.run_pipeline_script("failing.py", FAILING_PIPELINE)

    table = project.dlt("pipeline", "failing", "failed-jobs")
    (job,) = json.loads(project.dlt("pipeline", "failing", "failed-jobs", "--json").stdout)

    assert table.returncode == 0, table.stderr
    assert job["table"] == "checked"
    assert "CHECK" in job["error"].upper()
    assert "checked" in table.stdout and "CHECK" in table.stdout.upper()


def test_failed_jobs_of_a_healthy_pipeline_says_there_are_none(shop: Project) -> None:
    result = shop.dlt("pipeline", "shop", "failed-jobs")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "No failed jobs in the packages of pipeline shop."


# -- drop ----------------------------------------------------------------------------------------


def test_drop_with_yes_drops_the_table_and_its_child_tables(project: Project) -> None:
    project.run_pipeline_script("shop_pipeline.py", SHOP_PIPELINE)

    result = project.dlt("pipeline", "shop", "drop", "orders", "--yes")

    assert result.returncode == 0, result.stderr
    assert "Dropped orders, orders__items." in result.stdout
    assert counts(project) == {"customers": 2}
    info = json.loads(project.dlt("pipeline", "shop", "info", "--json").stdout)
    assert "orders" not in info["sources"].get("shop", {}).get("resources", {})


def test_drop_asks_for_confirmation_and_keeps_tables_when_declined(project: Project) -> None:
    project.run_pipeline_script("shop_pipeline.py", SHOP_PIPELINE)

    result = project.dlt("pipeline", "shop", "drop", "orders", input="n\n")

    assert result.returncode == 0, result.stderr
    assert "Drop these tables? [y/N]" in result.stderr
    assert "Nothing dropped." in result.stdout
    assert counts(project)["orders"] == 3


def test_drop_confirmed_on_stdin_drops(project: Project) -> None:
    project.run_pipeline_script("shop_pipeline.py", SHOP_PIPELINE)

    result = project.dlt("pipeline", "shop", "drop", "customers", input="y\n")

    assert result.returncode == 0, result.stderr
    assert "customers" not in counts(project)


def test_drop_without_an_answer_drops_nothing_and_fails(project: Project) -> None:
    project.run_pipeline_script("shop_pipeline.py", SHOP_PIPELINE)

    result = project.dlt("pipeline", "shop", "drop", "orders", input="")

    assert result.returncode == 1
    assert "--yes" in result.stderr
    assert counts(project)["orders"] == 3


def test_drop_of_an_unknown_table_names_the_tables_there_are(shop: Project) -> None:
    result = shop.dlt("pipeline", "shop", "drop", "invoices", "--yes")

    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Error: Cannot drop invoices: not a data table of schema shop."
        " Its tables: customers, orders, orders__items."
    )


# -- sync ----------------------------------------------------------------------------------------


def test_sync_restores_a_deleted_working_dir_from_the_destination(project: Project) -> None:
    project.run_pipeline_script("shop_pipeline.py", SHOP_PIPELINE)
    shutil.rmtree(project.pipelines_dir / "shop")

    missing = project.dlt("pipeline", "shop", "sync")
    result = project.dlt("pipeline", "shop", "sync", "--destination", "duckdb", "--dataset-name", "shop_data")
    info = json.loads(project.dlt("pipeline", "shop", "info", "--json").stdout)

    assert missing.returncode == 1 and "--destination" in missing.stderr
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Restored the state")
    assert info["schema_names"] == ["shop"]
    assert "orders" in info["sources"]["shop"]["resources"]


def test_sync_of_an_up_to_date_pipeline_changes_nothing(shop: Project) -> None:
    result = shop.dlt("pipeline", "shop", "sync")

    assert result.returncode == 0, result.stderr
    assert "is up to date" in result.stdout


# -- errors --------------------------------------------------------------------------------------


def test_unknown_pipeline_is_one_sentence_with_exit_code_1(shop: Project) -> None:
    result = shop.dlt("pipeline", "nope", "info")

    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"Error: No pipeline named nope in {shop.pipelines_dir}; `dlt pipeline --list` shows the"
        " pipelines there, --working-dir looks in another folder."
    )


def test_pipeline_without_name_or_list_is_a_usage_error(shop: Project) -> None:
    result = shop.dlt("pipeline")

    assert result.returncode == 2


def test_working_dir_may_be_a_pipelines_own_folder(shop: Project) -> None:
    result = shop.dlt("pipeline", "shop", "info", "--json", DLT_PIPELINES_DIR=str(shop.path / "empty"))
    direct = shop.dlt("pipeline", "--working-dir", str(shop.pipelines_dir / "shop"), "shop", "info", "--json",
                      DLT_PIPELINES_DIR=str(shop.path / "empty"))

    assert result.returncode == 1
    assert direct.returncode == 0, direct.stderr
    assert json.loads(direct.stdout)["pipeline_name"] == "shop"
