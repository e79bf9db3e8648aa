"""`dlt.pipeline(progress=...)`: live counts per table during extract, normalize and load."""

from __future__ import annotations

import io
import logging
import os
import re
import subprocess
import sys
import time

import pytest

import dlt
from dlt.collectors.rows import CollectorRowCounter
from dlt.common.runtime.collector import DictCollector, LogCollector
from dlt.utils.exceptions import MissingDependencyException


class TimedStream(io.StringIO):
    """A text stream that remembers when each write arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[tuple[float, str]] = []

    def write(self, text: str) -> int:
        self.writes.append((time.monotonic(), text))
        return super().write(text)


def blocks_of(stream: TimedStream, step: str) -> list[tuple[float, str]]:
    """The (time, text) of every block of counters written during the step named `step`."""
    return [(at, text) for at, text in stream.writes if text.lstrip("-").startswith(f" {step}")]


def counts_in(text: str, counter: str) -> list[int]:
    return [int(n) for n in re.findall(rf"^{counter}: (\d+)", text, flags=re.M)]


def test_progress_log_shows_growing_counts_of_a_slow_normalize_at_most_two_seconds_apart(
        dlt_plugin_manager):
    class SlowRows:
        # normalize hands rows on in slices of 500: 16 slices of 0.3 s, a 4.8 s step
        @dlt.hookimpl
        def on_normalize_rows(self, table_name, rows):
            time.sleep(0.3)

    dlt_plugin_manager.register_plugin(SlowRows(), "slow_rows")
    stream = TimedStream()
    pipeline = dlt.pipeline("slow_normalize", destination="duckdb",
                            progress=dlt.progress.log(log_period=1.0, logger=stream))
    pipeline.run([{"id": i} for i in range(8_000)], table_name="numbers")

    blocks = blocks_of(stream, "Normalize")
    times = [at for at, _ in blocks]
    assert times[-1] - times[0] > 3.5, blocks
    assert max(b - a for a, b in zip(times, times[1:])) <= 2.0
    counts = [n for _, text in blocks for n in counts_in(text, "numbers")]
    assert counts == sorted(counts) and len(set(counts)) >= 3, counts  # counts grow during the step
    assert counts[-1] == 8_000
    assert "Jobs: 2/2 (100.0%)" in blocks_of(stream, "Load")[-1][1]


def test_progress_log_writes_while_a_resource_waits_and_counts_it_per_table():
    @dlt.resource
    def waits():
        yield {"id": 1}
        time.sleep(3.0)
        yield {"id": 2}

    stream = TimedStream()
    pipeline = dlt.pipeline("waiting", destination="duckdb",
                            progress=dlt.progress.log(log_period=1.0, logger=stream))
    pipeline.run([waits(), dlt.resource([{"x": 1}] * 7, name="quick")])

    blocks = blocks_of(stream, "Extract")
    times = [at for at, _ in blocks]
    assert len(blocks) >= 3 and max(b - a for a, b in zip(times, times[1:])) <= 2.0
    assert counts_in(blocks[1][1], "waits") == [1]  # during the wait
    last = blocks[-1][1]
    assert counts_in(last, "waits") == [2] and counts_in(last, "quick") == [7]


def test_progress_log_writes_each_block_once_for_a_step_shorter_than_its_period():
    stream = TimedStream()
    pipeline = dlt.pipeline("short", destination="duckdb",
                            progress=dlt.progress.log(log_period=60, logger=stream))
    pipeline.run([{"i": i} for i in range(50)], table_name="numbers")

    headers = [line for line in stream.getvalue().splitlines() if line.startswith("---")]
    assert len(headers) == 3, headers  # extract, normalize, load: one block each
    assert re.search(r"^numbers: 50 \| Time: [\d.]+s \| Rate: [\d.]+/s$", stream.getvalue(), re.M)


def test_progress_log_goes_to_stdout_by_default(capsys):
    dlt.pipeline("to_stdout", destination="duckdb", progress="log").run([{"a": 1}], table_name="t")

    out = capsys.readouterr().out
    assert "Extract to_stdout" in out and "t: 1 |" in out and "Jobs: 2/2" in out


def test_progress_to_the_dlt_logger_shows_at_the_default_log_level(tmp_path):
    # a process of its own: dlt's handler is set up once per process, at the default level
    # it writes warnings only, and progress lines (asked for) pass it
    script = tmp_path / "to_logger.py"
    script.write_text(
        "import dlt\n"
        "progress = dlt.progress.log(log_period=60, logger='dlt_logger')\n"
        "dlt.pipeline('to_logger', destination='duckdb', progress=progress)"
        ".run([{'a': 1}], table_name='t')\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RUNTIME__", "PROGRESS"))}
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120, env=env)

    assert result.returncode == 0, result.stderr
    assert result.stderr.count("|INFO|dlt.progress|") == 3, result.stderr
    assert "t: 1 |" in result.stderr and "|INFO|dlt|" not in result.stderr


def test_progress_log_to_a_logger_object(caplog):
    caplog.set_level(logging.INFO, logger="my_app")
    collector = dlt.progress.log(log_period=60, logger=logging.getLogger("my_app"),
                                 log_level=logging.WARNING)
    dlt.pipeline("to_my_logger", destination="duckdb", progress=collector).run([{"a": 1}], table_name="t")

    records = [r for r in caplog.records if r.name == "my_app"]
    assert len(records) == 3 and all(r.levelno == logging.WARNING for r in records)
    assert "t: 1 |" in records[0].getMessage()


def test_progress_tqdm_draws_bars_per_table_on_the_given_stream():
    pytest.importorskip("tqdm", reason="the tqdm extra of dlt-core is not installed here")
    stream = io.StringIO()
    pipeline = dlt.pipeline("bars", destination="duckdb", progress=dlt.progress.tqdm(file=stream))
    pipeline.run([dlt.resource([{"i": i} for i in range(30)], name="numbers"),
                  dlt.resource([{"w": "x"}] * 4, name="words")])

    text = stream.getvalue()
    assert re.search(r"Extract bars: numbers: .*30", text), text
    assert re.search(r"words: .*4", text)
    assert re.search(r"Normalize bars in \d+\.\d+: numbers", text)
    assert re.search(r"Load bars in \d+\.\d+: Jobs: 100%.*3/3", text)


@pytest.mark.parametrize(("name", "module", "extra"), [
    ("tqdm", "tqdm", "dlt-core[tqdm]"),
    ("enlighten", "enlighten", "dlt-core[enlighten]"),
    ("alive_progress", "alive_progress", "dlt-core[alive-progress]"),
])
def test_a_progress_bar_library_that_is_not_installed_names_its_extra(monkeypatch, name, module, extra):
    monkeypatch.setitem(sys.modules, module, None)  # what Python does for a module that is absent

    with pytest.raises(MissingDependencyException) as missing:
        dlt.pipeline("no_bars", destination="duckdb", progress=name)

    assert isinstance(missing.value, ImportError)
    assert f'pip install "{extra}"' in str(missing.value)


def test_an_unknown_progress_name_lists_the_known_ones():
    with pytest.raises(ValueError, match="'log', 'tqdm', 'enlighten', 'alive_progress'"):
        dlt.pipeline("bad_progress", destination="duckdb", progress="bar")


def test_progress_from_configuration_wins_over_code(monkeypatch, capsys):
    monkeypatch.setenv("PROGRESS", "log")
    dlt.pipeline("configured", destination="duckdb").run([{"a": 1}], table_name="t")

    assert "Extract configured" in capsys.readouterr().out


def test_normalize_workers_report_their_rows_while_they_run(monkeypatch):
    monkeypatch.setenv("NORMALIZE__WORKERS", "2")
    monkeypatch.setenv("NORMALIZE__PARALLEL_MIN_BYTES", "1")
    monkeypatch.setenv("EXTRACT__ITEMS_PER_FILE", "20000")
    reports: list[tuple[int, dict[str, int]]] = []

    class RecordingCounter(CollectorRowCounter):
        def set_worker_counts(self, index, counts):
            reports.append((index, dict(counts)))
            super().set_worker_counts(index, counts)

    totals: dict[str, int] = {}

    class Totals(DictCollector):
        def _stop(self):
            for name, count in (self.counters or {}).items():
                totals[name] = totals.get(name, 0) + count
            super()._stop()

    collector = Totals()
    pipeline = dlt.pipeline("worker_progress", destination="duckdb", progress=collector)
    monkeypatch.setattr(pipeline, "_row_counter", lambda: RecordingCounter(collector, period=0.05))
    # a tuple keeps the pages pickled: pages stored by Arrow are normalized in one process
    rows = ({"id": i, "name": f"row {i}", "value": i * 0.5, "pair": (i, i)} for i in range(80_000))
    pipeline.extract(rows, table_name="numbers")
    totals.clear()
    pipeline.normalize()

    assert totals["numbers"] == 80_000
    worker_reports = [counts.get("numbers", 0) for index, counts in reports if index == 1]
    assert len(worker_reports) >= 2, reports  # running totals, not only the final one
    assert worker_reports == sorted(worker_reports) and 0 < worker_reports[-1] < 80_000


def test_log_collector_counts_with_totals_and_labels():
    stream = io.StringIO()
    collector = LogCollector(log_period=100, logger=stream)
    with collector("Load x"):
        collector.update("Jobs", 0, total=4)
        collector.update("Jobs", 3)
        collector.update("items", 1, label="jobs")

    text = stream.getvalue()
    assert "Jobs: 3/4 (75.0%)" in text and "items (jobs): 1" in text
    assert text.count("Load x") == 1


def test_system_stats_without_psutil_warn_how_to_install_it_and_the_lines_go_on(monkeypatch):
    monkeypatch.setitem(sys.modules, "psutil", None)
    stream = io.StringIO()

    with pytest.warns(UserWarning, match=r'pip install "dlt-core\[psutil\]"'):
        collector = LogCollector(logger=stream, dump_system_stats=True)
    with collector("Extract x"):
        collector.update("items", 2)

    assert "items: 2 |" in stream.getvalue() and "Memory" not in stream.getvalue()
