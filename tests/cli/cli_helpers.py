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
    site: Path, distribution: str, plugin_name: str, module_source: str, version: str = "1.0",
    requires_core: str = "dlt-core>=0.1",
) -> None:
    """An installed-looking distribution (dist-info + module) with one `dlt.plugins` entry;
    `requires_core` is its `Requires-Dist` on dlt-core."""
    module = distribution.replace("-", "_")
    dist_info = site / f"{module}-{version}.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n"
        f"Requires-Dist: {requires_core}\n"
    )
    (dist_info / "entry_points.txt").write_text(f"[dlt.plugins]\n{plugin_name} = {module}\n")
    (site / f"{module}.py").write_text(textwrap.dedent(module_source))


#: environment variables that would reconfigure dlt in a test's subprocesses
DLT_ENV_PREFIXES = ("DLT_", "DESTINATION__", "SOURCES__", "RUNTIME__", "PIPELINE_", "PIPELINES__")


class Project:
    """A project directory with its own pipelines dir, where `dlt` and scripts run as a user's would.

    Both run in subprocesses with the directory as cwd, `DLT_PIPELINES_DIR` pointing at
    `pipelines_dir`, and no dlt configuration inherited from the environment of the tests.
    """

    def __init__(self, path: Path, pipelines_dir: Path, site: Path) -> None:
        self.path = path
        self.pipelines_dir = pipelines_dir
        self.site = site
        path.mkdir(parents=True, exist_ok=True)
        pipelines_dir.mkdir(parents=True, exist_ok=True)

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of the subprocesses."""
        import os

        environ = {k: v for k, v in os.environ.items() if not k.startswith(DLT_ENV_PREFIXES)}
        environ["PYTHONPATH"] = os.pathsep.join(
            [str(self.site), *filter(None, [os.environ.get("PYTHONPATH")])]
        )
        environ["COLUMNS"] = "250"
        environ["DLT_PIPELINES_DIR"] = str(self.pipelines_dir)
        environ["DLT_GLOBAL_DIR"] = str(self.path.parent / "global_dlt")
        environ.update(extra)
        return environ

    def dlt(self, *args: str, input: str | None = "", **env: str) -> subprocess.CompletedProcess[str]:
        """Run `dlt *args` in the project directory; `input` is its stdin."""
        return subprocess.run(
            [dlt_script(), *args], env=self.env(**env), cwd=self.path, capture_output=True,
            text=True, input=input, timeout=120,
        )

    def python(self, script: str, **env: str) -> subprocess.CompletedProcess[str]:
        """Run a script of the project with the tests' interpreter; fail the test if it fails."""
        result = subprocess.run(
            [sys.executable, script], env=self.env(**env), cwd=self.path, capture_output=True,
            text=True, timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result

    def write(self, name: str, text: str) -> Path:
        """Write a file of the project (dedented)."""
        path = self.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def run_pipeline_script(self, name: str, text: str, **env: str) -> subprocess.CompletedProcess[str]:
        """Write a pipeline script into the project and run it."""
        self.write(name, text)
        return self.python(name, **env)


#: a pipeline `shop` loading orders (with nested items) and customers into DuckDB
SHOP_PIPELINE = """
    import dlt


    @dlt.resource(primary_key="id", write_disposition="merge")
    def orders(since=dlt.sources.incremental("id", initial_value=0)):
        yield [
            {"id": 1, "customer": "ann", "items": [{"sku": "a", "qty": 1}, {"sku": "b", "qty": 2}]},
            {"id": 2, "customer": "bob", "items": [{"sku": "c", "qty": 3}]},
            {"id": 3, "customer": "ann", "items": []},
        ]


    @dlt.resource()
    def customers():
        yield [{"name": "ann"}, {"name": "bob"}]


    @dlt.source(name="shop")
    def shop():
        return [orders, customers]


    pipeline = dlt.pipeline("shop", destination="duckdb", dataset_name="shop_data")
    print(pipeline.run(shop()))
"""

#: a pipeline `failing` with one load job that the destination refuses (a CHECK constraint)
FAILING_PIPELINE = """
    import dlt

    pipeline = dlt.pipeline("failing", destination="duckdb", dataset_name="ds")
    pipeline.run([{"id": 1, "amount": 5}], table_name="checked")
    with pipeline.sql_client() as client:
        table = client.make_qualified_table_name("checked")
        client.execute_sql(f"DROP TABLE {table}")
        client.execute_sql(f"CREATE TABLE {table} (id BIGINT, amount BIGINT CHECK (amount > 0),"
                           " _dlt_load_id VARCHAR, _dlt_id VARCHAR)")
    try:
        pipeline.run([dlt.resource([{"id": 2, "amount": -1}], name="checked"),
                      dlt.resource([{"id": 9}], name="other")])
    except Exception as exc:
        print("failed as planned:", type(exc).__name__)
"""
