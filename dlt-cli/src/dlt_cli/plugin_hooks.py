"""The CLI's use of the plugin system: load the plugin manager, add the commands plugins register.

Each plugin's `register_commands` runs on its own, so one that raises (or adds a command typer
cannot build) is skipped with a warning naming it and the rest of the CLI keeps working.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from dlt_cli.errors import warn

if TYPE_CHECKING:
    from dlt.plugins import PluginManager


def load_plugin_manager() -> PluginManager | None:
    """The process-wide plugin manager of dlt-core, or None (with a warning) if it cannot load."""
    try:
        from dlt.plugins import get_plugin_manager

        return get_plugin_manager()
    except Exception as exc:  # the built-in commands must work even then
        warn(f"dlt plugins could not be loaded, plugin commands are missing: {exc}")
        return None


def register_plugin_commands(app: typer.Typer, manager: PluginManager) -> list[str]:
    """Call every plugin's `register_commands(app)`; return the names of plugins that failed."""
    failed: list[str] = []
    for impl in manager.hook.register_commands.get_hookimpls():
        commands_before = len(app.registered_commands)
        groups_before = len(app.registered_groups)
        try:
            impl.function(**{name: app for name in impl.argnames if name == "app"})
            typer.main.get_command(app)  # fails now, not at parse time, on a bad command
        except Exception as exc:
            del app.registered_commands[commands_before:]
            del app.registered_groups[groups_before:]
            failed.append(impl.plugin_name)
            record = manager.records.get(impl.plugin_name)
            origin = f" ({record.distribution} {record.version})" if record and record.distribution else ""
            warn(
                f"plugin '{impl.plugin_name}'{origin} failed to add its commands and is skipped:"
                f" {type(exc).__name__}: {exc}"
            )
    return failed
