"""A throwaway PostgreSQL that AWS's ``redshift-connector`` can talk to: the Redshift stand-in.

No pytest dependency: the test fixtures import it, and it runs on its own::

    python tests/support/pg_server.py          # prints the connection string, Ctrl-C stops it

Shared by the Redshift suite (through the proxy) and the PostgreSQL suite (which connects to
``pg_port`` directly and starts it with ``proxy=False``; ``postgres_url`` is its URL).

What it does
------------
* finds PostgreSQL's server binaries (``/usr/lib/postgresql/<ver>/bin``, ``pg_config --bindir``
  or ``$PATH``; ``DLT_PG_BINDIR`` overrides) and, when there are none and we are root, installs
  Debian's ``postgresql`` package with apt-get;
* ``initdb`` a fresh cluster in a temporary directory, run as the ``postgres`` system user when we
  are root (initdb/pg_ctl refuse to run as root), with md5 password auth on 127.0.0.1/32 and
  ``password_encryption = md5`` (the driver's SCRAM handshake fails against PostgreSQL);
* starts it on 127.0.0.1 and a private unix socket directory, creates a login role and a
  database owned by it;
* puts a small wire-protocol proxy (an asyncio loop in a daemon thread, 127.0.0.1 only) in
  front of it that makes ``redshift-connector`` 2.2.x accept plain PostgreSQL:

  - answers SSLRequest / GSSENCRequest with ``N`` (use ``ssl=False`` on the driver);
  - drops the Redshift-only startup parameters the driver always sends
    (``client_protocol_version``, ``driver_version``, ``os_version``,
    ``driver_discovery_version``, ...), which PostgreSQL rejects after authentication;
  - rewrites the ``server_version`` ParameterStatus to what Redshift reports (``8.0.2``), since
    the driver cannot parse Debian's ``15.x (Debian ...)`` string;
  - everything after the first ReadyForQuery is piped through unchanged.

``stop()`` stops the proxy and ``pg_ctl stop -m fast`` and removes the temporary directory.

PostGIS, only for the tests that ask for it: ``StandIn.ensure_postgis()`` installs Debian's
``postgresql-<major>-postgis-3`` with apt-get when the server has no PostGIS files (root only),
and ``StandIn.create_database(name, extensions=["postgis"])`` makes a database that has it.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import contextlib
import getpass
import glob
import logging
import os
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "DROPPED_STARTUP_PARAMETERS",
    "REDSHIFT_SERVER_VERSION",
    "PostgisNotFoundError",
    "PostgresNotFoundError",
    "RedshiftWireProxy",
    "StandIn",
    "StandInError",
    "ensure_postgresql",
    "find_postgres_bindir",
    "free_port",
    "install_postgis",
    "install_postgresql",
    "main",
    "postgis_package",
    "start_stand_in",
]

logger = logging.getLogger("dlt.tests.redshift.stand_in")

#: What Amazon Redshift reports as ``server_version``; ``redshift-connector`` parses it.
REDSHIFT_SERVER_VERSION = "8.0.2"

#: Startup parameters that Redshift understands but PostgreSQL rejects
#: (``unrecognized configuration parameter``). The proxy drops them.
DROPPED_STARTUP_PARAMETERS: frozenset[str] = frozenset(
    {
        "client_protocol_version",
        "driver_version",
        "os_version",
        "driver_discovery_version",
        "plugin_name",
        "idp_type",
        "provider_name",
        "token_type",
        "identity_namespace",
        "idc_client_display_name",
    }
)

LOOPBACK = "127.0.0.1"

# Protocol codes sent in place of a protocol version in the first (untyped) message.
_PROTOCOL_3 = 196608  # 3.0
_SSL_REQUEST = 80877103
_GSSENC_REQUEST = 80877104
_CANCEL_REQUEST = 80877102
_MAX_STARTUP_LENGTH = 10_000  # PostgreSQL's own limit (MAX_STARTUP_PACKET_LENGTH)
_MAX_MESSAGE_LENGTH = 1 << 30

# Runs in a separate process (own session) for each stand-in. It blocks on a pipe from the
# process that started the stand-in; if that process dies without calling stop() (SIGKILL,
# SIGTERM without cleanup, a CI timeout killing the process group), the pipe hits EOF without
# the "stopped" line and the watchdog stops PostgreSQL (immediate mode) and removes the temp dir.
_WATCHDOG_CODE = """
import shutil, subprocess, sys
pg_ctl_cmd, root_dir = sys.argv[1:-1], sys.argv[-1]
if sys.stdin.read() != "stopped\\n":
    subprocess.run(pg_ctl_cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=120, cwd="/")
    shutil.rmtree(root_dir, ignore_errors=True)
