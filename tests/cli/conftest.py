"""Fixtures of the CLI tests: fake distributions, a runner of the `dlt` script, projects."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from cli_helpers import SHOP_PIPELINE, Project, RunDlt, dlt_script


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A folder for fake distributions; `run_dlt` puts it on PYTHONPATH."""
    folder = tmp_path / "site"
    folder.mkdir()
    return folder


@pytest.fixture
def run_dlt(site: Path, tmp_path: Path) -> RunDlt:
    """Run `dlt *args` in a subprocess with fake distributions of `site` importable."""

    def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        environ = {k: v for k, v in os.environ.items() if not k.startswith("DLT_")}
        environ["PYTHONPATH"] = os.pathsep.join(
            [str(site), *filter(None, [os.environ.get("PYTHONPATH")])]
        )
        environ["COLUMNS"] = "250"
        environ.update(env)
        return subprocess.run(
            [dlt_script(), *args], env=environ, cwd=tmp_path, capture_output=True, text=True,
            timeout=120,
        )

    return run


@pytest.fixture
def project(tmp_path: Path, site: Path) -> Project:
    """An empty project directory with its own pipelines dir."""
    return Project(tmp_path / "project", tmp_path / "pipelines", site)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A project in which the `shop` pipeline has loaded once into DuckDB (read-only tests)."""
    root = tmp_path_factory.mktemp("shop")
    site = root / "site"
    site.mkdir()
    shop_project = Project(root / "project", root / "pipelines", site)
    shop_project.run_pipeline_script("shop_pipeline.py", SHOP_PIPELINE)
    return shop_project
