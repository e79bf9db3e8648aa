"""A throwaway MariaDB server on 127.0.0.1 for the SQLAlchemy destination's tests.

No pytest dependency: the test fixtures import it, and it runs on its own::

    python tests/support/mariadb_server.py     # prints the SQLAlchemy URL, Ctrl-C stops it

What it does:

* finds Debian's ``mariadbd`` and ``mariadb-install-db`` (``DLT_MARIADB_BINDIR`` overrides the
  folder) and, when they are missing and we are root, installs Debian's ``mariadb-server`` with
  apt-get; a server the package's scripts start during the install is stopped again;
* initializes a fresh data directory in a temporary folder (``mariadb-install-db``), starts
  ``mariadbd`` on 127.0.0.1 and a free port (no other network interface; no binary log), with a
  private unix socket for the superuser, and creates a login role with a random password that
  may create databases (dlt datasets are databases on MariaDB);
* ``stop()`` shuts the server down and removes the temporary folder; it also runs at exit, and
  the server gets SIGTERM if the process that started it dies without stopping it.
"""

from __future__ import annotations

import argparse
import atexit
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Sequence
from pathlib import Path

LOOPBACK = "127.0.0.1"
SEARCH_DIRS = ("/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin")


class MariaDBNotAvailableError(RuntimeError):
    """MariaDB cannot be found, installed or started here; the message says why."""


def _find(names: Sequence[str]) -> Path | None:
    override = os.environ.get("DLT_MARIADB_BINDIR")
    folders = [override] if override else list(SEARCH_DIRS)
    for folder in folders:
        for name in names:
            candidate = Path(folder) / name
            if os.access(candidate, os.X_OK):
                return candidate
    if not override:
        for name in names:
            found = shutil.which(name)
            if found:
                return Path(found)
    return None


def find_binaries() -> tuple[Path, Path, Path] | None:
    """``(mariadbd, mariadb-install-db, mariadb client)``, or None when one is missing."""
    server = _find(("mariadbd", "mysqld"))
    install_db = _find(("mariadb-install-db", "mysql_install_db"))
    client = _find(("mariadb", "mysql"))
    if server and install_db and client:
        return server, install_db, client
    return None


def _running_mariadbd() -> set[int]:
    pids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in ("mariadbd", "mysqld"):
                    pids.add(int(entry.name))
            except OSError:
                continue
    return pids


