"""A real BigQuery API emulator server for tests: `local-bigquery` in its own virtual environment.

The emulator (`local-bigquery` from PyPI) needs Python >= 3.13 and DuckDB
extensions (icu, ducklake, spatial) that it would otherwise download at run time, which fails
offline. So it is installed once into a virtual environment of its own, cached outside the
repository checkout, with the extensions taken from their PyPI wheels and installed into a HOME
directory that belongs to that environment. Each started server gets a fresh data directory
and binds 127.0.0.1 only.

This module has no pytest dependency and needs only the standard library, except for
`Emulator.client()`, which imports `google-cloud-bigquery` from the calling environment.

    env = ensure_emulator_env()            # build once (about 30 s), then reused
    emu = start_emulator()                 # about 2 s when the environment is cached
    client = emu.client()                  # google.cloud.bigquery.Client for emu.endpoint
    ...
    emu.stop()                             # kills the server, removes its data dir and log

Run `python tests/bigquery/emulator.py` to start one and print its endpoint until Ctrl-C.

Environment variables:
    DLT_BQ_EMULATOR_CACHE   where the environment is built (default
                            $XDG_CACHE_HOME or ~/.cache, then dlt-tests/local-bigquery-0.4.0)
    DLT_BQ_EMULATOR_PYTHON  the Python >= 3.13 interpreter to build it with (default: found
                            in pyenv's versions, then python3.14/python3.13 on PATH)

Known emulator gaps (local-bigquery 0.4.0), measured (test_emulator.py skips on each):
    - BIGNUMERIC is stored as DECIMAL(38,18): values with more than 20 integer digits or more
      than 18 fractional digits fail to load.
    - BYTES in NDJSON loads without a schema in the job are stored as the base64 text, not
      decoded (with the schema given in the job they are decoded).
    - A parquet load job that gives a schema with a BYTES column fails
      ("No function matches ... 'from_base64(BLOB)'"): load parquet without a job schema.
    - ALLOW_FIELD_RELAXATION is not supported (REQUIRED stays REQUIRED, the load fails).
    - WRITE_TRUNCATE takes the table schema from the load: REQUIRED modes are dropped even when
      the job's schema has them; without a job schema, parquet's own types are used (JSON
      becomes STRING) and for NDJSON types are inferred (NUMERIC -> STRING, TIMESTAMP ->
      DATETIME). WRITE_TRUNCATE_DATA behaves the same (BigQuery keeps the table schema there).
    - INFORMATION_SCHEMA.COLUMNS.data_type has no type parameters ("NUMERIC", not
      "NUMERIC(38, 9)"); ALTER TABLE ADD COLUMN of an existing column is 409 Conflict.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

LOCAL_BIGQUERY_VERSION = "0.4.0"
DUCKDB_VERSION = "1.5.5"
DUCKDB_EXTENSIONS = ("icu", "ducklake", "spatial")
DEFAULT_PROJECT = "test-proj"
STARTUP_TIMEOUT = 60.0
MIN_PYTHON = (3, 13)

# The complete, known-good set of the emulator environment, installed with --no-deps so that
# nothing resolves differently later. local-bigquery 0.4.0 declares duckdb>=2.0.0, but only
# the 1.5.5 DuckDB has its extensions on PyPI (duckdb-extension-*), and it works with it.
PINNED_REQUIREMENTS = (
    f"local-bigquery=={LOCAL_BIGQUERY_VERSION}",
    f"duckdb=={DUCKDB_VERSION}",
    f"duckdb-extensions=={DUCKDB_VERSION}",
    *(f"duckdb-extension-{name}=={DUCKDB_VERSION}" for name in DUCKDB_EXTENSIONS),
    "annotated-doc==0.0.7",
    "annotated-types==0.8.0",
    "anyio==4.16.0",
    "certifi==2026.10.18",
    "cffi==2.1.1",
    "charset-normalizer==3.5.2",
    "click==8.5.1",
    "cryptography==50.0.2",
    "fastapi==0.165.0",
    "fastavro==1.13.1",
    "google-api-core==2.44.0",
    "google-auth==2.62.2",
    "google-cloud-bigquery-storage==2.43.0",
    "googleapis-common-protos==1.76.0",
    "grpcio==1.85.1",
    "grpcio-status==1.85.1",
    "h11==0.16.0",
    "idna==3.20",
    "mini-racer==0.14.1",
    "numpy==2.5.5",
    "opentelemetry-api==1.45.2",
    "prompt-toolkit==3.0.53",
    "proto-plus==1.29.0",
    "protobuf==7.36.2",
    "pyarrow==26.0.1",
    "pyasn1==0.6.5",
    "pyasn1-modules==0.4.2",
    "pycparser==3.12",
    "pydantic==2.14.3",
    "pydantic-settings==2.16.3",
    "pydantic-core==2.50.4",
    "pygments==2.21.0",
    "python-dotenv==1.2.4",
    "requests==2.34.2",
    "sqlglot==30.30.0",
    "starlette==1.10.0",
    "typing-inspection==0.4.5",
    "typing-extensions==4.16.0",
    "urllib3==2.8.0",
    "uvicorn==0.54.0",
    "wcwidth==0.9.4",
)

_MARKER = ".complete"
_VENV = "venv"
_HOME = "home"
_BUILD_LOG = "build.log"

# Variables of the calling (test) environment that must not leak into the emulator's Python.
_SCRUBBED_ENV = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "PYENV_VERSION")


class EmulatorError(RuntimeError):
    """The emulator environment could not be built or the server did not start."""


def _spec_hash() -> str:
    spec = {"requirements": sorted(PINNED_REQUIREMENTS), "extensions": DUCKDB_EXTENSIONS}
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:16]


def default_cache_dir() -> Path:
    """Where the emulator environment is kept: stable, outside the repository checkout."""
    override = os.environ.get("DLT_BQ_EMULATOR_CACHE")
    if override:
        return Path(override).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dlt-tests" / f"local-bigquery-{LOCAL_BIGQUERY_VERSION}"


def _python_ok(python: str) -> bool:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV}
    try:
        out = subprocess.run(
            [python, "-c", f"import sys, venv; print(sys.version_info[:2] >= {MIN_PYTHON!r})"],
            capture_output=True,
            text=True,
            timeout=30,
            env=env,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return out.returncode == 0 and out.stdout.strip() == "True"


def find_python() -> str:
    """A Python >= 3.13 interpreter to build the emulator's virtual environment with."""
    candidates: list[str] = []
    override = os.environ.get("DLT_BQ_EMULATOR_PYTHON")
    if override:
        candidates.append(override)
    if sys.version_info[:2] >= MIN_PYTHON:
        candidates.append(sys.executable)
    pyenv_root = os.environ.get("PYENV_ROOT") or os.path.join(os.path.expanduser("~"), ".pyenv")
    for pattern in ("3.13*", "3.14*"):
        for version_dir in sorted(glob.glob(os.path.join(pyenv_root, "versions", pattern))):
            candidates.append(os.path.join(version_dir, "bin", "python3"))
    for name in ("python3.13", "python3.14"):
        found = shutil.which(name)
        if found:
            candidates.append(found)
    for candidate in candidates:
        if os.path.exists(candidate) and _python_ok(candidate):
            return candidate
    raise EmulatorError(
        "local-bigquery needs Python >= 3.13 and none was found (looked at "
        f"{candidates or 'nothing'}); set DLT_BQ_EMULATOR_PYTHON to one"
    )


