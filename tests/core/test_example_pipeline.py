"""The README's main job, `examples/earthquakes_pipeline.py`, runs as a newcomer runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "earthquakes_pipeline.py"


def test_the_example_loads_every_earthquake_and_prints_what_was_loaded(tmp_path):
    env = dict(os.environ, DLT_PIPELINES_DIR=str(tmp_path / "pipelines"))
    done = subprocess.run([sys.executable, str(EXAMPLE)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Rows loaded: earthquakes: 1707, earthquakes__geometry__coordinates: 5121" in done.stdout
    assert "1707 earthquakes and 5121 coordinate values" in done.stdout
    assert (tmp_path / "earthquakes.duckdb").exists()