def install_mariadb(timeout: float = 900) -> None:
    """Install Debian's ``mariadb-server`` (root only) and stop any server the install started."""
    if os.geteuid() != 0:
        raise MariaDBNotAvailableError(
            "MariaDB's server binaries are not installed and we are not root to install them:"
            " install Debian's `mariadb-server` package (or set DLT_MARIADB_BINDIR).")
    if not shutil.which("apt-get"):
        raise MariaDBNotAvailableError("MariaDB is not installed and apt-get is not available.")
    before = _running_mariadbd()
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in (["apt-get", "update"],
                    ["apt-get", "install", "-y", "--no-install-recommends", "mariadb-server"]):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            raise MariaDBNotAvailableError(
                f"{' '.join(command)} failed with exit code {done.returncode}:\n"
                f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    for pid in _running_mariadbd() - before:  # the package's own service, never ours
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass


def ensure_binaries(install: bool = True) -> tuple[Path, Path, Path]:
    """The server, install-db and client binaries; installed first if missing and ``install``."""
    found = find_binaries()
    if found is None and install:
        install_mariadb()
        found = find_binaries()
    if found is None:
        raise MariaDBNotAvailableError("mariadbd / mariadb-install-db / mariadb not found.")
    return found


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port free on ``host`` right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the server gets SIGTERM when the process that started it dies."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001
        pass


class MariaDBServer:
    """A running throwaway server: ``url`` (SQLAlchemy, pymysql driver), ``host``, ``port``,
    ``user``, ``password``, ``database``, ``admin_execute(sql)``, ``stop()``."""

    def __init__(self, root_dir: Path, server: Path, client: Path, user: str, password: str,
                 database: str) -> None:
        self.root_dir = root_dir
        self.data_dir = root_dir / "data"
        self.socket = root_dir / "mariadb.sock"
        self.log_file = root_dir / "mariadb.log"
        self.server_binary = server
        self.client_binary = client
        self.host = LOOPBACK
        self.port = 0
        self.user = user
        self.password = password
        self.database = database
        self.process: subprocess.Popen[bytes] | None = None
        self.startup_seconds = 0.0

    @property
    def url(self) -> str:
        """``mysql+pymysql://user:password@127.0.0.1:<port>/<database>``."""
        return self.url_for(self.password)

    def url_for(self, password: str, port: int | None = None) -> str:
        """The URL with another password or port (for tests of wrong settings)."""
        user = urllib.parse.quote(self.user, safe="")
        secret = urllib.parse.quote(password, safe="")
        return f"mysql+pymysql://{user}:{secret}@{self.host}:{port or self.port}/{self.database}"

    def admin_execute(self, sql: str, timeout: float = 60) -> str:
        """Run ``sql`` as the superuser over the private socket; tab-separated output."""
        done = subprocess.run(
            [str(self.client_binary), "--no-defaults", f"--socket={self.socket}", "-uroot",
             "--batch", "--skip-column-names", "-e", sql],
            capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            raise MariaDBNotAvailableError(f"SQL as superuser failed: {done.stderr.strip()}")
        return done.stdout

    def log_tail(self, chars: int = 3000) -> str:
        """The end of the server's error log."""
        try:
            return self.log_file.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 30 s) and remove its folder."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        shutil.rmtree(self.root_dir, ignore_errors=True)

    def __enter__(self) -> MariaDBServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.process is not None and self.process.poll() is None else "stopped"
        return f"MariaDBServer({self.user}@{self.host}:{self.port}/{self.database}, {state})"

    # -- start-up -------------------------------------------------------------------------------

    def _initialize(self, install_db: Path) -> None:
        self.data_dir.mkdir(parents=True)
        done = subprocess.run(
            [str(install_db), "--no-defaults", f"--datadir={self.data_dir}", "--user=root",
             "--auth-root-authentication-method=normal", "--skip-test-db", "--skip-name-resolve"],
            capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            raise MariaDBNotAvailableError(
                f"mariadb-install-db failed ({done.returncode}): {done.stdout[-2000:]} {done.stderr[-2000:]}")

    def _start(self, attempts: int = 5, timeout: float = 120) -> None:
        for _attempt in range(attempts):
            self.port = free_port()
            command = [
                str(self.server_binary), "--no-defaults", f"--datadir={self.data_dir}",
                f"--socket={self.socket}", f"--port={self.port}", f"--bind-address={LOOPBACK}",
                "--user=root", "--skip-name-resolve", "--skip-log-bin", f"--log-error={self.log_file}",
                f"--pid-file={self.root_dir / 'mariadb.pid'}", "--innodb-buffer-pool-size=64M",
                "--innodb-log-file-size=32M", "--innodb-flush-log-at-trx-commit=2",
                "--character-set-server=utf8mb4", "--collation-server=utf8mb4_bin",
                "--default-time-zone=+00:00", "--max-connections=100",
            ]
            self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self.process.poll() is None:
                if self.socket.exists() and self._accepts_tcp():
                    return
                time.sleep(0.2)
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            if "Address already in use" not in self.log_tail():
                break
        raise MariaDBNotAvailableError(f"mariadbd did not start:\n{self.log_tail()}")

    def _accepts_tcp(self) -> bool:
        try:
            with socket.create_connection((LOOPBACK, self.port), timeout=1):
                return True
        except OSError:
            return False

    def _bootstrap(self) -> None:
        password = self.password.replace("'", "''")
        self.admin_execute(
            f"CREATE DATABASE `{self.database}`;"
            f" CREATE USER '{self.user}'@'127.0.0.1' IDENTIFIED BY '{password}';"
            f" GRANT ALL PRIVILEGES ON *.* TO '{self.user}'@'127.0.0.1';"
            " FLUSH PRIVILEGES;")


def start_mariadb(workdir: str | os.PathLike[str] | None = None, *, database: str = "dlt_data",
                  user: str = "loader", password: str | None = None, install: bool = True) -> MariaDBServer:
    """Start a throwaway MariaDB and return it running; on any failure, everything started so
    far is stopped and `MariaDBNotAvailableError` says why."""
    started = time.monotonic()
    server_binary, install_db, client = ensure_binaries(install=install)
    root = Path(tempfile.mkdtemp(prefix="dlt-mariadb-", dir=workdir))
    server = MariaDBServer(root, server_binary, client, user, password or secrets.token_urlsafe(18), database)
    atexit.register(server.stop)
    try:
        server._initialize(install_db)
        server._start()
        server._bootstrap()
    except BaseException:
        server.stop()
        raise
    server.startup_seconds = time.monotonic() - started
    return server


def main(argv: Sequence[str] | None = None) -> int:
    """Start a server, print its URL, and stop it on Ctrl-C or SIGTERM."""
    parser = argparse.ArgumentParser(description="Run a throwaway MariaDB on 127.0.0.1.")
    parser.add_argument("--no-install", action="store_true", help="never apt-get install")
    args = parser.parse_args(argv)
    server = start_mariadb(install=not args.no_install)
    print(f"url: {server.url}  (up in {server.startup_seconds:.1f} s; Ctrl-C stops it)", flush=True)

    def _terminate(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminate)
    try:
        while server.process is not None and server.process.poll() is None:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
