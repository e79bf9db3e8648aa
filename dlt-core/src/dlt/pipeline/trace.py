"""The run trace: the steps of the last run, their timing, results and errors."""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson


@dataclass
class StepTrace:
    """One step (extract, normalize or load) of a run."""

    step: str
    started_at: datetime
    finished_at: datetime | None = None
    info: Any = None
    error: str | None = None
    traceback: str | None = None

    def asdict(self) -> dict[str, Any]:
        """JSON-ready."""
        info = self.info.asdict() if hasattr(self.info, "asdict") else (
            self.info.__dict__ if hasattr(self.info, "__dict__") else self.info)
        return {"step": self.step, "started_at": self.started_at.isoformat(),
                "finished_at": self.finished_at.isoformat() if self.finished_at else None,
                "info": info, "error": self.error, "traceback": self.traceback}


@dataclass
class PipelineTrace:
    """The steps of one `run()` (or of a single step call)."""

    pipeline_name: str
    started_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    steps: list[StepTrace] = field(default_factory=list)
    resolved_config: list[dict[str, Any]] = field(default_factory=list)

    def _last(self, step: str) -> Any:
        for trace in reversed(self.steps):
            if trace.step == step:
                return trace.info
        return None

    @property
    def last_extract_info(self) -> Any:
        """The info of the last extract step."""
        return self._last("extract")

    @property
    def last_normalize_info(self) -> Any:
        """The info of the last normalize step (`row_counts` per table)."""
        return self._last("normalize")

    @property
    def last_load_info(self) -> Any:
        """The `LoadInfo` of the last load step."""
        return self._last("load")

    def start(self, step: str) -> StepTrace:
        """Record that a step started."""
        trace = StepTrace(step, datetime.now(timezone.utc))
        self.steps.append(trace)
        return trace

    @staticmethod
    def finish(trace: StepTrace, info: Any = None, error: BaseException | None = None) -> None:
        """Record the end of a step."""
        trace.finished_at = datetime.now(timezone.utc)
        trace.info = info
        if error is not None:
            trace.error = f"{type(error).__name__}: {error}"
            trace.traceback = "".join(traceback.format_exception(error))

    def asdict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"pipeline_name": self.pipeline_name, "started_at": self.started_at.isoformat(),
                "steps": [s.asdict() for s in self.steps], "resolved_config": self.resolved_config}

    def save(self, path: Path) -> None:
        """Write the trace as JSON, with secrets redacted."""
        from dlt.configuration.redaction import redact

        text = orjson.dumps(self.asdict(), default=str, option=orjson.OPT_INDENT_2).decode()
        path.write_text(redact(text), encoding="utf-8")

    def __str__(self) -> str:
        lines = [f"Run trace of pipeline {self.pipeline_name} started at {self.started_at.isoformat()}"]
        for step in self.steps:
            took = (step.finished_at - step.started_at).total_seconds() if step.finished_at else 0.0
            outcome = f"FAILED: {step.error}" if step.error else "COMPLETED"
            lines.append(f"  {step.step}: {outcome} in {took:.2f}s")
        return "\n".join(lines)
