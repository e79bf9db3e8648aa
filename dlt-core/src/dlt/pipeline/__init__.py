"""`dlt.pipeline()`, `dlt.run()` and `dlt.attach()`: create, run and reopen pipelines."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from dlt.destinations import resolve_destination
from dlt.pipeline import registry
from dlt.pipeline.exceptions import (
    CannotRestorePipelineException,
    PipelineStepFailed,
)
from dlt.pipeline.load_info import LoadInfo
from dlt.pipeline.options import (
    configured_options,
    default_pipeline_name,
    default_pipelines_dir,
    dlt_131_pipelines_dir,
    validate_pipeline_name,
)
from dlt.pipeline.pipeline import Pipeline
from dlt.pipeline.state import load_state

logger = logging.getLogger("dlt")

__all__ = ["LoadInfo", "Pipeline", "PipelineStepFailed", "attach", "pipeline", "run"]


def pipeline(
    pipeline_name: str | None = None,
    pipelines_dir: str | None = None,
    pipeline_salt: str | None = None,
    destination: Any = None,
    staging: Any = None,
    dataset_name: str | None = None,
    import_schema_path: str | None = None,
    export_schema_path: str | None = None,
    full_refresh: bool | None = None,
    dev_mode: bool | None = None,
    refresh: str | None = None,
    progress: Any = None,
    *,
    working_dir: str | None = None,
    pipeline_secret: str | None = None,
    loader_file_format: str | None = None,
    **_ignored: Any,
) -> Pipeline:
    """Create or reopen a pipeline; the positional arguments are dlt 1.31's, in its order.

    With no arguments: the pipeline created or attached last in this process; when there is none,
    the default pipeline, named after the running script, whose dataset has the same name. A named pipeline without `dataset_name` uses `<pipeline_name>_dataset`.
    `pipelines_dir` is the folder that holds pipeline folders; `working_dir` (keyword only) is
    the pipeline's own folder. `pipeline_salt` is 1.31's name for `pipeline_secret`, `full_refresh`
    the old name of `dev_mode`.
    Pipeline options found in configuration (env `PIPELINE_NAME`, `config.toml`) win over
    the values passed here.
    """
    if pipeline_secret is None:
        pipeline_secret = pipeline_salt
    given = (pipeline_name, working_dir, pipeline_secret, destination, staging, dataset_name,
             import_schema_path, export_schema_path, full_refresh, pipelines_dir, dev_mode,
             progress, loader_file_format)
    if all(value is None for value in given) and not _ignored and registry.last_pipeline() is not None:
        # as in dlt: with no arguments, the pipeline created or attached last
        return registry.last_pipeline()
    if full_refresh is not None:
        import warnings

        from dlt.utils.warnings import DltDeprecationWarning

        warnings.warn(DltDeprecationWarning("full_refresh is deprecated; use dev_mode", since="0.5.0"),
                      stacklevel=2)
    explicit_name = pipeline_name
    if pipeline_name is not None:
        validate_pipeline_name(pipeline_name)
    options = {
        "pipeline_name": pipeline_name, "working_dir": working_dir, "pipeline_secret": pipeline_secret,
        "destination": destination, "dataset_name": dataset_name,
        "import_schema_path": import_schema_path, "export_schema_path": export_schema_path,
        "full_refresh": full_refresh, "pipelines_dir": pipelines_dir, "dev_mode": dev_mode,
        "progress": progress,
    }
    options.update(configured_options(pipeline_name or default_pipeline_name()))
    name = options["pipeline_name"] or default_pipeline_name()
    validate_pipeline_name(name)
    is_default = explicit_name is None and options["pipeline_name"] is None
    fresh = bool(options["full_refresh"] or options["dev_mode"])
    if options["working_dir"]:
        folder = Path(options["working_dir"])
    else:
        folder = Path(options["pipelines_dir"] or default_pipelines_dir()) / name
    # re-creating a pipeline by name keeps the dataset stored in its working dir
    stored = None if fresh or options["dataset_name"] else load_state(folder)
    dataset = options["dataset_name"] or (stored or {}).get("dataset_name") or (
        name if is_default else f"{name}_dataset")
    if fresh:
        dataset = f"{dataset}_{time.strftime('%Y%m%d%H%M%S')}"
    if fresh and folder.exists():
        import shutil

        shutil.rmtree(folder)
    instance = Pipeline(
        name, folder, resolve_destination(options["destination"]), dataset,
        pipeline_secret=options["pipeline_secret"],
        import_schema_path=options["import_schema_path"],
        export_schema_path=options["export_schema_path"], dev_mode=fresh,
        progress=options["progress"], loader_file_format=loader_file_format, refresh=refresh,
        staging=resolve_destination(staging),
    )
    registry.remember(instance)
    return instance


def attach(pipeline_name: str | None = None, pipelines_dir: str | None = None,
           working_dir: str | None = None, **_ignored: Any) -> Pipeline:
    """Reopen an existing pipeline from its working dir (state, schemas, pending packages).

    With neither `pipelines_dir` nor `working_dir`, a pipeline missing from the default
    pipelines dir is looked for where dlt 1.31 keeps it (`dlt_131_pipelines_dir`), so a
    pipeline that last ran on 1.31 attaches as it did there."""
    name = pipeline_name or default_pipeline_name()
    folder = Path(working_dir) if working_dir else Path(pipelines_dir or default_pipelines_dir()) / name
    stored = load_state(folder)
    if stored is None and not working_dir and not pipelines_dir:
        legacy = dlt_131_pipelines_dir() / name
        stored = load_state(legacy)
        if stored is not None:
            logger.info("attach: pipeline %s is not in %s; attached the working dir dlt 1.31"
                        " left in %s", name, folder.parent, legacy)
            folder = legacy
    if stored is None:
        raise CannotRestorePipelineException(
            f"No pipeline named {name} in {folder.parent}. Create it with dlt.pipeline('{name}', ...)"
            " or pass pipelines_dir= where it lives."
        )
    # the pipeline takes the destination its state names (none when the plugin is gone)
    instance = Pipeline(name, folder, None, stored.get("dataset_name"))
    registry.remember(instance)
    return instance


def run(data: Any, *, destination: Any = None, staging: Any = None,
        dataset_name: str | None = None,
        credentials: Any = None, table_name: str | None = None, write_disposition: Any = None,
        columns: Any = None, primary_key: Any = None, schema: Any = None,
        loader_file_format: str | None = None, schema_contract: Any = None,
        refresh: str | None = None) -> LoadInfo:
    """Load `data` with the last configured pipeline, or the default pipeline if there is none."""
    current = registry.last_pipeline() or pipeline()
    return current.run(
        data, destination=destination, staging=staging, dataset_name=dataset_name,
        credentials=credentials,
        table_name=table_name, write_disposition=write_disposition, columns=columns,
        primary_key=primary_key, schema=schema, loader_file_format=loader_file_format,
        schema_contract=schema_contract, refresh=refresh,
    )

