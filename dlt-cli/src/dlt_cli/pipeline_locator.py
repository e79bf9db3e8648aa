"""Where pipelines live on disk: listing their working dirs and attaching to one by name.

A pipeline's working dir holds `state.json`. Working dirs live in a pipelines dir: the default
one of dlt-core (`$DLT_PIPELINES_DIR` or `<tmp>/dlt_pipelines`) or one given with
`--working-dir`, which may also be a single pipeline's own working dir.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dlt_cli.errors import CliError

if TYPE_CHECKING:
    from dlt import Pipeline
    from dlt.destinations.base import Destination

STATE_FILE = "state.json"
TRACE_FILE = "trace.json"


@dataclass(frozen=True)
class FoundPipeline:
    """A pipeline working dir found on disk, described from its state file alone."""

    name: str
    working_dir: Path
    destination: str | None
    dataset_name: str | None
    state_version: int
    last_run: str | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, the keys of `dlt pipeline --list --json`."""
        return {"name": self.name, "working_dir": str(self.working_dir),
                "destination": self.destination, "dataset_name": self.dataset_name,
                "state_version": self.state_version, "last_run": self.last_run}


def search_dirs(working_dir: Path | None) -> list[Path]:
    """The folders searched for pipelines: the default pipelines dir, then `working_dir`."""
    from dlt.pipeline.options import default_pipelines_dir

    folders = [default_pipelines_dir()]
    if working_dir is not None:
        folders.append(working_dir)
    unique: dict[Path, Path] = {}
    for folder in folders:
        unique.setdefault(folder.expanduser().resolve(), folder.expanduser())
    return list(unique.values())


def find_pipelines(working_dir: Path | None) -> list[FoundPipeline]:
    """Every pipeline in the searched folders, sorted by name then location."""
    found: dict[Path, FoundPipeline] = {}
    for folder in search_dirs(working_dir):
        candidates = [folder] if (folder / STATE_FILE).is_file() else (
            sorted(child for child in folder.iterdir() if child.is_dir()) if folder.is_dir() else [])
        for candidate in candidates:
            described = _describe(candidate)
            if described is not None:
                found.setdefault(candidate.resolve(), described)
    return sorted(found.values(), key=lambda p: (p.name, str(p.working_dir)))


def _describe(folder: Path) -> FoundPipeline | None:
    from dlt.pipeline.state import destination_of_state, load_state

    try:
        state = load_state(folder)
    except Exception:  # a half-written or foreign state.json: not a pipeline we can show
        return None
    if state is None:
        return None
    trace = folder / TRACE_FILE
    last_run = (datetime.fromtimestamp(trace.stat().st_mtime, timezone.utc).isoformat(timespec="seconds")
                if trace.exists() else None)
    return FoundPipeline(
        name=str(state.get("pipeline_name") or folder.name), working_dir=folder,
        destination=destination_of_state(state)[0], dataset_name=state.get("dataset_name"),
        state_version=int(state.get("_state_version", 0)), last_run=last_run,
    )


def pipeline_folder(name: str, working_dir: Path | None) -> Path | None:
    """The working dir of pipeline `name`: in `working_dir` (or that folder itself), else the default."""
    from dlt.pipeline.options import default_pipelines_dir

    if working_dir is not None:
        if (working_dir / STATE_FILE).is_file() and _state_name(working_dir) in (name, None):
            return working_dir
        if (working_dir / name / STATE_FILE).is_file():
            return working_dir / name
        return None
    folder = default_pipelines_dir() / name
    return folder if (folder / STATE_FILE).is_file() else None


def _state_name(folder: Path) -> str | None:
    described = _describe(folder)
    return described.name if described else None


def attach(name: str, working_dir: Path | None) -> Pipeline:
    """Reopen pipeline `name` from its working dir; a clear error when there is none.

    When the destination the pipeline used cannot be resolved (its plugin is uninstalled or
    blocked), the pipeline still opens without a destination, so local commands keep working.
    """
    import dlt
    from dlt.plugins import PluginError

    folder = pipeline_folder(name, working_dir)
    if folder is None:
        where = working_dir if working_dir is not None else search_dirs(None)[0]
        raise CliError(
            f"No pipeline named {name} in {where}; `dlt pipeline --list` shows the pipelines"
            " there, --working-dir looks in another folder."
        )
    try:
        return dlt.attach(name, working_dir=str(folder))
    except PluginError:
        from dlt.pipeline.state import load_state

        state = load_state(folder) or {}
        return dlt.Pipeline(name, folder, None, state.get("dataset_name"))


def require_destination(pipeline: Pipeline) -> Destination:
    """The pipeline's destination; a sentence when it is unknown or its data cannot be there."""
    from dlt.pipeline.state import destination_of_state, load_state

    if pipeline.destination is None:
        stored = destination_of_state(load_state(pipeline.working_dir) or {})[0]
        if stored:
            raise CliError(f"The destination {stored} of pipeline {pipeline.pipeline_name} is not"
                           " available; `dlt plugins list` shows why.")
        raise CliError(f"Pipeline {pipeline.pipeline_name} has no destination yet; run it first.")
    destination = pipeline.destination
    location = data_location(destination, pipeline)
    if location is not None and not location.exists():
        # connecting would create an empty database file here
        raise CliError(
            f"The {destination.name} database of pipeline {pipeline.pipeline_name} is not"
            f" at {location}; run the command in the directory where the pipeline ran (with the"
            " same .dlt configuration and environment)."
        )
    return destination


def data_location(destination: Destination, pipeline: Pipeline) -> Path | None:
    """The local file or folder the destination keeps the pipeline's data in (its
    `data_location` hook), or None for data on a server. Plugins written before the hook
    existed are asked through `database_path` when they have one."""
    location: Any = None
    hook = getattr(destination, "data_location", None)
    if hook is not None:
        location = hook(pipeline.pipeline_name, Path(pipeline.working_dir),
                        dataset_name=pipeline.dataset_name)
    legacy = getattr(destination, "database_path", None)
    if location is None and legacy is not None:
        location = legacy(pipeline.pipeline_name)
    if isinstance(location, (str, Path)) and str(location) not in ("", ":memory:"):
        return Path(location)
    return None
