"""Load packages that dlt 1.31 left pending in a working dir this dlt opens.

dlt 1.31 keeps packages it extracted under `normalize/extracted/<load_id>/` and packages it
normalized under `load/normalized/<load_id>/` (this dlt keeps its own under `packages/`). By
then 1.31 has already written the incremental cursors past their rows into `state.json`, so a
run here would skip those rows and never load them. Steps refuse to run until the packages are
loaded (or given up) with dlt 1.31.
"""

from __future__ import annotations

from pathlib import Path

from dlt.pipeline.exceptions import PipelineException

_PENDING_FOLDERS = {"normalize/extracted": "extracted", "load/new": "extracted",
                    "load/normalized": "normalized"}


def pending_packages_of_dlt_131(working_dir: Path) -> list[tuple[str, Path]]:
    """`(stage, folder)` of every load package dlt 1.31 left pending in `working_dir`."""
    found = []
    for folder, stage in _PENDING_FOLDERS.items():
        parent = working_dir / folder
        if parent.is_dir():
            found.extend((stage, package) for package in sorted(parent.iterdir())
                         if package.is_dir())
    return found


class PendingPackagesOfDlt131(PipelineException):
    """The working dir holds load packages dlt 1.31 extracted or normalized but did not load."""

    def __init__(self, pipeline_name: str, working_dir: Path,
                 packages: list[tuple[str, Path]]) -> None:
        self.pipeline_name = pipeline_name
        self.packages = [folder for _, folder in packages]
        listed = "; ".join(f"{folder} ({stage})" for stage, folder in packages)
        super().__init__(
            f"Pipeline '{pipeline_name}' has {len(packages)} load package(s) that dlt 1.31 left"
            f" pending in its working dir: {listed}. This dlt does not load dlt 1.31's packages,"
            " and the pipeline's state already counts their rows as extracted (an incremental"
            " would skip them), so no step runs until they are gone. Load them with dlt 1.31:"
            " run the pipeline once more there (with pending packages, its run() loads only"
            " them), or give them up with dlt 1.31's `dlt pipeline --pipelines-dir"
            f" {working_dir.parent} {pipeline_name} drop-pending-packages` (or delete those"
            " folders). Then run again here.")


def refuse_packages_of_dlt_131(pipeline_name: str, working_dir: Path) -> None:
    """Raise `PendingPackagesOfDlt131` when dlt 1.31 left packages pending in `working_dir`."""
    packages = pending_packages_of_dlt_131(working_dir)
    if packages:
        raise PendingPackagesOfDlt131(pipeline_name, working_dir, packages)
