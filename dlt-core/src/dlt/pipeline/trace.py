"""The run trace: the steps of the last run, their timing, results and errors.

`pipeline.last_trace` is saved in the working dir (`trace.json` for people and tools,
`trace.pickle` to restore the trace with its step infos in a new process).
"""

from __future__ import annotations

import logging
import pickle
import traceback
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson

logger = logging.getLogger("dlt")

TRACE_FILE = "trace.json"
TRACE_PICKLE = "trace.pickle"
#: how many steps a trace that collects separate step calls keeps (the newest ones)
MAX_MERGED_STEPS = 100


@dataclass
class StepTrace:
    """One step (extract, normalize, load, or the whole `run`) of a run."""

    step: str
    started_at: datetime
    finished_at: datetime | None = None
    info: Any = None
    error: str | None = None
    traceback: str | None = None

    @property
    def step_info(self) -> Any:
        """The step's `ExtractInfo` / `NormalizeInfo` / `LoadInfo` (dlt 1.31's name)."""
        return self.info

    @property
    def step_exception(self) -> str | None:
        """The error the step failed with, as text (dlt 1.31's name)."""
        return self.error

    def asdict(self) -> dict[str, Any]:
        """JSON-ready, secrets redacted."""
        from dlt.configuration.redaction import redact_data

        info = self.info.asdict() if hasattr(self.info, "asdict") else (
            self.info.__dict__ if hasattr(self.info, "__dict__") else self.info)
        return redact_data({"step": self.step, "started_at": self.started_at,
                            "finished_at": self.finished_at,
                            "step_info": info, "info": info, "step_exception": self.error,
                            "error": self.error, "traceback": self.traceback})

    def asstr(self, verbosity: int = 0) -> str:
        """The step as text, as `str()` gives it (dlt 1.31's method; `verbosity` is accepted
        for its signature, the text is the same)."""
        return str(self)

    def __str__(self) -> str:
        took = (self.finished_at - self.started_at).total_seconds() if self.finished_at else 0.0
        outcome = f"FAILED: {self.error}" if self.error else "COMPLETED"
        text = f"Step {self.step} {outcome} in {took:.2f} seconds."
        if self.info is not None and self.step != "run":
            text += "\n" + str(self.info)
        from dlt.configuration.redaction import redact

        return redact(text)


TRACE_ENGINE_VERSION = 1
"""The version of this dlt's trace format (`engine_version` in `PipelineTrace.asdict()`)."""


def execution_context() -> dict[str, Any]:
    """Where the pipeline ran, as dlt 1.31's trace says it: Python, CPUs, OS and the library."""
    import os
    import platform

    from dlt import __version__

    return {"python": platform.python_version(), "cpu": os.cpu_count(),
            "os": {"name": platform.system(), "version": platform.release()},
            "library": {"name": "dlt", "version": __version__}}


@dataclass
class PipelineTrace:
    """The steps of one `run()` (or of a single step call)."""

    pipeline_name: str
    started_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    steps: list[StepTrace] = field(default_factory=list)
    resolved_config: list[dict[str, Any]] = field(default_factory=list)
    finished_at: datetime | None = None
    transaction_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def _last(self, step: str) -> Any:
        for trace in reversed(self.steps):
            if trace.step == step:
                return trace.info
        return None

    @property
    def last_extract_info(self) -> Any:
        """The `ExtractInfo` of the last extract step."""
        return self._last("extract")

    @property
    def last_normalize_info(self) -> Any:
        """The `NormalizeInfo` of the last normalize step (`row_counts` per table)."""
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
            from dlt.configuration.redaction import redact, redact_exception

            redact_exception(error)
            trace.error = redact(f"{type(error).__name__}: {error}")
            trace.traceback = redact("".join(traceback.format_exception(error)))

    def asdict(self) -> dict[str, Any]:
        """JSON-ready; loadable with `pipeline.run([trace])`. As in dlt 1.31 the `run` step is
        left out (its info repeats the load step's). Secrets are redacted."""
        from dlt.configuration.redaction import redact_data

        return redact_data({"transaction_id": self.transaction_id, "pipeline_name": self.pipeline_name,
                "started_at": self.started_at, "finished_at": self.finished_at,
                "steps": [s.asdict() for s in self.steps if s.step != "run"],
                "resolved_config": self.resolved_config,
                "engine_version": TRACE_ENGINE_VERSION, "execution_context": execution_context()})

    def save(self, folder: Path) -> None:
        """Write the trace as JSON and as a pickle into `folder`, with secrets redacted."""
        from dlt.configuration.redaction import redact

        text = orjson.dumps(self.asdict(), default=str, option=orjson.OPT_INDENT_2).decode()
        (folder / TRACE_FILE).write_text(redact(text), encoding="utf-8")
        try:
            data = pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # an unpicklable value in a step info: keep the JSON only
            logger.debug("the trace of %s could not be pickled: %s", self.pipeline_name, exc)
            return
        temp = folder / (TRACE_PICKLE + ".tmp")
        temp.write_bytes(data)
        temp.replace(folder / TRACE_PICKLE)

    @staticmethod
    def load(folder: Path) -> PipelineTrace | None:
        """The trace saved in `folder` by an earlier process, or None."""
        path = folder / TRACE_PICKLE
        if not path.exists():
            return None
        try:
            trace = pickle.loads(path.read_bytes())
        except Exception as exc:
            logger.warning("The saved trace %s cannot be read (%s); it is rewritten on the next run.", path, exc)
            return None
        return trace if isinstance(trace, PipelineTrace) else None

    def asstr(self, verbosity: int = 0) -> str:
        """The run as text, as `str()` gives it (dlt 1.31's method; `verbosity` is accepted
        for its signature, the text is the same)."""
        return str(self)

    def __str__(self) -> str:
        took = ((self.finished_at or datetime.now(timezone.utc)) - self.started_at).total_seconds()
        failed = any(step.error for step in self.steps)
        outcome = "FAILED" if failed else "COMPLETED"
        lines = [f"Run started at {self.started_at} and {outcome} in {took:.2f} seconds with"
                 f" {len(self.steps)} steps."]
        lines += [str(step) for step in self.steps]
        from dlt.configuration.redaction import redact

        return redact("\n".join(lines))


def merge_traces(last: PipelineTrace | None, new: PipelineTrace) -> PipelineTrace:
    """The trace `pipeline.last_trace` shows after a traced call made `new`.

    As in dlt 1.31, a call that made one step (`extract()`, `normalize()` or `load()` on its
    own) adds that step to the last trace, so separate step calls read as one run; a `run()`
    (more than one step) starts a new trace. The merged trace is a new object: a trace taken
    earlier from `last_trace` keeps its steps.
    """
    if last is None or len(new.steps) > 1:
        return new
    return replace(last, steps=[*last.steps, *new.steps][-MAX_MERGED_STEPS:],
                   finished_at=new.finished_at, resolved_config=new.resolved_config)
