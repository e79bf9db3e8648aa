"""pytest fixtures for isolated pipelines (registered as the `dlt` pytest plugin)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def dlt_pipelines_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh pipelines dir (also exported as DLT_PIPELINES_DIR) and a fresh config resolver.

    The current directory is a fresh folder too, so `.dlt/*.toml` and default DuckDB files of
    one test never leak into another.
    """
    from dlt.configuration import reset_resolver
    from dlt.pipeline import registry

    pipelines = tmp_path / "pipelines"
    pipelines.mkdir()
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.setenv("DLT_PIPELINES_DIR", str(pipelines))
    monkeypatch.setenv("DLT_GLOBAL_DIR", str(tmp_path / "global_dlt"))
    monkeypatch.chdir(project)
    reset_resolver()
    registry.forget()
    yield pipelines
    reset_resolver()
    registry.forget()


@pytest.fixture
def dlt_plugin_manager() -> Iterator[object]:
    """A fresh plugin manager with the installed plugins, active for the test only."""
    from dlt.plugins import PluginManager, use_plugin_manager

    manager = PluginManager()
    with use_plugin_manager(manager):
        yield manager