@contextlib.contextmanager
def _file_lock(path: Path):
    """An exclusive lock between processes (pytest-xdist workers, parallel runs)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        try:
            import fcntl
        except ImportError:  # not POSIX: no locking, builds must not run concurrently
            yield
            return
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _venv_bin(env_dir: Path, name: str) -> Path:
    return env_dir / _VENV / "bin" / name


def _is_complete(env_dir: Path) -> bool:
    marker = env_dir / _MARKER
    try:
        data = json.loads(marker.read_text())
    except (OSError, ValueError):
        return False
    return data.get("spec") == _spec_hash() and _venv_bin(env_dir, "local-bigquery").exists()


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def _child_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV}
    env["HOME"] = str(home)
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


_INSTALL_EXTENSIONS = """
import duckdb, duckdb_extensions, sys
names = sys.argv[1:]
con = duckdb.connect()
for name in names:
    duckdb_extensions.import_extension(name, force_install=True, con=con)
check = duckdb.connect()
for name in names:
    check.sql(f"LOAD {name}")
print("duckdb", duckdb.__version__, "extensions loaded:", ", ".join(names))
"""


def _build(env_dir: Path) -> None:
    for leftover in (_MARKER, _VENV, _HOME, _BUILD_LOG):
        target = env_dir / leftover
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    env_dir.mkdir(parents=True, exist_ok=True)
    home = env_dir / _HOME
    home.mkdir()
    log_path = env_dir / _BUILD_LOG
    python = find_python()
    venv_python = _venv_bin(env_dir, "python")
    steps = [
        ("create venv", [python, "-m", "venv", str(env_dir / _VENV)]),
        (
            "install packages",
            [
                str(venv_python),
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "--no-input",
                "--no-deps",
                *PINNED_REQUIREMENTS,
            ],
        ),
        (
            "install duckdb extensions",
            [str(venv_python), "-c", _INSTALL_EXTENSIONS, *DUCKDB_EXTENSIONS],
        ),
    ]
    env = _child_env(home)
    with open(log_path, "ab") as log:
        for title, cmd in steps:
            shown = " ".join(cmd if title != "install duckdb extensions" else cmd[:2])
            log.write(f"\n==> {title}: {shown}\n".encode())
            log.flush()
            result = subprocess.run(
                cmd, stdout=log, stderr=subprocess.STDOUT, env=env, stdin=subprocess.DEVNULL
            )
            if result.returncode != 0:
                raise EmulatorError(
                    f"building the BigQuery emulator environment in {env_dir} failed at "
                    f"'{title}' (exit {result.returncode}); log {log_path}:\n{_tail(log_path)}"
                )
    (env_dir / _MARKER).write_text(
        json.dumps(
            {
                "spec": _spec_hash(),
                "local_bigquery": LOCAL_BIGQUERY_VERSION,
                "duckdb": DUCKDB_VERSION,
                "python": python,
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            }
        )
    )


def ensure_emulator_env(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Build the emulator's virtual environment once and return its folder.

    The folder holds `venv/` (local-bigquery and its pinned dependencies), `home/` (the HOME of
    the server, with the DuckDB extensions installed under `.duckdb/extensions`), `build.log`
    and a `.complete` marker written only after everything succeeded: a folder without a valid
    marker (half built, or built from other pins) is wiped and rebuilt.
    """
    env_dir = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
    env_dir = env_dir.absolute()
    if _is_complete(env_dir):
        return env_dir
    with _file_lock(env_dir.parent / f".{env_dir.name}.lock"):
        if not _is_complete(env_dir):  # another process may have built it meanwhile
            _build(env_dir)
    return env_dir


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the server gets SIGTERM if the process that started it dies without stopping it."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    except Exception:
        pass


