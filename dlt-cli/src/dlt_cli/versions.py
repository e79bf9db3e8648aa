"""The text of `dlt --version`: dlt-core, dlt-cli and every plugin's distribution and version."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dlt_cli.version import __version__ as cli_version

if TYPE_CHECKING:
    from dlt.plugins import PluginManager


def version_text(manager: PluginManager | None) -> str:
    """Lines naming each distribution with its version; plugins that did not load say why."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        core_version = version("dlt-core")
    except PackageNotFoundError:
        core_version = "not installed"
    lines = [f"dlt-core {core_version}", f"dlt-cli {cli_version}"]
    if manager is None:
        return "\n".join(lines)
    lines.append("plugins:")
    for record in sorted(manager.records.values(), key=lambda r: r.name):
        distribution = record.distribution or "(not from a distribution)"
        status = "" if record.ok else f" [{record.status}]"
        lines.append(f"  {record.name}: {distribution} {record.version or 'unknown'}{status}")
    return "\n".join(lines)
