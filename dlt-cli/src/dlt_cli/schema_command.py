"""`dlt schema FILE --format yaml|json`: validate a schema file and print it in either format."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dlt_cli.errors import CliError

if TYPE_CHECKING:
    from dlt.schema import Schema


class SchemaFormat(str, enum.Enum):
    """The text formats of a schema."""

    yaml = "yaml"
    json = "json"


def register(app: typer.Typer) -> None:
    """Add the `schema` command to `app`."""
    app.command("schema")(schema)


def schema(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A schema file in YAML or JSON.")],
    output_format: Annotated[
        SchemaFormat, typer.Option("--format", metavar="yaml|json", help="The format to print.",
                                   case_sensitive=False)
    ] = SchemaFormat.yaml,
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", metavar="PATH", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Validate the schema FILE and print it as YAML or JSON (a conversion when the formats differ)."""
    if not file.is_file():
        raise CliError(f"The schema file {file} does not exist.")
    loaded = load_schema(file)
    text = schema_text(loaded, SchemaFormat.json if as_json else output_format)
    if output is None:
        typer.echo(text, nl=not text.endswith("\n"))
        return
    output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    typer.echo(f"Schema {loaded.name} version {loaded.version} with {len(loaded.data_tables(include_incomplete=True))}"
               f" data tables written to {output}.", err=True)


def load_schema(file: Path) -> Schema:
    """Parse and validate a schema file; a syntax error is one sentence naming line and column."""
    from dlt.schema import Schema, SchemaError

    try:
        return Schema.from_text(file.read_text(encoding="utf-8"), source=str(file))
    except SchemaError as exc:
        problem = getattr(exc.__cause__, "problem", None)  # a yaml.MarkedYAMLError
        mark = getattr(exc.__cause__, "problem_mark", None)
        if problem is None or mark is None:
            raise
        raise CliError(f"The schema file {file} is not valid YAML or JSON: {problem} at line"
                       f" {mark.line + 1}, column {mark.column + 1}.") from exc


def schema_text(loaded: Schema, output_format: SchemaFormat) -> str:
    """The schema as text in `output_format`."""
    return loaded.to_json() if output_format is SchemaFormat.json else loaded.to_yaml()
