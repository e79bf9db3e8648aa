"""Helpers of the CLI tests: find the real `dlt` console script, make fake plugin distributions."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

RunDlt = Callable[..., subprocess.CompletedProcess[str]]


def dlt_script() -> str:
    """The `dlt` console script installed next to the running interpreter."""
    bin_dir = Path(sys.executable).parent
    script = shutil.which("dlt", path=str(bin_dir))
    assert script, f"the dlt console script is not installed in {bin_dir}"
    return script


def write_fake_distribution(
    site: Path, distribution: str, plugin_name: str, module_source: str, version: str = "1.0"
) -> None:
    """An installed-looking distribution (dist-info + module) with one `dlt.plugins` entry."""
    module = distribution.replace("-", "_")
    dist_info = site / f"{module}-{version}.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n"
        "Requires-Dist: dlt-core>=0.1\n"
    )
    (dist_info / "entry_points.txt").write_text(f"[dlt.plugins]\n{plugin_name} = {module}\n")
    (site / f"{module}.py").write_text(textwrap.dedent(module_source))
