"""`PluginRecord`: what the loader knows about one entry point of the `dlt.plugins` group."""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from typing import Any, Literal

PluginStatus = Literal["ok", "blocked", "incompatible", "error"]


@dataclass
class PluginRecord:
    """One plugin as the loader saw it: where it comes from, what it provides, whether it works.

    `provides` maps a kind (`destination`, `source`, `config_provider`, `naming_convention`) to
    the names the plugin registered. `error` holds the exception that made the plugin unusable;
    using something the plugin would have provided re-raises it, chained.
    """

    name: str
    module: str
    distribution: str | None = None
    version: str | None = None
    builtin: bool = False
    hooks: list[str] = field(default_factory=list)
    provides: dict[str, list[str]] = field(default_factory=dict)
    status: PluginStatus = "ok"
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        """True when the plugin loaded and registered without error."""
        return self.status == "ok"

    def provided(self) -> list[str]:
        """What the plugin provides as `kind:name` strings, for listings."""
        return [f"{kind}:{name}" for kind, names in sorted(self.provides.items()) for name in names]

    def error_text(self) -> str | None:
        """The stored error as one line, or None."""
        if self.error is None:
            return None
        return f"{type(self.error).__name__}: {self.error}"

    def error_traceback(self) -> str | None:
        """The full traceback of the stored error, or None."""
        if self.error is None:
            return None
        return "".join(traceback.format_exception(self.error))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with the stable keys of `dlt plugins list --json`."""
        return {
            "name": self.name,
            "distribution": self.distribution,
            "version": self.version,
            "hooks": sorted(self.hooks),
            "provides": {kind: sorted(names) for kind, names in sorted(self.provides.items())},
            "status": self.status,
            "error": self.error_text(),
        }
