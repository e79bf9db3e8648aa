"""The text of the files `dlt init` writes: the pipeline script, config stubs, requirements.

Pure functions of their arguments, so the templates are easy to read and to test.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

GITIGNORE_LINES = (".dlt/secrets.toml", "*.duckdb", "*.duckdb.wal")


@dataclass(frozen=True)
class Stub:
    """A configuration key written commented out: the user sets its value and uncomments it.

    An `active` stub is written set (`key = example`): a value that works as it is.
    """

    section: str
    key: str
    example: str = '""'
    note: str = ""
    active: bool = False

    def line(self) -> str:
        """`# key = example  # note` (without the leading `# ` when `active`)."""
        text = f"{self.key} = {self.example}" if self.active else f"# {self.key} = {self.example}"
        return f"{text}  # {self.note}" if self.note else text


def toml_literal(value: object) -> str:
    """A TOML literal for a simple default value, or `""` when it has none."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    return '""'


def toml_file(header: str, stubs: Sequence[Stub]) -> str:
    """A TOML file: the header comment, then every section with its commented stubs."""
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    sections: dict[str, list[Stub]] = {}
    for stub in stubs:
        sections.setdefault(stub.section, []).append(stub)
    for section, section_stubs in sections.items():
        lines += ["", f"[{section}]", *(stub.line() for stub in section_stubs)]
    return "\n".join(lines) + "\n"


CONFIG_HEADER = """\
Configuration of the {source} pipeline; secrets go to secrets.toml next to this file.
Commented keys are stubs: set a value and remove the '#' to use one. Environment variables
win over this file: a key `a.b.c` is read from A__B__C."""

SECRETS_HEADER = """\
Secrets of the {source} pipeline: keep this file out of version control (see .gitignore).
Commented keys are stubs: set a value and remove the '#' to use one. Environment variables
win over this file: a key `a.b.c` is read from A__B__C (`dlt deploy` lists them)."""


def requirements_file(requirements: Sequence[str]) -> str:
    """requirements.txt naming the distributions the pipeline needs."""
    return "\n".join(requirements) + "\n"


def registered_source_script(source: str, destination: str, script: str,
                             distribution: str | None, description: str) -> str:
    """A pipeline script that runs the source a plugin registered as `source`."""
    origin = f" from {distribution}" if distribution else ""
    summary = description.strip().splitlines()[0] if description.strip() else ""
    return f'''"""Load the `{source}` source{origin} into {destination}.

{summary or f"The source `{source}` is registered by a dlt plugin."}

Run it with `python {script}`. Its arguments are read from `.dlt/config.toml` and
`.dlt/secrets.toml` under [sources.{source}] (or environment variables), or pass them below.
"""

import dlt


def load_{source}() -> None:
    """Run the `{source}` pipeline and print what was loaded."""
    pipeline = dlt.pipeline(
        pipeline_name="{source}", destination="{destination}", dataset_name="{source}_data"
    )
    source = dlt.sources.{source}()
    info = pipeline.run(source)
    print(info)


if __name__ == "__main__":
    load_{source}()
'''


def generic_source_script(source: str, destination: str, script: str) -> str:
    """A pipeline script with a `{source}` source of sample rows, to replace with real data."""
    return f'''"""Load `{source}` data into {destination}: a starting point to make your own.

Run it with `python {script}`. Replace the sample rows in `items` with your data (an API, a
database, files); settings go to `.dlt/config.toml`, secrets to `.dlt/secrets.toml` (or
environment variables), and arguments left at `dlt.secrets.value` are injected from there.
"""

from collections.abc import Iterator
from typing import Any

import dlt


@dlt.source(name="{source}")
def {source}_source() -> Any:
    """The resources of `{source}`; add more resources to the returned list."""
    return [items]


@dlt.resource(name="items", primary_key="id", write_disposition="merge")
def items() -> Iterator[dict[str, Any]]:
    """Sample rows: yield dicts (or lists of dicts); nested lists become child tables."""
    yield [
        {{"id": 1, "name": "first", "tags": ["new"]}},
        {{"id": 2, "name": "second", "tags": ["new", "sample"]}},
    ]


def load_{source}() -> None:
    """Run the `{source}` pipeline and print what was loaded."""
    pipeline = dlt.pipeline(
        pipeline_name="{source}", destination="{destination}", dataset_name="{source}_data"
    )
    info = pipeline.run({source}_source())
    print(info)


if __name__ == "__main__":
    load_{source}()
'''
