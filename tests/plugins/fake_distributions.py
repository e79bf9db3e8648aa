"""Fake installed distributions for plugin tests, made without pip.

A fake distribution is a folder holding `<name>-<version>.dist-info/` (METADATA and
entry_points.txt) next to its module; putting the folder on `PYTHONPATH` of a subprocess makes
`importlib.metadata` see it as installed, so the real entry-point loader of dlt picks it up.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any


def write_fake_distribution(
    site: Path,
    distribution: str,
    plugin_name: str,
    module_source: str,
    *,
    version: str = "1.0",
    requires: tuple[str, ...] = ("dlt-core>=0.1",),
) -> Path:
    """Write distribution `distribution` with one `dlt.plugins` entry point into folder `site`."""
    module = distribution.replace("-", "_")
    dist_info = site / f"{module}-{version}.dist-info"
    dist_info.mkdir(parents=True)
    metadata = [
        "Metadata-Version: 2.1",
        f"Name: {distribution}",
        f"Version: {version}",
        *(f"Requires-Dist: {requirement}" for requirement in requires),
    ]
    (dist_info / "METADATA").write_text("\n".join(metadata) + "\n")
    (dist_info / "entry_points.txt").write_text(f"[dlt.plugins]\n{plugin_name} = {module}\n")
    (site / f"{module}.py").write_text(textwrap.dedent(module_source))
    return site


def run_python(code: str, site: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh interpreter with `site` on PYTHONPATH and extra environment `env`."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DLT_")}
    if site is not None:
        environ["PYTHONPATH"] = os.pathsep.join(
            [str(site), *filter(None, [environ.get("PYTHONPATH")])]
        )
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def run_json(code: str, site: Path | None = None, **env: str) -> Any:
    """Run `code`, which prints one JSON document last, and return that document."""
    result = run_python(code, site, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


#: prints the plugin records of the process-wide manager as JSON
PRINT_RECORDS = """
    import json
    import dlt
    from dlt.plugins import get_plugin_manager

    print(json.dumps({n: r.to_dict() for n, r in get_plugin_manager().records.items()}))
"""


def resolve_destination_code(name: str) -> str:
    """Code that resolves `dlt.destinations.<name>` and prints the error (and its cause) as JSON."""
    return f"""
        import json
        import dlt

        try:
            getattr(dlt.destinations, {name!r})
        except Exception as exc:
            cause = exc.__cause__
            print(json.dumps({{
                "type": type(exc).__name__,
                "message": str(exc),
                "cause": None if cause is None else f"{{type(cause).__name__}}: {{cause}}",
            }}))
        else:
            print(json.dumps(None))
    """