"""


class StandInError(RuntimeError):
    """The stand-in could not be set up or a command against it failed."""


class PostgresNotFoundError(StandInError):
    """No PostgreSQL server binaries, and they could not be installed."""


# --------------------------------------------------------------------------------------------
# Finding / installing PostgreSQL
# --------------------------------------------------------------------------------------------

_SERVER_TOOLS = ("initdb", "pg_ctl", "postgres", "psql")


def _has_server_tools(bindir: Path) -> bool:
    return all(os.access(bindir / tool, os.X_OK) for tool in _SERVER_TOOLS)


def _version_key(path: str) -> tuple[int, ...]:
    name = Path(path).parent.parent.name  # /usr/lib/postgresql/<ver>/bin/initdb -> <ver>
    return tuple(int(p) for p in name.split(".") if p.isdigit())


def find_postgres_bindir() -> Path | None:
    """The directory holding ``initdb``, ``pg_ctl``, ``postgres`` and ``psql``, or None.

    Order: ``$DLT_PG_BINDIR``; Debian's ``/usr/lib/postgresql/<ver>/bin`` (highest version);
    ``pg_config --bindir``; the directory of ``initdb`` on ``$PATH`` (symlinks resolved).
    """
    override = os.environ.get("DLT_PG_BINDIR")
    if override:
        path = Path(override)
        if _has_server_tools(path):
            return path
        raise PostgresNotFoundError(f"DLT_PG_BINDIR={override} does not hold {_SERVER_TOOLS}")

    for initdb in sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version_key, reverse=True
    ):
        bindir = Path(initdb).parent
        if _has_server_tools(bindir):
            return bindir

    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            ).stdout.strip()
            if out and _has_server_tools(Path(out)):
                return Path(out)

    initdb = shutil.which("initdb")
    if initdb:
        bindir = Path(initdb).resolve().parent
        if _has_server_tools(bindir):
            return bindir
    return None


def _online_clusters() -> set[str]:
    """Debian clusters (``ver/name``) currently online, per ``pg_lsclusters``; empty if none."""
    if not shutil.which("pg_lsclusters"):
        return set()
    try:
        out = subprocess.run(
            ["pg_lsclusters", "-h"], capture_output=True, text=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return set()
    online = set()
    for line in out.splitlines():
        fields = line.split()
        if len(fields) >= 4 and fields[3].startswith("online"):
            online.add(f"{fields[0]}/{fields[1]}")
    return online


def _stop_clusters_started_since(before: set[str]) -> None:
    """Stop the Debian clusters a package install started (the ones not in `before`)."""
    for cluster in sorted(_online_clusters() - before):
        ver, name = cluster.split("/", 1)
        logger.info("stopping cluster %s that the package install started", cluster)
        subprocess.run(
            ["pg_ctlcluster", ver, name, "stop"], capture_output=True, timeout=120, check=False
        )


def install_postgresql(timeout: float = 900) -> None:
    """Install Debian's ``postgresql`` package (root only): ``apt-get update`` then install.

    The package's maintainer scripts may create and start a default cluster (``main`` on port
    5432) where service starts are allowed; any cluster that comes online during the install is
    stopped again, so the install leaves no server running. The stand-in never uses it.
    """
    if os.geteuid() != 0:
        raise PostgresNotFoundError(
            "PostgreSQL server binaries not found and not running as root to install them: "
            "install Debian's `postgresql` package (or set DLT_PG_BINDIR)"
        )
    if not shutil.which("apt-get"):
        raise PostgresNotFoundError("PostgreSQL not found and apt-get is not available")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    before = _online_clusters()
    logger.info("installing PostgreSQL with apt-get")
    for cmd in (
        ["apt-get", "update"],
        ["apt-get", "install", "-y", "--no-install-recommends", "postgresql"],
    ):
        proc = subprocess.run(
            cmd, env=env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
        )
        if proc.returncode != 0:
            raise PostgresNotFoundError(
                f"{' '.join(cmd)} failed with exit code {proc.returncode}:\n"
                f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
            )
    _stop_clusters_started_since(before)


def ensure_postgresql(install: bool = True) -> Path:
    """Find PostgreSQL's server binaries; install them first if missing and ``install``."""
    bindir = find_postgres_bindir()
    if bindir is None and install:
        install_postgresql()
        bindir = find_postgres_bindir()
    if bindir is None:
        raise PostgresNotFoundError("PostgreSQL server binaries (initdb, pg_ctl) not found")
    return bindir


