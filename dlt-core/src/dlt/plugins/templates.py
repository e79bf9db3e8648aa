"""Init templates: what a source plugin ships so that `dlt init SOURCE DESTINATION` writes a
working project for its source.

A plugin registers one `InitTemplate` per source through the `register_init_templates` hook.
The template is plain data (no imports of the source's libraries), so registering it is cheap;
`dlt init` renders the script and writes the settings into `.dlt/config.toml` and
`.dlt/secrets.toml`. See `docs/plugins.md` ("register_init_templates").
"""

from __future__ import annotations

from dataclasses import dataclass
from string import Template

#: the placeholders a template script may use, with what `dlt init` puts there
SCRIPT_PLACEHOLDERS = {
    "destination": "the destination name given to `dlt init`, e.g. duckdb",
    "pipeline_name": "the pipeline name (the source name)",
    "dataset_name": "the dataset name (`<source>_data`)",
    "script": "the file name of the script, e.g. rest_api_pipeline.py",
}


@dataclass(frozen=True)
class TemplateSetting:
    """One configuration key the pipeline reads, written into `.dlt/config.toml` or, when
    `secret`, into `.dlt/secrets.toml`.

    `key` is the full dotted key (`sources.sql_database.credentials`). With `value` (a TOML
    literal) the line is written set (`key = value`), for settings whose value works as it is;
    otherwise it is written commented out with `example` for the user to fill in.
    """

    key: str
    example: str = '""'
    note: str = ""
    required: bool = True
    secret: bool = False
    value: str | None = None

    @property
    def section(self) -> str:
        """The TOML table of the key: everything before the last dot."""
        return self.key.rpartition(".")[0]

    @property
    def name(self) -> str:
        """The key inside its TOML table: the part after the last dot."""
        return self.key.rpartition(".")[2]


@dataclass(frozen=True)
class InitTemplate:
    """The project `dlt init` writes for one source.

    `script` is the text of the pipeline script, a `string.Template`: `$destination`,
    `$pipeline_name`, `$dataset_name` and `$script` are replaced (see `SCRIPT_PLACEHOLDERS`),
    `$$` writes a literal `$`. `settings` are every key the script needs. `extras` are extras of
    the registering plugin's own distribution that the script needs (written into
    requirements.txt as `dist[extra,...]>=version`); `requirements` are further requirement
    strings. `description` is one line for `dlt init --list-sources`.
    """

    script: str
    settings: tuple[TemplateSetting, ...] = ()
    extras: tuple[str, ...] = ()
    requirements: tuple[str, ...] = ()
    description: str = ""

    def render_script(self, *, destination: str, pipeline_name: str, dataset_name: str,
                      script: str) -> str:
        """The script text with its placeholders filled in; an unknown `$name` is an error."""
        return Template(self.script).substitute(
            destination=destination, pipeline_name=pipeline_name, dataset_name=dataset_name,
            script=script,
        )
