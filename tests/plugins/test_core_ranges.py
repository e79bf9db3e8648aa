"""Compatibility from the plugins' side: every first-party plugin and both example plugins declare
a bounded dlt-core range (their `Requires-Dist`), and the dlt-core of this repository is in it."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

tomllib = pytest.importorskip("tomllib", reason="reading pyproject.toml needs tomllib (Python 3.11+)")

REPO = Path(__file__).parents[2]
PLUGIN_PROJECTS = sorted(
    [*REPO.glob("dlt-destination-*/pyproject.toml"), *REPO.glob("dlt-source-*/pyproject.toml"),
     *REPO.glob("tests/plugins/*/pyproject.toml")])


def test_every_plugin_distribution_is_found() -> None:
    names = {path.parent.name for path in PLUGIN_PROJECTS}
    assert {"dlt-destination-bigquery", "example-plugin", "sqlite-destination"} <= names


@pytest.mark.parametrize("project", PLUGIN_PROJECTS, ids=lambda p: p.parent.name)
def test_plugin_declares_a_bounded_dlt_core_range_holding_this_core(project: Path) -> None:
    dependencies = tomllib.loads(project.read_text())["project"]["dependencies"]
    (core,) = [Requirement(d) for d in dependencies if Requirement(d).name == "dlt-core"]
    operators = {spec.operator for spec in core.specifier}
    assert operators & {">=", ">", "~="} and operators & {"<", "<=", "~="}, (
        f"{project.parent.name}: dlt-core{core.specifier} needs a lower and an upper bound")
    assert core.specifier.contains(Version(version("dlt-core")))