class PostgisNotFoundError(StandInError):
    """The server has no PostGIS extension files, and they could not be installed."""


def postgis_package(major: int) -> str:
    """Debian's PostGIS package for PostgreSQL ``major``: ``postgresql-<major>-postgis-3``."""
    return f"postgresql-{major}-postgis-3"


def install_postgis(major: int, timeout: float = 900) -> None:
    """Install Debian's PostGIS for PostgreSQL ``major`` (root only, non-interactive).

    ``apt-get install`` first; only when apt does not know the package yet, ``apt-get update``
    and install again. apt waits up to 5 minutes for a dpkg lock another install holds. Like
    ``install_postgresql``, any cluster that comes online during the install is stopped.
    """
    package = postgis_package(major)
    if os.geteuid() != 0:
        raise PostgisNotFoundError(
            f"PostGIS is not installed for PostgreSQL {major} and we are not root to install"
            f" it: install Debian's `{package}` package (apt-get install {package})"
        )
    if not shutil.which("apt-get"):
        raise PostgisNotFoundError(f"PostGIS not found ({package}) and apt-get is not available")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "-o", "DPkg::Lock::Timeout=300", "install", "-y",
               "--no-install-recommends", package]
    before = _online_clusters()
    logger.info("installing %s with apt-get", package)

    def run(cmd: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            cmd, env=env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
        )

    proc = run(install)
    if proc.returncode != 0:
        update = run(["apt-get", "-o", "DPkg::Lock::Timeout=300", "update"])
        proc = run(install) if update.returncode == 0 else update
    if proc.returncode != 0:
        raise PostgisNotFoundError(
            f"{' '.join(proc.args)} failed with exit code {proc.returncode}:\n"
            f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        )
    _stop_clusters_started_since(before)


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port that is free on ``host`` right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------------------------
# The wire-protocol proxy
# --------------------------------------------------------------------------------------------


def _error_response(message: str, code: str = "08006") -> bytes:
    """A PostgreSQL ErrorResponse ('E') message, FATAL severity."""
    fields = b"".join(
        tag + value.encode("utf-8") + b"\0"
        for tag, value in ((b"S", "FATAL"), (b"V", "FATAL"), (b"C", code), (b"M", message))
    )
    body = fields + b"\0"
    return b"E" + struct.pack("!i", len(body) + 4) + body


def _parse_startup_parameters(body: bytes) -> list[tuple[bytes, bytes]]:
    parts = body.split(b"\0")
    # body is "k\0v\0k\0v\0\0" -> [...k, v, '', ''] ; be lenient with a missing terminator
    while parts and parts[-1] == b"":
        parts.pop()
    if len(parts) % 2:
        raise ValueError("malformed startup packet")
    return list(zip(parts[0::2], parts[1::2], strict=True))


def _build_startup_packet(protocol: int, params: Iterable[tuple[bytes, bytes]]) -> bytes:
    body = struct.pack("!i", protocol)
    body += b"".join(k + b"\0" + v + b"\0" for k, v in params) + b"\0"
    return struct.pack("!i", len(body) + 4) + body


