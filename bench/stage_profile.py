"""Where ours spends its time, per stage, measured with py-spy (a sampling profiler).

    python bench/stage_profile.py flat 1000000
    python bench/stage_profile.py nested 200000 --workers 1
    python bench/stage_profile.py general 20000 --raw /tmp/general.txt   # keep py-spy's raw samples

Runs one measured run of ours (`bench/child.py`, the same process as in `run.py`, data built in
memory first unless `--mode memory`) under `py-spy record -f raw -r RATE --subprocesses`, so the
normalize worker processes are sampled too, and prints as Markdown:

- per stage (extract, normalize, load): the wall seconds the run timed, and the sampled CPU
  seconds of the main process and of the worker processes. A main-process sample belongs to the
  stage whose frame `Pipeline.extract` / `Pipeline.normalize` / `Pipeline.load`
  (dlt/pipeline/pipeline.py) is on its stack; a sample of a child process (a normalize worker,
  including its start-up) belongs to normalize, except multiprocessing's resource tracker.
- per stage, the functions with the most self time (at least `--min-share`, default 2%, of the
  stage's samples), each with the innermost dlt frame that called it.

A sample of another thread of the main process (no `Pipeline.*` frame on its stack) belongs to
the stage of the first dlt package on its stack (`dlt/extract`, `dlt/normalize`, `dlt/load` or
`dlt/destinations`); the harness's own RSS sampler thread and everything else (building the
data, imports, counting the rows afterwards) are listed apart.

py-spy counts only samples of threads that are running (not waiting), so time a thread spends
blocked (the main process waiting for normalize workers, or for DuckDB's own threads) shows in
the wall seconds but not in the sampled ones; `--idle` counts waiting samples too. It needs
`pip install py-spy` in the interpreter running this script or on PATH, and ptrace permission.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

STAGES = ("extract", "normalize", "load")
OUTSIDE = "outside the stages"
OTHER_PROCESSES = "other processes"
HARNESS = "harness (RSS sampler thread)"

_PROCESS_FRAME = re.compile(r'process (\d+):"(.*?)"(?:;|$)')
_STAGE_FRAME = re.compile(r"^Pipeline\.(extract|normalize|load) \((?:.*/)?pipeline\.py:\d+\)$")
_LINE_NUMBER = re.compile(r":\d+\)$")
_PACKAGE_STAGE = {"extract": "extract", "normalize": "normalize", "load": "load", "destinations": "load"}


@dataclass
class Sample:
    """One line of py-spy's raw output: the processes (outermost first), the Python frames
    (outermost first) and how many times that stack was sampled."""

    processes: list[tuple[int, str]]
    frames: list[str]
    count: int


def parse_raw(lines: Iterable[str]) -> list[Sample]:
    """Parse py-spy's `-f raw` output (`frame;frame;... COUNT`, with `--subprocesses` each stack
    starts with `process PID:"command line"` frames, whose command lines may contain `;`)."""
    samples = []
    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            continue
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            raise ValueError(f"not a py-spy raw line (expected 'frame;frame;... COUNT'): {line[:200]!r}")
        processes = []
        position = 0
        while True:
            match = _PROCESS_FRAME.match(stack, position)
            if not match:
                break
            processes.append((int(match.group(1)), match.group(2)))
            position = match.end()
        rest = stack[position:]
        frames = rest.split(";") if rest else []
        samples.append(Sample(processes, frames, int(count)))
    return samples


def stage_of(sample: Sample) -> str:
    """The stage a sample belongs to (see the module docstring)."""
    if len(sample.processes) > 1:
        command = sample.processes[-1][1]
        return OTHER_PROCESSES if "resource_tracker" in command else "normalize"
    for frame in sample.frames:
        match = _STAGE_FRAME.match(frame)
        if match:
            return match.group(1)
        if frame.startswith("TreeRssSampler._run ("):
            return HARNESS
    if not sample.frames or not sample.frames[0].startswith("Thread._bootstrap ("):
        return OUTSIDE
    # a thread other than the main one (no Pipeline frame): by the first dlt package on its stack
    for frame in sample.frames:
        match = re.search(r"\(dlt/(\w+)/", frame)
        if match and match.group(1) in _PACKAGE_STAGE:
            return _PACKAGE_STAGE[match.group(1)]
    return OUTSIDE


def function_of(frame: str) -> str:
    """A frame without its line number, so all lines of one function add up."""
    return _LINE_NUMBER.sub(")", frame)


def innermost_dlt_frame(frames: list[str]) -> str | None:
    """The innermost frame of dlt's own code (`dlt/...`) on a stack, without its line number."""
    for frame in reversed(frames):
        if "(dlt/" in frame:
            return function_of(frame)
    return None


@dataclass
class StageProfile:
    """The samples of one stage: in the main process, in worker processes, and by function."""

    main_samples: int = 0
    worker_samples: int = 0
    self_samples: Counter = field(default_factory=Counter)
    callers: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))

    @property
    def samples(self) -> int:
        return self.main_samples + self.worker_samples


def profile_by_stage(samples: Iterable[Sample]) -> dict[str, StageProfile]:
    """Group the samples by stage, counting self samples per function (the leaf frame)."""
    stages: dict[str, StageProfile] = {}
    for sample in samples:
        stage = stages.setdefault(stage_of(sample), StageProfile())
        if len(sample.processes) > 1:
            stage.worker_samples += sample.count
        else:
            stage.main_samples += sample.count
        leaf = function_of(sample.frames[-1]) if sample.frames else "(no Python frame)"
        stage.self_samples[leaf] += sample.count
        caller = innermost_dlt_frame(sample.frames[:-1]) if "(dlt/" not in leaf else None
        if caller:
            stage.callers[leaf][caller] += sample.count
    return stages


