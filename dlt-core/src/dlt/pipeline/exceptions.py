"""Errors of pipelines and their steps."""

from __future__ import annotations

from typing import Any

from dlt.utils.exceptions import DltException


class PipelineException(DltException):
    """Base of pipeline errors."""


class InvalidPipelineName(PipelineException, ValueError):
    """A pipeline name that cannot be a folder name and identifier."""


class CannotRestorePipelineException(PipelineException):
    """`dlt.attach` found no pipeline with that name."""


class PipelineNotActive(PipelineException):
    """`pipeline.deactivate()` on a pipeline that is not the active one."""


class PipelineConfigMissing(PipelineException):
    """A step needs a setting (a destination, a dataset) the pipeline does not have."""


class UnsupportedFileFormat(PipelineException, ValueError):
    """A `loader_file_format` that the destination cannot load."""


class PipelineStepFailed(PipelineException):
    """A step (extract, normalize, load) failed; the original error is chained as `exception`."""

    def __init__(self, pipeline_name: str, step: str, exception: BaseException,
                 load_id: str | None = None, step_info: Any = None, *,
                 package_kept: bool | None = True) -> None:
        """`package_kept=False` says an extract kept no package (nothing was extracted, or a
        contract rejected the data), so the message does not promise one; `None` says nothing
        about packages (an error outside the evaluation of a source)."""
        self.pipeline_name = pipeline_name
        self.step = step
        self.exception = exception
        self.load_id = load_id
        self.step_info = step_info
        where = f" (load package {load_id})" if load_id else ""
        keep = {
            "extract": " Items extracted before the error were kept as a pending load package.",
            "normalize": " The package stays pending: fix the cause and run again, or give it up"
                         " with pipeline.abort_packages().",
            "load": " The package stays pending and the next run retries it; give it up with"
                    " pipeline.abort_packages().",
        }.get(step, "")
        if step == "extract" and package_kept is None:
            keep = ""
        elif step == "extract" and not package_kept:
            keep = " No load package was kept: nothing was extracted before the error."
            where = ""
        if step == "load" and getattr(exception, "failed_message", None) is not None:
            # a job error names what happens to its package itself (queued for retry, aborted)
            keep = ""
        from dlt.configuration.redaction import redact, redact_exception

        redact_exception(exception)  # every error of the chain prints in a traceback
        super().__init__(redact(
            f"Pipeline {pipeline_name} failed at step {step}{where}:"
            f" {type(exception).__name__}: {str(exception).rstrip('.')}.{keep}"
        ))


class SourceSectionNotAvailable(PipelineException):
    """State was asked for (`dlt.current.source_state()`, `state()`, `resource_state()`)
    outside the code of a source or resource, without naming the source (dlt 1.31's name)."""

    def __init__(self) -> None:
        super().__init__(
            "Access to state was requested without source section active. State should be"
            " requested from within the `@dlt.source` and `@dlt.resource` decorated function,"
            " or name the source: dlt.current.source_state('<source name>')."
        )


class PipelineStateNotAvailable(PipelineException):
    """Source state was asked for while no pipeline exists to keep it (dlt 1.31's name)."""

    def __init__(self, source_state_key: str | None = None) -> None:
        self.source_state_key = source_state_key
        who = f"The source `{source_state_key}`" if source_state_key else "The code"
        super().__init__(
            f"{who} requested the access to pipeline state but no pipeline is active right now."
            " Create one with dlt.pipeline(...) before using the state."
        )


class ResourceNameNotAvailable(PipelineException):
    """`dlt.current.resource_name()` or `resource_state()` outside a resource's code
    (dlt 1.31's name)."""

    def __init__(self) -> None:
        super().__init__(
            "A resource state was requested but no active extract pipe context was found. Resource"
            " state may be only requested from `@dlt.resource` decorated function or with explicit"
            " resource name."
        )