class RedshiftWireProxy:
    """Makes ``redshift-connector`` accept a plain PostgreSQL server (see module docstring).

    An asyncio loop in a daemon thread; listens on ``listen_host:listen_port`` (0 = the OS
    picks), forwards to ``upstream_host:upstream_port``. ``start()`` returns once it listens;
    ``stop()`` closes the listener and every open connection and joins the thread.
    """

    def __init__(
        self,
        upstream_host: str,
        upstream_port: int,
        *,
        listen_host: str = LOOPBACK,
        listen_port: int = 0,
        server_version: str = REDSHIFT_SERVER_VERSION,
        dropped_parameters: Iterable[str] = DROPPED_STARTUP_PARAMETERS,
        connect_timeout: float = 10.0,
    ) -> None:
        self.upstream_host = upstream_host
        self.upstream_port = upstream_port
        self.host = listen_host
        self.port = listen_port
        self.server_version = server_version
        self.dropped_parameters = frozenset(p.encode("ascii") for p in dropped_parameters)
        self.connect_timeout = connect_timeout
        #: connections accepted since start / open right now (read-only statistics)
        self.total_connections = 0
        self.active_connections = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stop_event: asyncio.Event | None = None
        self._ready = threading.Event()
        self._start_error: BaseException | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self, timeout: float = 10.0) -> RedshiftWireProxy:
        if self._thread is not None:
            raise StandInError("proxy already started")
        self._thread = threading.Thread(
            target=self._run, name=f"redshift-stand-in-proxy:{self.upstream_port}", daemon=True
        )
        self._thread.start()
        if not self._ready.wait(timeout):
            raise StandInError("proxy did not start listening in time")
        if self._start_error is not None:
            self._thread.join(timeout)
            self._thread = None
            raise StandInError(f"proxy failed to start: {self._start_error}") from self._start_error
        return self

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self, timeout: float = 10.0) -> None:
        thread, loop, stop_event = self._thread, self._loop, self._stop_event
        if thread is None:
            return
        if loop is not None and stop_event is not None and thread.is_alive():
            with contextlib.suppress(RuntimeError):  # loop already closed
                loop.call_soon_threadsafe(stop_event.set)
        thread.join(timeout)
        if thread.is_alive():
            logger.warning("proxy thread did not stop within %.1fs", timeout)
        self._thread = None

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve())
        except BaseException as exc:  # noqa: BLE001 - reported to start()
            self._start_error = self._start_error or exc
            self._ready.set()
        finally:
            with contextlib.suppress(Exception):
                loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _serve(self) -> None:
        self._stop_event = asyncio.Event()
        try:
            server = await asyncio.start_server(
                self._handle, self.host, self.port, reuse_address=True, backlog=128
            )
        except BaseException as exc:
            self._start_error = exc
            self._ready.set()
            return
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            await self._stop_event.wait()
        finally:
            server.close()
            tasks = list(self._tasks)
            for task in tasks:
                task.cancel()
            if tasks:
                await asyncio.gather(*tasks, return_exceptions=True)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 5)

    # -- one client connection -------------------------------------------------------------

    async def _handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.total_connections += 1
        self.active_connections += 1
        upstream_w: asyncio.StreamWriter | None = None
        try:
            first = await self._read_startup(client_r, client_w)
            if first is None:
                return
            packet, is_cancel = first
            try:
                upstream_r, upstream_w = await asyncio.wait_for(
                    asyncio.open_connection(self.upstream_host, self.upstream_port),
                    self.connect_timeout,
                )
            except (OSError, asyncio.TimeoutError) as exc:
                if not is_cancel:
                    client_w.write(
                        _error_response(f"stand-in proxy cannot reach PostgreSQL: {exc}")
                    )
                    with contextlib.suppress(OSError):
                        await client_w.drain()
                return
            upstream_w.write(packet)
            await upstream_w.drain()
            if is_cancel:
                # PostgreSQL closes a cancel connection itself; wait for that (bounded).
                with contextlib.suppress(OSError, asyncio.TimeoutError):
                    await asyncio.wait_for(upstream_r.read(), 5)
                return
            pumps = [
                asyncio.ensure_future(self._pump_to_client(upstream_r, client_w)),
                asyncio.ensure_future(self._pipe(client_r, upstream_w)),
            ]
            try:
                # Either side closing (client Terminate + close, or a FATAL from the server)
                # ends the session: close both.
                await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for pump in pumps:
                    pump.cancel()
                await asyncio.gather(*pumps, return_exceptions=True)
        except (asyncio.IncompleteReadError, ConnectionError, OSError, ValueError) as exc:
            logger.debug("proxy connection ended: %r", exc)
        except asyncio.CancelledError:
            # stop(): end quietly. (Re-raising makes asyncio's start_server callback log
            # the cancellation as an error on Python 3.11.)
            pass
        finally:
            for writer in (client_w, upstream_w):
                if writer is not None:
                    writer.close()
            for writer in (client_w, upstream_w):
                if writer is not None:
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(writer.wait_closed(), 2)
            self.active_connections -= 1
            self._tasks.discard(task)

    async def _read_startup(
        self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter
    ) -> tuple[bytes, bool] | None:
        """Read the client's startup phase. Returns (packet to forward, is_cancel) or None."""
        while True:
            try:
                header = await client_r.readexactly(8)
            except asyncio.IncompleteReadError:
                return None  # client went away (e.g. a port probe)
            length, code = struct.unpack("!ii", header)
            if length < 8 or length > _MAX_STARTUP_LENGTH:
                client_w.write(_error_response("invalid length of startup packet", "08P01"))
                await client_w.drain()
                return None
            body = await client_r.readexactly(length - 8)
            if code in (_SSL_REQUEST, _GSSENC_REQUEST):
                client_w.write(b"N")  # no TLS / GSS encryption; the client goes on in clear
                await client_w.drain()
                continue
            if code == _CANCEL_REQUEST:
                return header + body, True
            if code >> 16 != 3:
                client_w.write(
                    _error_response(f"unsupported frontend protocol {code >> 16}", "0A000")
                )
                await client_w.drain()
                return None
            params = _parse_startup_parameters(body)
            kept = [(k, v) for k, v in params if k not in self.dropped_parameters]
            return _build_startup_packet(code, kept), False

    async def _pump_to_client(
        self, upstream_r: asyncio.StreamReader, client_w: asyncio.StreamWriter
    ) -> None:
        """Server -> client: rewrite ParameterStatus(server_version) until the first
        ReadyForQuery, then pipe bytes unchanged."""
        new_version = self.server_version.encode("ascii")
        while True:
            header = await upstream_r.readexactly(5)
            kind = header[:1]
            (length,) = struct.unpack("!i", header[1:])
            if length < 4 or length > _MAX_MESSAGE_LENGTH:
                raise ValueError(f"bad message length {length} from server")
            body = await upstream_r.readexactly(length - 4)
            if kind == b"S":
                key, _, _ = body.partition(b"\0")
                if key == b"server_version":
                    body = key + b"\0" + new_version + b"\0"
                    header = kind + struct.pack("!i", len(body) + 4)
            client_w.write(header + body)
            await client_w.drain()
            if kind == b"Z":
                break
        await self._pipe(upstream_r, client_w)

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            data = await reader.read(65536)
            if not data:
                return
            writer.write(data)
            await writer.drain()


