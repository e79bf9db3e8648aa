"""`dlt.helpers.airflow_helper`: run a dlt pipeline as a group of Airflow tasks (dlt 1.31's API).

`PipelineTasksGroup` is an Airflow `TaskGroup`; `add_run()` adds the tasks that run one source
with one pipeline, either as a single task or decomposed into the groups of resources that can
be extracted apart (see `dlt_airflow.decompose`):

* `none`: one task runs the whole source.
* `serialize`: one task per group, one after the other, in declaration order.
* `parallel`: the first group runs first (it creates the schema in the destination), then the
  others side by side, all under the same pipeline name and so the same state.
* `parallel-isolated`: as `parallel`, but every task has its own pipeline name (and state),
  loading into the same dataset.

Every task starts from an empty local working folder; the pipeline state and schemas come back
from the destination, so tasks may run on any worker.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from tempfile import gettempdir
from typing import Any, Literal
from uuid import uuid4

from airflow.configuration import conf
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import BaseOperator, TaskGroup, get_current_context
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_exponential

import dlt
from dlt.extract.resource import DltResource
from dlt.extract.source import DltSource
from dlt.pipeline import registry
from dlt.pipeline.exceptions import PipelineStepFailed
from dlt.pipeline.helpers import retry_load
from dlt.utils.nesting import custom_environ
from dlt.schema.naming import SnakeCaseNamingConvention
from dlt_airflow.decompose import decompose_source

logger = logging.getLogger("dlt.airflow")

DECOMPOSE_MODES = ("none", "serialize", "parallel", "parallel-isolated")
#: the Composer data folder that `use_data_folder=True` uses when it exists
COMPOSER_DATA_FOLDER = "/home/airflow/gcs/data"

DEFAULT_RETRY_NO_RETRY = Retrying(stop=stop_after_attempt(1), reraise=True)
DEFAULT_RETRY_BACKOFF = Retrying(
    stop=stop_after_attempt(5), wait=wait_exponential(multiplier=1.5, min=4, max=10), reraise=True
)


def _drop_partial_extract(task_pipeline: Any, error: BaseException | None) -> None:
    """Before retrying a run whose extract failed, abort the package holding the items extracted
    before the error: the retry extracts everything again, so keeping it would load those items
    twice (or, as `run()` first finishes pending packages, load only them)."""
    if isinstance(error, PipelineStepFailed) and error.step == "extract":
        logger.info("Aborting the partially extracted package before the retry")
        task_pipeline.abort_packages()


class PipelineTasksGroup(TaskGroup):
    """An Airflow task group to which `add_run()` adds the tasks of dlt pipeline runs."""

    def __init__(
        self,
        pipeline_name: str,
        use_data_folder: bool = False,
        local_data_folder: str | None = None,
        use_task_logger: bool = True,
        log_progress_period: float = 30.0,
        buffer_max_items: int = 1000,
        retry_policy: Retrying = DEFAULT_RETRY_NO_RETRY,
        retry_pipeline_steps: Sequence[str] = ("load",),
        fail_task_if_any_job_failed: bool = True,
        abort_task_if_any_job_failed: bool | None = True,
        wipe_local_data: bool = True,
        save_load_info: bool = False,
        save_trace_info: bool = False,
        truncate_staging_destination: bool | None = None,
        **kwargs: Any,
    ) -> None:
        """Make the group `pipeline_name` and prepare this worker's dlt folders.

        Create it BEFORE the pipeline: it points dlt's project folder (`.dlt/`) at Airflow's
        dags folder and the pipelines folder at a fresh, unique folder under
        `local_data_folder` (default: the temp dir) or, with `use_data_folder` on Composer, its
        data folder. `retry_policy` (a tenacity `Retrying`) retries a run that failed in one of
        `retry_pipeline_steps`; Airflow's own `retries=` may be passed to `add_run()` too.
        `abort_task_if_any_job_failed` sets `load.raise_on_failed_jobs` for the run;
        `fail_task_if_any_job_failed` fails the task when the load info lists failed jobs.
        `save_load_info` / `save_trace_info` load the load info / trace into the tables
        `_load_info` / `_trace` of the same dataset. `wipe_local_data` removes the working
        folder after each task, success or failure. `log_progress_period > 0` turns on
        `progress="log"` for pipelines that have no progress set (dlt-core reports each
        second; the period is not adjustable). `use_task_logger` and `buffer_max_items` are
        accepted for dlt 1.31 compatibility: Airflow 3 captures dlt's logging in the task log
        either way, and dlt-core buffers extracted items by size on its own.
        `truncate_staging_destination` sets
        `destination.truncate_tables_on_staging_destination_before_load` (default: off for
        the parallel modes, unchanged otherwise). Other `kwargs` go to `TaskGroup`.
        """
        super().__init__(group_id=pipeline_name, **kwargs)
        self._used_names: dict[str, int] = {}
        self.use_task_logger = use_task_logger
        self.log_progress_period = log_progress_period
        self.buffer_max_items = buffer_max_items
        self.retry_policy = retry_policy
        self.retry_pipeline_steps = tuple(retry_pipeline_steps)
        self.fail_task_if_any_job_failed = fail_task_if_any_job_failed
        self.abort_task_if_any_job_failed = abort_task_if_any_job_failed
        self.wipe_local_data = wipe_local_data
        self.save_load_info = save_load_info
        self.save_trace_info = save_trace_info
        self.truncate_staging_destination = truncate_staging_destination

        os.environ["DLT_PROJECT_DIR"] = conf.get("core", "dags_folder")
        if use_data_folder and os.path.exists(COMPOSER_DATA_FOLDER):
            base = COMPOSER_DATA_FOLDER
        else:
            base = local_data_folder or gettempdir()
        self.data_dir = os.path.join(base, f"dlt_{uuid4().hex[:8]}")
        os.environ["DLT_DATA_DIR"] = self.data_dir
        os.environ["DLT_LOCAL_DIR"] = self.data_dir
        os.environ["DLT_PIPELINES_DIR"] = os.path.join(self.data_dir, "pipelines")
        # the .dlt folder moved: read config and secrets again from the dags folder
        from dlt.configuration.resolve import reset_resolver

        reset_resolver()

    # -- task names ---------------------------------------------------------------------------

    def _task_name(self, pipeline: Any, data: Any) -> str:
        """`<source>_<resource>-<resource>...` for a source (numbered when repeated), else the
        pipeline name."""
        if not isinstance(data, DltSource):
            return pipeline.pipeline_name
        names = list(data.selected_resources)
        name = data.name + "_" + "-".join(names[:4])
        if len(names) > 4:
            name += f"-{len(names) - 4}-more"
        count = self._used_names.get(name, 0)
        self._used_names[name] = count + 1
        return f"{name}-{count + 1}" if count else name

    def _truncate_staging(self, decompose: str) -> bool | None:
        if self.truncate_staging_destination is not None:
            return self.truncate_staging_destination
        return False if decompose in ("parallel", "parallel-isolated") else None

    # -- the task body ------------------------------------------------------------------------

    def _fresh_pipeline(self, pipeline: Any, pipeline_name: str | None) -> Any:
        """An empty-working-folder copy of `pipeline`, under `pipeline_name` when given; state and
        schemas are restored from the destination on its first run."""
        if not pipeline_name or pipeline_name == pipeline.pipeline_name:
            return pipeline.drop()
        working_dir = Path(pipeline.pipelines_dir) / pipeline_name
        shutil.rmtree(working_dir, ignore_errors=True)
        derived = dlt.pipeline(
            pipeline_name=pipeline_name, pipelines_dir=str(pipeline.pipelines_dir),
            destination=pipeline.destination, dataset_name=pipeline.dataset_name,
            progress=pipeline.progress, loader_file_format=pipeline.loader_file_format,
        )
        return derived

    def _run_config(self, truncate_staging: bool | None) -> dict[str, str]:
        values: dict[str, str] = {}
        if self.abort_task_if_any_job_failed is not None:
            values["LOAD__RAISE_ON_FAILED_JOBS"] = str(self.abort_task_if_any_job_failed).lower()
        if truncate_staging is not None:
            values["DESTINATION__TRUNCATE_TABLES_ON_STAGING_DESTINATION_BEFORE_LOAD"] = (
                str(truncate_staging).lower())
        return values

    def _run(
        self,
        pipeline: Any,
        data: Any,
        table_name: str | None = None,
        write_disposition: Any = None,
        loader_file_format: str | None = None,
        schema_contract: Any = None,
        pipeline_name: str | None = None,
        on_before_run: Callable[[], None] | None = None,
        truncate_staging_destination: bool | None = None,
    ) -> None:
        """Run `data` with a fresh copy of `pipeline` inside an Airflow task."""
        registry.remember(pipeline)
        task_pipeline = self._fresh_pipeline(pipeline, pipeline_name)
        if self.log_progress_period > 0 and not task_pipeline.progress:
            task_pipeline.progress = "log"
        logger.info("Pipeline %s works in %s", task_pipeline.pipeline_name, task_pipeline.working_dir)

        def before_retry(state: RetryCallState) -> None:
            if state.outcome is not None and state.outcome.failed and not state.retry_object.stop(state):
                logger.error("Retrying the pipeline run after: %s", state.outcome.exception())
                _drop_partial_extract(task_pipeline, state.outcome.exception())

        try:
            with custom_environ(self._run_config(truncate_staging_destination)):
                if on_before_run is not None:
                    on_before_run()
                if callable(data) and not isinstance(data, (DltSource, DltResource)):
                    data = data()
                for attempt in self.retry_policy.copy(
                    retry=retry_if_exception(retry_load(self.retry_pipeline_steps)), after=before_retry
                ):
                    with attempt:
                        logger.info("Running the pipeline, attempt %s", attempt.retry_state.attempt_number)
                        load_info = task_pipeline.run(
                            data, table_name=table_name, write_disposition=write_disposition,
                            loader_file_format=loader_file_format, schema_contract=schema_contract,
                        )
                        logger.info("%s", load_info)
                        if self.fail_task_if_any_job_failed:
                            load_info.raise_on_failed_jobs()
                        self._save_run_info(task_pipeline, load_info, loader_file_format)
        finally:
            if self.wipe_local_data:
                logger.info("Removing folder %s", task_pipeline.working_dir)
                shutil.rmtree(task_pipeline.working_dir, ignore_errors=True)

    def _save_run_info(self, task_pipeline: Any, load_info: Any, loader_file_format: str | None) -> None:
        """Load the load info and the trace into `_load_info` / `_trace` when asked."""
        if self.save_load_info:
            logger.info("Saving the load info in the destination")
            task_pipeline.run([load_info.asdict()], table_name="_load_info",
                              loader_file_format=loader_file_format)
        if self.save_trace_info and task_pipeline.last_trace is not None:
            logger.info("Saving the trace in the destination")
            task_pipeline.run([task_pipeline.last_trace.asdict()], table_name="_trace",
                              loader_file_format=loader_file_format)

    # -- building tasks -----------------------------------------------------------------------

    def _make_task(self, pipeline: Any, data: Any, run_args: dict[str, Any], operator_kwargs: dict[str, Any],
                   pipeline_name: str | None = None, task_id: str | None = None) -> PythonOperator:
        body = functools.partial(self._run, pipeline, data, pipeline_name=pipeline_name, **run_args)
        return PythonOperator(task_id=task_id or self._task_name(pipeline, data),
                              python_callable=body, **operator_kwargs)

    def run(self, pipeline: Any, data: Any, table_name: str | None = None, write_disposition: Any = None,
            loader_file_format: str | None = None, schema_contract: Any = None,
            pipeline_name: str | None = None, on_before_run: Callable[[], None] | None = None,
            **kwargs: Any) -> PythonOperator:
        """One task that runs `data` with `pipeline` (under `pipeline_name` when given);
        `kwargs` go to the `PythonOperator`. A plain callable `data` is called in the task."""
        run_args = dict(table_name=table_name, write_disposition=write_disposition,
                        loader_file_format=loader_file_format, schema_contract=schema_contract,
                        on_before_run=on_before_run,
                        truncate_staging_destination=self._truncate_staging("none"))
        return self._make_task(pipeline, data, run_args, kwargs, pipeline_name)

    def add_run(
        self,
        pipeline: Any,
        data: Any,
        *,
        decompose: Literal["none", "serialize", "parallel", "parallel-isolated"] = "none",
        serialize_first_task: bool = True,
        table_name: str | None = None,
        write_disposition: Any = None,
        loader_file_format: str | None = None,
        schema_contract: Any = None,
        pipeline_name: str | None = None,
        on_before_run: Callable[[], None] | None = None,
        **kwargs: Any,
    ) -> list[BaseOperator]:
        """Add the tasks that run `data` with `pipeline`; returns them in creation order.

        `decompose` is `none`, `serialize`, `parallel` or `parallel-isolated` (see the module
        doc); the three decomposing modes need a source and a pipeline without `dev_mode`.
        With `serialize_first_task=False` the parallel modes start every group at once from an
        empty `<task>_start` task. `pipeline_name` names the pipeline of the `none` task.
        `kwargs` (`retries=`, `retry_delay=`, `pool=`, ...) go to every `PythonOperator`.
        """
        pipelines_dir = str(pipeline.pipelines_dir)
        if not pipelines_dir.startswith(self.data_dir):
            raise ValueError(
                f"Pipeline {pipeline.pipeline_name} has pipelines_dir set to '{pipelines_dir}' but a"
                f" fresh random working directory under '{self.data_dir}' is expected. Instantiate"
                " PipelineTasksGroup BEFORE creating the Pipeline so dlt.pipeline() picks up the"
                " per-worker random working directory that PipelineTasksGroup sets."
            )
        if decompose not in DECOMPOSE_MODES:
            raise ValueError(
                f"decompose='{decompose}' is not a decomposition mode; use one of"
                f" {', '.join(DECOMPOSE_MODES)}."
            )
        run_args = dict(table_name=table_name, write_disposition=write_disposition,
                        loader_file_format=loader_file_format, schema_contract=schema_contract,
                        on_before_run=on_before_run,
                        truncate_staging_destination=self._truncate_staging(decompose))
        with self:
            if decompose == "none":
                return [self._make_task(pipeline, data, run_args, kwargs, pipeline_name)]
            if not isinstance(data, DltSource):
                raise ValueError(
                    f"decompose='{decompose}' splits a dlt source into tasks, but got"
                    f" {type(data).__name__}. Pass a source (a function decorated with"
                    " @dlt.source, called) or use decompose='none'."
                )
            if pipeline.dev_mode:
                raise ValueError(
                    f"Cannot decompose pipeline {pipeline.pipeline_name} with dev_mode=True: every"
                    " task would load into a dataset of its own. Turn dev_mode off."
                )
            groups = decompose_source(data)
            if decompose == "serialize":
                tasks: list[BaseOperator] = [self._make_task(pipeline, group, run_args, kwargs)
                                             for group in groups]
                for before, after in zip(tasks, tasks[1:]):
                    before >> after
                return tasks
            return self._add_parallel(pipeline, data, groups, run_args, kwargs,
                                      isolated=decompose == "parallel-isolated",
                                      serialize_first_task=serialize_first_task)

    def _add_parallel(self, pipeline: Any, data: Any, groups: list[Any], run_args: dict[str, Any],
                      kwargs: dict[str, Any], *, isolated: bool, serialize_first_task: bool,
                      ) -> list[BaseOperator]:
        """start >> [one task per group] >> end; with `isolated` each task has its own pipeline
        name (its task name in snake case)."""
        group_name = self._task_name(pipeline, data)

        def task_for(group: Any) -> PythonOperator:
            task_id = self._task_name(pipeline, group)
            name = SnakeCaseNamingConvention().normalize_identifier(task_id) if isolated else None
            return self._make_task(pipeline, group, run_args, kwargs, name, task_id)

        if serialize_first_task and groups:
            start: BaseOperator = task_for(groups[0])
            rest = groups[1:]
        else:
            start = EmptyOperator(task_id=f"{group_name}_start")
            rest = groups
        if not isolated:
            for group in rest:
                incremental = [r.name for r in group.selected_resources.values()
                               if getattr(r, "incremental", None) is not None]
                if incremental:
                    logger.warning(
                        "Resources %s keep incremental state and run in parallel under one"
                        " pipeline name: the state written by one task may be lost. Use"
                        " decompose='serialize' or 'parallel-isolated' for them.", incremental)
        tasks = [task_for(group) for group in rest]
        end = EmptyOperator(task_id=f"{group_name}_end")
        if tasks:
            start >> tasks >> end
        else:
            start >> end
        return [start, *tasks, end]


def airflow_get_execution_dates() -> tuple[Any, Any]:
    """The data interval (start, end) of the running Airflow task, or (None, None) outside one."""
    try:
        context = get_current_context()
        return context["data_interval_start"], context["data_interval_end"]
    except Exception:
        return None, None
