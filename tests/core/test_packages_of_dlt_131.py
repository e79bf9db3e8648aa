"""A working dir shared with dlt 1.31 that holds load packages 1.31 extracted or normalized and
did not load: no step runs (1.31's state already counts their rows, so an incremental run here
would skip them for good), and the error says how to finish or drop them with 1.31."""

from __future__ import annotations

import shutil

import pytest

import dlt
from dlt.pipeline.exceptions import PipelineStepFailed
from dlt.pipeline.packages_of_dlt_131 import PendingPackagesOfDlt131


@pytest.mark.parametrize("folder", ["normalize/extracted", "load/normalized"])
def test_no_step_runs_past_packages_dlt_131_left_pending(tmp_path, folder):
    pipelines_dir = tmp_path / "pipelines"
    pipeline = dlt.pipeline("shared", pipelines_dir=str(pipelines_dir), destination="duckdb")
    package = pipelines_dir / "shared" / folder / "1796357491.452197"
    (package / "new_jobs").mkdir(parents=True)
    (package / "new_jobs" / "items.a1b2c3.0.typed-jsonl.gz").write_bytes(b"")
    for step in (lambda: pipeline.run([{"id": 1}], table_name="items"),
                 lambda: pipeline.extract([{"id": 1}], table_name="items"),
                 pipeline.normalize, pipeline.load):
        with pytest.raises(PipelineStepFailed) as failed:
            step()
        error = failed.value.__cause__ or failed.value.exception
        assert isinstance(error, PendingPackagesOfDlt131)
        assert error.packages == [package]
        message = str(error)
        assert str(package) in message and "drop-pending-packages" in message
        assert f"--pipelines-dir {pipelines_dir}" in message
    assert package.exists(), "the package of dlt 1.31 is kept"
    assert not (pipelines_dir / "shared" / "packages" / "extracted").exists() or not any(
        (pipelines_dir / "shared" / "packages" / "extracted").iterdir())
    # once dlt 1.31 loaded it (its folder is gone), the pipeline runs
    shutil.rmtree(package)
    assert not pipeline.run([{"id": 1}], table_name="items").has_failed_jobs