# --------------------------------------------------------------------------------------------
# The stand-in: PostgreSQL cluster + proxy
# --------------------------------------------------------------------------------------------


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


class StandIn:
    """A running stand-in. Build it with :func:`start_stand_in`; ``stop()`` tears it down.

    Connection attributes (all for the *proxy*, which is what ``redshift-connector`` must use):
    ``host``, ``port``, ``database``, ``user``, ``password``, ``connection_string``.
    PostgreSQL itself: ``pg_port`` (127.0.0.1), ``socket_dir``, ``data_dir``, ``bindir``.
    """

    def __init__(
        self,
        *,
        bindir: Path,
        root_dir: Path,
        remove_root: bool,
        database: str,
        user: str,
        password: str,
    ) -> None:
        self.bindir = bindir
        self.root_dir = root_dir
        self.data_dir = root_dir / "data"
        self.socket_dir = root_dir / "sock"
        self.log_file = root_dir / "postgres.log"
        self.database = database
        self.user = user
        self.password = password
        self.host = LOOPBACK
        self.port = 0
        self.pg_port = 0
        self.proxy: RedshiftWireProxy | None = None
        self.startup_seconds = 0.0
        self._remove_root = remove_root
        self._pg_started = False
        self._stopped = False
        self._watchdog: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self.superuser = "postgres" if _is_root() else getpass.getuser()

    # -- public ------------------------------------------------------------------------------

    @property
    def connection_string(self) -> str:
        user = urllib.parse.quote(self.user, safe="")
        password = urllib.parse.quote(self.password, safe="")
        return (
            f"redshift://{user}:{password}@{self.host}:{self.port}/"
            f"{urllib.parse.quote(self.database, safe='')}?sslmode=disable"
        )

    @property
    def postgres_url(self) -> str:
        """``postgresql://user:password@127.0.0.1:<pg_port>/database``: PostgreSQL itself."""
        user = urllib.parse.quote(self.user, safe="")
        password = urllib.parse.quote(self.password, safe="")
        return (
            f"postgresql://{user}:{password}@{LOOPBACK}:{self.pg_port}/"
            f"{urllib.parse.quote(self.database, safe='')}"
        )

    def connect_kwargs(self, **overrides: Any) -> dict[str, Any]:
        """Keyword arguments for ``redshift_connector.connect`` (``ssl=False``, ``timeout=10``)."""
        kwargs: dict[str, Any] = dict(
            host=self.host,
            port=self.port,
            database=self.database,
            user=self.user,
            password=self.password,
            ssl=False,
            timeout=10,
        )
        kwargs.update(overrides)
        return kwargs

    def connect(self, **overrides: Any) -> Any:
        """A ``redshift_connector`` connection through the proxy (imports the driver lazily)."""
        import redshift_connector  # noqa: PLC0415 - optional dependency of this module

        return redshift_connector.connect(**self.connect_kwargs(**overrides))

    def admin_execute(self, sql: str, database: str | None = None, timeout: float = 60) -> str:
        """Run ``sql`` (one or more statements) as the PostgreSQL superuser via ``psql`` over
        the unix socket; return psql's unaligned, tuples-only output. Raises StandInError on
        any SQL error (ON_ERROR_STOP). Each statement runs in its own transaction, so
        ``CREATE DATABASE`` works."""
        if not self._pg_started or self._stopped:
            raise StandInError("PostgreSQL is not running")
        cmd = [
            str(self.bindir / "psql"),
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            str(self.socket_dir),
            "-p",
            str(self.pg_port),
            "-U",
            self.superuser,
            "-d",
            database or self.database,
            "-f",
            "-",
        ]
        proc = self._run(cmd, input=sql, timeout=timeout, check=False)
        if proc.returncode != 0:
            raise StandInError(f"psql failed ({proc.returncode}): {proc.stderr.strip()}")
        return proc.stdout

    def postgres_url_for(self, database: str) -> str:
        """``postgres_url`` of another database of the same server (same login role)."""
        base = self.postgres_url.rsplit("/", 1)[0]
        return f"{base}/{urllib.parse.quote(database, safe='')}"

    def server_major_version(self) -> int:
        """The server's major version (``15`` for 15.x), from ``server_version_num``."""
        return int(self.admin_execute("SHOW server_version_num", database="postgres")) // 10000

    def has_postgis(self) -> bool:
        """True when the server can ``CREATE EXTENSION postgis`` (its files are installed)."""
        found = self.admin_execute(
            "SELECT count(*) FROM pg_available_extensions WHERE name = 'postgis'",
            database="postgres",
        )
        return found.strip() == "1"

    def ensure_postgis(self, install: bool = True) -> None:
        """Make PostGIS available to this server: when its files are missing (and ``install``),
        install Debian's ``postgresql-<major>-postgis-3`` with apt-get (root only)."""
        if self.has_postgis():
            return
        major = self.server_major_version()
        if install:
            install_postgis(major)
        if not self.has_postgis():
            raise PostgisNotFoundError(
                f"PostgreSQL {major} at {self.bindir} has no PostGIS extension files; install"
                f" {postgis_package(major)} for this server"
            )

    def create_database(self, database: str, extensions: Sequence[str] = ()) -> str:
        """Create ``database`` owned by the login role unless it exists, create
        ``extensions`` in it (``CREATE EXTENSION IF NOT EXISTS``, as the superuser), and
        return its ``postgres_url``."""
        literal = database.replace("'", "''")
        exists = self.admin_execute(
            f"SELECT count(*) FROM pg_database WHERE datname = '{literal}'", database="postgres"
        )
        if exists.strip() == "0":
            db_ident = '"' + database.replace('"', '""') + '"'
            user_ident = '"' + self.user.replace('"', '""') + '"'
            self.admin_execute(
                f"CREATE DATABASE {db_ident} OWNER {user_ident}", database="postgres"
            )
        for extension in extensions:
            ext_ident = '"' + extension.replace('"', '""') + '"'
            self.admin_execute(f"CREATE EXTENSION IF NOT EXISTS {ext_ident}", database=database)
        return self.postgres_url_for(database)

    def stop(self) -> None:
        """Stop the proxy and PostgreSQL (``pg_ctl stop -m fast``), remove the temp dir.
        Idempotent; safe to call from ``atexit``."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        with contextlib.suppress(Exception):
            atexit.unregister(self.stop)
        try:
            if self.proxy is not None:
                self.proxy.stop()
        finally:
            try:
                self._stop_postgres()
            finally:
                if self._remove_root:
                    shutil.rmtree(self.root_dir, ignore_errors=True)

    def __enter__(self) -> StandIn:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "stopped" if self._stopped else "running"
        return f"<StandIn {state} {self.host}:{self.port} -> postgres 127.0.0.1:{self.pg_port}>"

    # -- internals ---------------------------------------------------------------------------

    def _as_pg_user(self, cmd: Sequence[str]) -> list[str]:
        if _is_root():
            return ["runuser", "-u", "postgres", "--", *cmd]
        return list(cmd)

    def _run(
        self,
        cmd: Sequence[str],
        *,
        input: str | None = None,
        timeout: float = 120,
        check: bool = True,
    ) -> subprocess.CompletedProcess[str]:
        env = {
            k: v for k, v in os.environ.items() if not k.startswith("PG") and k != "DLT_PG_BINDIR"
        }
        env.update(LC_ALL="C", LANG="C")
        proc = subprocess.run(
            self._as_pg_user(cmd),
            input=input,
            stdin=None if input is not None else subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            cwd=str(self.root_dir) if self.root_dir.exists() else "/",
            check=False,
        )
        if check and proc.returncode != 0:
            raise StandInError(
                f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
            )
        return proc

    def _prepare_dirs(self) -> None:
        self.socket_dir.mkdir(mode=0o700)
        if _is_root():
            for path in (self.root_dir, self.socket_dir):
                shutil.chown(path, "postgres", "postgres")
            check = self._run(["test", "-w", str(self.root_dir)], check=False)
            if check.returncode != 0:
                raise StandInError(
                    f"the postgres system user cannot write {self.root_dir}: pick a workdir "
                    "whose parents it can traverse (the default temp dir works)"
                )

    def _initdb(self) -> None:
        self._run(
            [
                str(self.bindir / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                self.superuser,
                "-E",
                "UTF8",
                "--locale=C",
                "--auth-local=peer",
                "--auth-host=md5",
                "--no-sync",
            ],
            timeout=180,
        )
        # Own pg_hba.conf: superuser over the socket (peer), everyone else md5 on 127.0.0.1 only.
        hba = (
            "# written by tests/support/pg_server.py\n"
            "local   all   all                 peer\n"
            "host    all   all   127.0.0.1/32  md5\n"
        )
        (self.data_dir / "pg_hba.conf").write_text(hba)
        conf = (
            "\n# --- dlt Redshift stand-in ---\n"
            "listen_addresses = '127.0.0.1'\n"
            "password_encryption = md5\n"
            "fsync = off\n"
            "synchronous_commit = off\n"
            "full_page_writes = off\n"
            "max_connections = 100\n"
            "logging_collector = off\n"
            "log_min_messages = warning\n"
            "timezone = 'UTC'\n"
        )
        with open(self.data_dir / "postgresql.conf", "a") as fh:
            fh.write(conf)
        if _is_root():
            for name in ("pg_hba.conf", "postgresql.conf"):
                shutil.chown(self.data_dir / name, "postgres", "postgres")

    def _start_postgres(self, attempts: int = 5) -> None:
        last = ""
        for _ in range(attempts):
            port = free_port()
            opts = f"-p {port} -k {self.socket_dir} -c listen_addresses={LOOPBACK}"
            proc = self._run(
                [
                    str(self.bindir / "pg_ctl"),
                    "-D",
                    str(self.data_dir),
                    "-o",
                    opts,
                    "-l",
                    str(self.log_file),
                    "-w",
                    "-t",
                    "60",
                    "start",
                ],
                timeout=90,
                check=False,
            )
            if proc.returncode == 0:
                self.pg_port = port
                self._pg_started = True
                self._start_watchdog()
                return
            last = proc.stdout + proc.stderr + self._log_tail()
            if "already in use" not in last and "could not bind" not in last:
                break
            logger.info("port %s taken, retrying", port)
        raise StandInError(f"pg_ctl start failed:\n{last}")

    def _log_tail(self, chars: int = 4000) -> str:
        with contextlib.suppress(OSError):
            return "\n--- postgres.log ---\n" + self.log_file.read_text(errors="replace")[-chars:]
        return ""

    def _start_watchdog(self) -> None:
        pg_ctl = self._as_pg_user(
            [str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "-w", "stop"]
        )
        self._watchdog = subprocess.Popen(
            [sys.executable, "-c", _WATCHDOG_CODE, *pg_ctl, str(self.root_dir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # survives a kill of our process group
            cwd="/",
        )

    def _release_watchdog(self) -> None:
        watchdog, self._watchdog = self._watchdog, None
        if watchdog is None:
            return
        with contextlib.suppress(OSError, ValueError):
            assert watchdog.stdin is not None
            watchdog.stdin.write(b"stopped\n")
            watchdog.stdin.close()
        try:
            watchdog.wait(10)
        except subprocess.TimeoutExpired:
            watchdog.kill()
            watchdog.wait(5)

    def _stop_postgres(self) -> None:
        if not self._pg_started:
            return
        self._pg_started = False
        try:
            self._stop_postgres_now()
        finally:
            self._release_watchdog()

    def _stop_postgres_now(self) -> None:
        proc = self._run(
            [
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.data_dir),
                "-m",
                "fast",
                "-w",
                "-t",
                "60",
                "stop",
            ],
            timeout=90,
            check=False,
        )
        if proc.returncode == 0:
            return
        logger.warning("pg_ctl stop failed: %s%s", proc.stderr, self._log_tail())
        # Last resort: signal the postmaster directly (immediate shutdown, then kill).
        pid = self._postmaster_pid()
        for sig, wait in ((signal.SIGQUIT, 10.0), (signal.SIGKILL, 5.0)):
            if pid is None or not _pid_alive(pid):
                return
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline and _pid_alive(pid):
                time.sleep(0.1)

    def _postmaster_pid(self) -> int | None:
        with contextlib.suppress(OSError, ValueError, IndexError):
            return int((self.data_dir / "postmaster.pid").read_text().splitlines()[0])
        return None

    def _bootstrap_sql(self) -> None:
        user_ident = '"' + self.user.replace('"', '""') + '"'
        db_ident = '"' + self.database.replace('"', '""') + '"'
        password = self.password.replace("'", "''")
        self.admin_execute(
            "SET password_encryption = 'md5';\n"
            f"CREATE ROLE {user_ident} LOGIN PASSWORD '{password}';\n"
            f"CREATE DATABASE {db_ident} OWNER {user_ident};\n",
            database="postgres",
        )


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child still "exists"; postgres is not our child here, so this is good enough.
    return True


def start_stand_in(
    workdir: str | os.PathLike[str] | None = None,
    *,
    database: str = "dev",
    user: str = "loader",
    password: str | None = None,
    install: bool = True,
    server_version: str = REDSHIFT_SERVER_VERSION,
    proxy: bool = True,
) -> StandIn:
    """Start PostgreSQL + the proxy and return the running :class:`StandIn`.

    ``workdir``: a directory in which a fresh temp dir is made (default: the system temp dir);
    it must be traversable by the ``postgres`` system user when running as root. The temp dir
    is removed by ``stop()``. ``install``: install PostgreSQL with apt-get when it is missing.
    ``proxy=False`` starts PostgreSQL alone (for clients that speak plain PostgreSQL).
    On any failure during start-up, everything started so far is stopped again.
    """
    t0 = time.monotonic()
    bindir = ensure_postgresql(install=install)
    parent = Path(workdir) if workdir is not None else None
    if parent is not None:
        parent.mkdir(parents=True, exist_ok=True)
    root_dir = Path(tempfile.mkdtemp(prefix="dlt-redshift-stand-in-", dir=parent))
    stand_in = StandIn(
        bindir=bindir,
        root_dir=root_dir,
        remove_root=True,
        database=database,
        user=user,
        password=password or secrets.token_urlsafe(18),
    )
    atexit.register(stand_in.stop)
    try:
        stand_in._prepare_dirs()
        stand_in._initdb()
        stand_in._start_postgres()
        stand_in._bootstrap_sql()
        if proxy:
            stand_in.proxy = RedshiftWireProxy(
                LOOPBACK, stand_in.pg_port, server_version=server_version
            ).start()
            stand_in.port = stand_in.proxy.port
        else:
            stand_in.port = stand_in.pg_port
    except BaseException:
        stand_in.stop()
        raise
    stand_in.startup_seconds = time.monotonic() - t0
    logger.info("Redshift stand-in up in %.2fs: %r", stand_in.startup_seconds, stand_in)
    return stand_in


# --------------------------------------------------------------------------------------------
# python tests/support/pg_server.py
# --------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Start a throwaway PostgreSQL behind a redshift-connector-compatible proxy "
        "on 127.0.0.1, print its connection string, and wait until Ctrl-C."
    )
    parser.add_argument(
        "--workdir", help="parent directory for the temp dir (default: system temp)"
    )
    parser.add_argument("--database", default="dev")
    parser.add_argument("--user", default="loader")
    parser.add_argument("--password", help="default: generated")
    parser.add_argument(
        "--no-install", action="store_true", help="do not apt-get install PostgreSQL"
    )
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
    )

    def _terminate(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    # SIGINT too: a shell's background job inherits SIGINT as "ignored".
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _terminate)
    stand_in = start_stand_in(
        args.workdir,
        database=args.database,
        user=args.user,
        password=args.password,
        install=not args.no_install,
    )
    try:
        print(stand_in.connection_string, flush=True)
        print(
            f"# host={stand_in.host} port={stand_in.port} database={stand_in.database} "
            f"user={stand_in.user} password={stand_in.password}\n"
            f"# redshift_connector.connect(host={stand_in.host!r}, port={stand_in.port}, "
            f"database={stand_in.database!r}, user={stand_in.user!r}, "
            f"password={stand_in.password!r}, ssl=False)\n"
            f"# postgres: 127.0.0.1:{stand_in.pg_port}, data in {stand_in.root_dir}\n"
            f"# started in {stand_in.startup_seconds:.2f}s; Ctrl-C to stop",
            file=sys.stderr,
            flush=True,
        )
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        stand_in.stop()
        print("# stand-in stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
