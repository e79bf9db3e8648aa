"""Hook specifications of dlt: the whole contract between dlt-core and its plugins.

Every plugin, built-in or third party, implements some of these hooks with the `dlt.hookimpl`
marker and is found through the `dlt.plugins` entry-point group. Registrar hooks run once, when
the plugin manager loads a plugin; stage hooks run during a pipeline run. An implementation may
accept any subset of a hook's arguments, so new arguments never break old plugins.

This module holds only the specifications; see `docs/plugins/hooks.md` for examples.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import pluggy

if TYPE_CHECKING:
    from dlt.load.jobs import LoadJobInfo
    from dlt.plugins.templates import InitTemplate

hookspec = pluggy.HookspecMarker("dlt")


class RegisterDestination(Protocol):
    """The `register` callable handed to `register_destinations`."""

    def __call__(self, name: str, factory: Any, *, module: str | None = None) -> None:
        """Register `factory` (a destination factory class) under the short `name`.

        With `module` (an importable package name), `import dlt.destinations.impl.<name>` (and
        its submodules, e.g. `.configuration`) resolves to that package, as dlt 1.31's built-in
        destinations are laid out; an adapter function `<name>_adapter` in its submodule
        `<name>_adapter` is then importable from `dlt.destinations.adapters`.
        """


class RegisterSource(Protocol):
    """The `register` callable handed to `register_sources`."""

    def __call__(self, name: str, source: Any = None, *, module: str | None = None) -> None:
        """Register `source` (a function decorated with `dlt.source`) under `name`.

        With `module` (an importable module name), `import dlt.sources.<name>` (and its
        submodules) resolves to that module, as dlt 1.31's built-in sources do; `source` may
        then be None to register only the import path (e.g. `name="helpers.rest_client"`).
        """


class RegisterInitTemplate(Protocol):
    """The `register` callable handed to `register_init_templates`."""

    def __call__(self, name: str, template: InitTemplate) -> None:
        """Register `template` as what `dlt init <name> DESTINATION` writes for source `name`."""


class RegisterConfigProvider(Protocol):
    """The `register` callable handed to `register_config_providers`."""

    def __call__(self, provider: Any) -> None:
        """Register a config provider object (see `dlt.configuration.providers.ConfigProvider`)."""


class RegisterHelper(Protocol):
    """The `register` callable handed to `register_helpers`."""

    def __call__(self, name: str, module: str) -> None:
        """Make `import dlt.helpers.<name>` (and its submodules) import `module`."""


class RegisterNamingConvention(Protocol):
    """The `register` callable handed to `register_naming_conventions`."""

    def __call__(self, name: str, convention: Any) -> None:
        """Register a naming convention class under `name`."""


# ---------------------------------------------------------------------------------------------
# Registrar hooks: run once per plugin when the plugin manager loads it.
# ---------------------------------------------------------------------------------------------


@hookspec
def register_destinations(register: RegisterDestination) -> None:
    """Register the destinations this plugin provides.

    Runs once, when the plugin is loaded. Call `register(name, factory)` for each destination
    (`module=` adds the import paths of `RegisterDestination`);
    `dlt.destinations.<name>` and `destination="<name>"` then resolve to `factory`. Returns
    nothing. Two plugins registering the same name make that name unusable until one of them is
    disabled, and the error names both distributions.
    """


@hookspec
def register_sources(register: RegisterSource) -> None:
    """Register the sources this plugin provides.

    Runs once, when the plugin is loaded. Call `register(name, source_function)` with functions
    decorated by `dlt.source`; they resolve as `dlt.sources.<name>` and are offered by
    `dlt init`. `register(name, source_function, module="pkg.module")` also makes
    `from dlt.sources.<name> import ...` import from `pkg.module`. Returns nothing.
    """


@hookspec
def register_init_templates(register: RegisterInitTemplate) -> None:
    """Register the project templates `dlt init` writes for this plugin's sources.

    Runs once, when the plugin is loaded. Call `register(source_name, template)` with a
    `dlt.plugins.InitTemplate` (plain data: the script text and every setting it reads); `dlt
    init <source_name> DESTINATION` then writes that script, the settings into
    `.dlt/config.toml` / `.dlt/secrets.toml` and requirements.txt naming this plugin's
    distribution. Register the source itself with `register_sources` as well. Returns nothing.
    """


@hookspec
def register_config_providers(register: RegisterConfigProvider) -> None:
    """Register extra configuration providers (a vault, a secrets manager, ...).

    Runs once, when the plugin is loaded. Providers registered here are consulted after
    environment variables and the `.dlt/*.toml` files and before values written in code.
    Returns nothing.
    """


@hookspec
def register_helpers(register: RegisterHelper) -> None:
    """Register helper modules importable as `dlt.helpers.<name>` (as dlt 1.31 ships them).

    Runs once, when the plugin is loaded. Call `register(name, "pkg.module")`; `import
    dlt.helpers.<name>` then imports `pkg.module` (the same module object, no copy). A known
    first-party name whose plugin is missing raises `ModuleNotFoundError` with the `pip install`
    that provides it. Returns nothing.
    """


@hookspec
def register_naming_conventions(register: RegisterNamingConvention) -> None:
    """Register naming conventions that schemas may select by name.

    Runs once, when the plugin is loaded. Call `register(name, convention_class)`; a schema
    whose `naming` setting is `name` then uses that class to normalize identifiers.
    Returns nothing.
    """


@hookspec
def register_commands(app: Any) -> None:
    """Add sub-commands to the `dlt` command line.

    Runs when `dlt-cli` builds its application. `app` is the root `typer.Typer`; add commands
    with `app.command()` or groups with `app.add_typer()`. Returns nothing.
    """


# ---------------------------------------------------------------------------------------------
# Extract stage
# ---------------------------------------------------------------------------------------------


@hookspec
def on_extract_start(pipeline_name: str, source_name: str, resource_names: list[str]) -> None:
    """Observe the start of an extract step.

    Runs in the pipeline's process before the first item of `source_name` is read, with the
    names of the selected resources. Return values are ignored.
    """


@hookspec
def on_extract_items(
    pipeline_name: str, resource_name: str, table_name: str, items: list[Any]
) -> None:
    """Observe or transform a batch of items a resource yielded for `table_name`.

    Runs in the pipeline's process for each buffered batch, before the batch is written to the
    load package. Modify `items` in place to transform (remove, replace or add items); return
    values are ignored. Arrow tables arrive as list elements like any other item.
    """


@hookspec
def on_extract_complete(pipeline_name: str, load_id: str, row_counts: dict[str, int]) -> None:
    """Observe the end of an extract step.

    Runs once the load package `load_id` is complete on disk, with the number of items
    extracted per table. Return values are ignored.
    """


# ---------------------------------------------------------------------------------------------
# Normalize stage
# ---------------------------------------------------------------------------------------------


@hookspec
def on_normalize_rows(pipeline_name: str, table_name: str, rows: list[dict[str, Any]]) -> None:
    """Observe or transform a batch of normalized rows of `table_name`.

    Runs after nested data is unpacked and names are normalized, before types are inferred and
    the rows are written into load jobs. Modify `rows` in place to transform; return values are
    ignored. Runs in the process that normalizes.
    """


@hookspec
def on_normalize_table_schema(pipeline_name: str, table_name: str, table: dict[str, Any]) -> None:
    """Observe or amend the schema of a table that normalize created or changed.

    Runs once per changed table at the end of normalizing a load package, before the schema is
    saved. `table` is the table's schema dict (`columns`, `write_disposition`, hints); add hints
    by modifying it in place. Return values are ignored.
    """


@hookspec
def on_normalize_complete(pipeline_name: str, load_id: str, row_counts: dict[str, int]) -> None:
    """Observe the end of normalizing load package `load_id`, with rows written per table.

    Return values are ignored.
    """


# ---------------------------------------------------------------------------------------------
# Load stage
# ---------------------------------------------------------------------------------------------


@hookspec
def on_load_job_start(pipeline_name: str, load_id: str, job: LoadJobInfo) -> None:
    """Observe a load job just before it runs against the destination.

    `job` describes the file, table and format. Return values are ignored.
    """


@hookspec
def on_load_job_complete(pipeline_name: str, load_id: str, job: LoadJobInfo) -> None:
    """Observe a load job that finished, successfully or not (`job.state`, `job.error`).

    Return values are ignored.
    """


@hookspec
def on_load_complete(pipeline_name: str, load_id: str, load_info: Any) -> None:
    """Observe the end of loading package `load_id`; `load_info` is the run's `LoadInfo`.

    Runs after the package is recorded in `_dlt_loads`. Return values are ignored.
    """
