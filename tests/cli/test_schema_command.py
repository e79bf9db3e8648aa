"""`dlt schema FILE`: validate a schema file and convert it between YAML and JSON."""

from __future__ import annotations

import json

import yaml
from cli_helpers import Project


def exported_schema(shop: Project) -> str:
    return (shop.pipelines_dir / "shop" / "schemas" / "shop.schema.json").read_text()


def test_schema_converts_json_to_yaml_with_the_same_content(shop: Project, project: Project) -> None:
    source = project.write("shop.schema.json", exported_schema(shop))

    result = project.dlt("schema", str(source), "--format", "yaml")

    assert result.returncode == 0, result.stderr
    converted = yaml.safe_load(result.stdout)
    original = json.loads(source.read_text())
    assert converted["name"] == "shop"
    assert converted["tables"]["orders__items"]["columns"]["qty"]["data_type"] == "bigint"
    assert converted["tables"].keys() == original["tables"].keys()


def test_schema_round_trips_yaml_back_to_json(shop: Project, project: Project) -> None:
    project.write("shop.schema.json", exported_schema(shop))
    to_yaml = project.dlt("schema", "shop.schema.json", "--output", "shop.schema.yaml")

    back = project.dlt("schema", "shop.schema.yaml", "--json")

    assert to_yaml.returncode == 0, to_yaml.stderr
    assert "written to shop.schema.yaml" in to_yaml.stderr
    assert back.returncode == 0, back.stderr
    assert json.loads(back.stdout)["tables"] == json.loads(exported_schema(shop))["tables"]


def test_schema_with_an_unknown_data_type_is_an_error_naming_table_and_column(project: Project) -> None:
    project.write("bad.schema.yaml", """
        name: bad
        tables:
          users:
            name: users
            columns:
              age:
                name: age
                data_type: integer
    """)

    result = project.dlt("schema", "bad.schema.yaml")

    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: bad.schema.yaml:")
    assert "'age'" in line and "'users'" in line and "integer" in line


def test_schema_with_a_syntax_error_is_one_sentence_with_line_and_column(project: Project) -> None:
    project.write("broken.schema.yaml", "name: broken\ntables: [users\n")

    result = project.dlt("schema", "broken.schema.yaml")

    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: The schema file broken.schema.yaml is not valid YAML or JSON:")
    assert "line 3, column 1" in line


def test_schema_of_a_missing_file_is_an_error(project: Project) -> None:
    result = project.dlt("schema", "missing.yaml")

    assert result.returncode == 1
    assert result.stderr.strip() == "Error: The schema file missing.yaml does not exist."