def markdown_report(stages: dict[str, StageProfile], rate: float, wall: dict[str, float] | None,
                    min_share: float = 0.02, title: str = "") -> str:
    """The per-stage table and each stage's top functions by self time, as Markdown."""
    out = [f"## {title}\n"] if title else []
    total = sum(s.samples for s in stages.values()) or 1
    out.append("| stage | wall s (timed by the run) | sampled CPU s, main process | sampled CPU s, worker processes |"
               " share of all samples |")
    out.append("|---|---|---|---|---|")
    order = [s for s in (*STAGES, OUTSIDE, HARNESS, OTHER_PROCESSES) if s in stages or s in STAGES]
    for name in order:
        stage = stages.get(name, StageProfile())
        seconds = "-" if not wall or name not in wall else f"{wall[name]:.2f}"
        out.append(f"| {name} | {seconds} | {stage.main_samples / rate:.2f} | {stage.worker_samples / rate:.2f} |"
                   f" {stage.samples / total:.0%} |")
    if wall and "total" in wall:
        out.append(f"| end to end | {wall['total']:.2f} | | | |")
    for name in order:
        stage = stages.get(name)
        if not stage or not stage.samples:
            continue
        out.append(f"\n### {name}: functions with at least {min_share:.0%} of the stage's samples, by self time\n")
        out.append("| function | self s | share of stage | called from (innermost dlt frame) |")
        out.append("|---|---|---|---|")
        for function, count in stage.self_samples.most_common():
            if count / stage.samples < min_share:
                break
            callers = stage.callers.get(function)
            caller = callers.most_common(1)[0][0] if callers else ""
            out.append(f"| `{function}` | {count / rate:.2f} | {count / stage.samples:.1%} | "
                       f"{f'`{caller}`' if caller else ''} |")
    return "\n".join(out) + "\n"


def find_py_spy() -> str:
    """The py-spy executable: next to this interpreter, or on PATH."""
    beside = Path(sys.executable).parent / "py-spy"
    if beside.exists():
        return str(beside)
    found = shutil.which("py-spy")
    if not found:
        raise SystemExit("py-spy not found next to this interpreter or on PATH: `pip install py-spy` first")
    return found


def main(argv: list[str] | None = None) -> int:
    """Profile one run, print the Markdown report."""
    import run
    import workloads as wl

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workload", choices=[w for w, spec in wl.WORKLOADS.items() if "ours" in spec.implementations])
    parser.add_argument("rows", type=int)
    parser.add_argument("--workers", type=int, default=None, help="NORMALIZE__WORKERS (default: ours' default)")
    parser.add_argument("--mode", choices=("throughput", "memory"), default="throughput")
    parser.add_argument("--format", default="default", help="our loader file format, or default")
    parser.add_argument("--rate", type=int, default=200, help="py-spy samples per second")
    parser.add_argument("--min-share", type=float, default=0.02, help="smallest share of a stage a function must have")
    parser.add_argument("--idle", action="store_true", help="also count samples of waiting threads")
    parser.add_argument("--blocking", action="store_true",
                        help="pause the processes for each sample (exact stacks, but it slows the run down a"
                             " lot); by default py-spy samples without pausing them (--nonblocking)")
    parser.add_argument("--raw", type=Path, default=None, help="keep py-spy's raw output here")
    parser.add_argument("--python", default=None, help="interpreter with our dlt (default: as run.py chooses)")
    args = parser.parse_args(argv)

    python = args.python or run.resolve_ours("auto")[0]
    tmp = Path(tempfile.mkdtemp(prefix=f"dlt-stage-profile-{args.workload}-"))
    raw = args.raw or tmp / "py-spy.txt"
    env = run.child_env("ours", tmp, None)
    if args.workers:
        env["NORMALIZE__WORKERS"] = str(args.workers)
    command = [find_py_spy(), "record", "-f", "raw", "-r", str(args.rate), "--subprocesses", "-o", str(raw),
               *(["--idle"] if args.idle else []), *([] if args.blocking else ["--nonblocking"]), "--",
               python, str(BENCH_DIR / "child.py"), "--impl", "ours", "--workload", args.workload,
               "--rows", str(args.rows), "--mode", args.mode, "--format", args.format, "--tmp", str(tmp)]
    try:
        completed = subprocess.run(command, cwd=tmp, env=env, capture_output=True, text=True)
        result = next((json.loads(line[len("BENCH_RESULT "):]) for line in completed.stdout.splitlines()
                       if line.startswith("BENCH_RESULT ")), None)
        if completed.returncode != 0 or result is None or not raw.exists():
            tail = "\n".join((completed.stderr or completed.stdout).splitlines()[-20:])
            raise SystemExit(f"the profiled run failed (exit code {completed.returncode}):\n{tail}")
        with open(raw) as lines:
            stages = profile_by_stage(parse_raw(lines))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    wall = {stage: result[f"{stage}_s"] for stage in (*STAGES, "total")}
    workers = args.workers or "ours' default"
    title = (f"py-spy profile of ours: `{args.workload}`, {args.rows:,} rows, {args.mode} mode, normalize workers"
             f" {workers}, {args.rate} samples/s{' (idle samples counted)' if args.idle else ''}"
             f"{', blocking' if args.blocking else ', non-blocking'};"
             f" checks {'ok' if result['checks']['ok'] else 'WRONG'}")
    print(markdown_report(stages, args.rate, wall, args.min_share, title))
    if args.raw:
        print(f"raw samples kept in {args.raw}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
