"""`pipeline.runtime_config`: the `[runtime]` settings scripts written for dlt 1.31 read, e.g.
`send_slack_message(pipeline.runtime_config.slack_incoming_hook, ...)`.

Each value is looked up when the property is read, in the pipeline's own section first
(`[<pipeline_name>.runtime]`), then in `[runtime]` (`RUNTIME__SLACK_INCOMING_HOOK`, ...).
"""

from __future__ import annotations

from dataclasses import dataclass

from dlt.configuration.resolve import get_resolver


@dataclass(frozen=True)
class RuntimeConfiguration:
    """The runtime settings of one pipeline (None where nothing is configured)."""

    pipeline_name: str
    slack_incoming_hook: str | None = None
    """A Slack incoming webhook URL (a secret: keep it in secrets.toml or the environment)."""
    log_level: str = "WARNING"
    dlthub_telemetry: bool = False
    """Always False here: this dlt sends no telemetry."""

    def __repr__(self) -> str:
        hook = "***" if self.slack_incoming_hook else None
        return (f"RuntimeConfiguration(pipeline_name={self.pipeline_name!r}, slack_incoming_hook={hook!r},"
                f" log_level={self.log_level!r}, dlthub_telemetry=False)")


def runtime_configuration(pipeline_name: str) -> RuntimeConfiguration:
    """The runtime settings configured for the pipeline `pipeline_name`."""
    resolver = get_resolver()

    def value(key: str, secret: bool = False) -> str | None:
        hit, _ = resolver.find([("runtime", key)], secret=secret, pipeline_name=pipeline_name)
        return None if hit is None or hit[0] is None else str(hit[0])

    return RuntimeConfiguration(
        pipeline_name=pipeline_name,
        slack_incoming_hook=value("slack_incoming_hook", secret=True),
        log_level=(value("log_level") or "WARNING").upper(),
    )
