"""Fixtures of the CLI tests: a folder for fake distributions and a runner of the `dlt` script."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from cli_helpers import RunDlt, dlt_script


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