_RUNNING: set[Emulator] = set()


class Emulator:
    """A running local-bigquery server; create it with `start_emulator`."""

    def __init__(
        self,
        *,
        project: str,
        port: int,
        grpc_port: int,
        process: subprocess.Popen[bytes],
        workdir: Path,
    ) -> None:
        self.project = project
        self.port = port
        self.grpc_port = grpc_port
        self.host = "127.0.0.1"
        self.endpoint = f"http://{self.host}:{port}"
        self.process = process
        self.workdir = workdir
        self.data_dir = workdir / "data"
        self.log_path = workdir / "server.log"
        self.startup_seconds: float | None = None  # from process start until it answered

    def __repr__(self) -> str:
        state = "running" if self.is_running() else "stopped"
        return f"Emulator(endpoint={self.endpoint!r}, project={self.project!r}, {state})"

    def is_running(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        return _tail(self.log_path, lines)

    def client(self, **kwargs: Any):
        """A `google.cloud.bigquery.Client` for this server (anonymous credentials).

        Keyword arguments go to `bigquery.Client` (e.g. `location="EU"`).
        """
        from google.api_core.client_options import ClientOptions
        from google.auth.credentials import AnonymousCredentials
        from google.cloud import bigquery

        kwargs.setdefault("project", self.project)
        kwargs.setdefault("credentials", AnonymousCredentials())
        kwargs.setdefault("client_options", ClientOptions(api_endpoint=self.endpoint))
        return bigquery.Client(**kwargs)

    def stop(self, timeout: float = 10.0) -> None:
        """Terminate the server and everything it started; remove its data dir and log.

        Safe to call more than once.
        """
        proc = self.process
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        # the process group may outlive its leader (children of the server): kill what is left
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.wait(timeout=timeout)
        _RUNNING.discard(self)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> Emulator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


@atexit.register
def _stop_all() -> None:
    for emulator in list(_RUNNING):
        with contextlib.suppress(Exception):
            emulator.stop(timeout=5)


def _wait_ready(emulator: Emulator, deadline: float) -> bool:
    url = f"{emulator.endpoint}/bigquery/v2/projects/{emulator.project}/datasets"
    while time.monotonic() < deadline:
        if not emulator.is_running():
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    return False


def start_emulator(
    project: str = DEFAULT_PROJECT,
    *,
    env_dir: str | os.PathLike[str] | None = None,
    startup_timeout: float = STARTUP_TIMEOUT,
) -> Emulator:
    """Start a local-bigquery server on 127.0.0.1 with a fresh data dir; wait until it answers.

    Builds the emulator environment first if needed (`ensure_emulator_env(env_dir)`).
    Raises EmulatorError (a RuntimeError) with the tail of the server log if it does not
    answer within `startup_timeout` seconds.
    """
    env = ensure_emulator_env(env_dir)
    executable = _venv_bin(env, "local-bigquery")
    attempts = 3  # a free port can be taken by someone else before the server binds it
    last_error = ""
    for _ in range(attempts):
        workdir = Path(tempfile.mkdtemp(prefix="dlt-bq-emulator-"))
        data_dir = workdir / "data"
        data_dir.mkdir()
        port, grpc_port = _free_port(), _free_port()
        while grpc_port == port:
            grpc_port = _free_port()
        cmd = [
            str(executable),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--grpc-port",
            str(grpc_port),
            "--project",
            project,
            "--data-dir",
            str(data_dir),
        ]
        with open(workdir / "server.log", "wb") as log:
            process = subprocess.Popen(
                cmd,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=workdir,
                env=_child_env(env / _HOME),
                start_new_session=True,
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
            )
        emulator = Emulator(
            project=project, port=port, grpc_port=grpc_port, process=process, workdir=workdir
        )
        _RUNNING.add(emulator)
        started = time.monotonic()
        if _wait_ready(emulator, started + startup_timeout):
            emulator.startup_seconds = time.monotonic() - started
            return emulator
        exited = not emulator.is_running()
        last_error = (
            f"local-bigquery {'exited with code ' + str(process.returncode) if exited else 'did not answer'}"
            f" within {startup_timeout:.0f} s ({' '.join(cmd)}); server log tail:\n"
            f"{emulator.log_tail()}"
        )
        emulator.stop()
        if not (exited and "address already in use" in last_error.lower()):
            break
    raise EmulatorError(last_error)


def main() -> int:
    started = time.monotonic()
    env = ensure_emulator_env()
    built = time.monotonic()
    emulator = start_emulator()
    ready = time.monotonic()
    print(f"environment: {env} ({built - started:.1f} s)", flush=True)
    print(f"BigQuery emulator ready in {ready - built:.1f} s", flush=True)
    print(f"endpoint: {emulator.endpoint}  project: {emulator.project}", flush=True)
    print("Ctrl-C to stop", flush=True)

    def _terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminate)
    try:
        while emulator.is_running():
            time.sleep(0.5)
        print(f"emulator exited on its own; log tail:\n{emulator.log_tail()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        emulator.stop()


if __name__ == "__main__":
    sys.exit(main())
