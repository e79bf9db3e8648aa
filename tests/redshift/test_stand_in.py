"""The Redshift stand-in itself, exercised through AWS's redshift-connector (2.2.x).

These pin down what the future Redshift destination can rely on when testing against the
stand-in: types round-trip, transactions, DELETE ... USING, MERGE, information_schema, and the
exception types the driver raises for wrong passwords, closed ports and missing privileges.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
import struct
import threading
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pg_server
import pytest
import redshift_connector
from pg_server import REDSHIFT_SERVER_VERSION, StandIn, StandInError

# -- helpers ---------------------------------------------------------------------------------


def _wait_until(predicate: Any, timeout: float = 10.0, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


def _backend_count(stand_in: StandIn, application_name: str) -> int:
    out = stand_in.admin_execute(
        "SELECT count(*) FROM pg_stat_activity "
        f"WHERE application_name = '{application_name}' AND backend_type = 'client backend'"
    )
    return int(out.strip())


ALL_TYPES_DDL = """
CREATE TABLE {schema}.all_types (
    id        BIGINT NOT NULL,
    name      VARCHAR(65535),
    score     DOUBLE PRECISION,
    active    BOOLEAN,
    loaded_at TIMESTAMPTZ,
    day       DATE,
    clock     TIME,
    amount    NUMERIC(38,9)
)
"""

ROWS = [
    (
        1,
        "plain",
        1.5,
        True,
        dt.datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=dt.timezone.utc),
        dt.date(2024, 1, 2),
        dt.time(3, 4, 5, 6),
        Decimal("12345678901234567890123456789.123456789"),
    ),
    (
        2,
        "quotes ' \" and unicode ü 漢字 and %s and \\ backslash",
        -0.25,
        False,
        dt.datetime(1999, 12, 31, 23, 59, 59, tzinfo=dt.timezone.utc),
        dt.date(1970, 1, 1),
        dt.time(23, 59, 59),
        Decimal("-0.000000001"),
    ),
    (3, None, None, None, None, None, None, None),
    (4, "x" * 65535, 1e300, True, None, dt.date(2100, 2, 28), dt.time(0, 0), Decimal("0")),
]


def _insert_values_sql(table: str, n_rows: int, n_cols: int) -> str:
    row = "(" + ",".join(["%s"] * n_cols) + ")"
    return f"INSERT INTO {table} VALUES " + ",".join([row] * n_rows)


# -- connecting ------------------------------------------------------------------------------


def test_connect_and_server_identity(redshift_stand_in: StandIn, redshift_conn: Any) -> None:
    # the proxy rewrote server_version to what Redshift reports
    assert (b"server_version", REDSHIFT_SERVER_VERSION.encode()) in redshift_conn.parameter_statuses
    cur = redshift_conn.cursor()
    cur.execute("SELECT current_user, current_database(), 1 + 1")
    assert cur.fetchone() == [redshift_stand_in.user, "dev", 2]
    # but the backend is PostgreSQL
    cur.execute("SELECT version()")
    assert cur.fetchone()[0].startswith("PostgreSQL")


def test_connection_attributes(redshift_stand_in: StandIn) -> None:
    s = redshift_stand_in
    assert s.host == "127.0.0.1"
    assert s.database == "dev"
    assert s.user == "loader"
    assert len(s.password) >= 16
    assert s.port != s.pg_port
    assert s.connection_string == (
        f"redshift://loader:{s.password}@127.0.0.1:{s.port}/dev?sslmode=disable"
    )
    # the documented way to connect, spelled out
    conn = redshift_connector.connect(
        host=s.host,
        port=s.port,
        database=s.database,
        user=s.user,
        password=s.password,
        ssl=False,
        timeout=10,
    )
    try:
        cur = conn.cursor()
        cur.execute("SELECT 42")
        assert cur.fetchone() == [42]
    finally:
        conn.close()


def test_postgres_listens_on_loopback_only(redshift_stand_in: StandIn) -> None:
    out = redshift_stand_in.admin_execute("SHOW listen_addresses")
    assert out.strip() == "127.0.0.1"
    assert redshift_stand_in.proxy is not None
    assert redshift_stand_in.proxy.host == "127.0.0.1"


# -- DDL / DML -------------------------------------------------------------------------------


def test_types_round_trip(redshift_conn: Any, schema_name: str) -> None:
    cur = redshift_conn.cursor()
    cur.execute(f"CREATE SCHEMA {schema_name}")
    cur.execute(ALL_TYPES_DDL.format(schema=schema_name))
    cur.execute(
        _insert_values_sql(f"{schema_name}.all_types", len(ROWS), 8),
        [v for row in ROWS for v in row],
    )
    assert cur.rowcount == len(ROWS)
    redshift_conn.commit()

    cur.execute(f"SELECT * FROM {schema_name}.all_types ORDER BY id")
    got = [tuple(r) for r in cur.fetchall()]
    assert got == ROWS
    assert [d[0] for d in cur.description] == [
        "id",
        "name",
        "score",
        "active",
        "loaded_at",
        "day",
        "clock",
        "amount",
    ]
    # type OIDs as redshift-connector reports them
    assert [d[1] for d in cur.description] == [20, 1043, 701, 16, 1184, 1082, 1083, 1700]


def test_information_schema_columns(redshift_conn: Any, schema_name: str) -> None:
    cur = redshift_conn.cursor()
    cur.execute(f"CREATE SCHEMA {schema_name}")
    cur.execute(ALL_TYPES_DDL.format(schema=schema_name))
    redshift_conn.commit()
    cur.execute(
        "SELECT column_name, data_type, is_nullable, character_maximum_length, "
        "numeric_precision, numeric_scale "
        "FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
        "ORDER BY ordinal_position",
        (schema_name, "all_types"),
    )
    cols = [tuple(r) for r in cur.fetchall()]
    assert cols == [
        ("id", "bigint", "NO", None, 64, 0),
        ("name", "character varying", "YES", 65535, None, None),
        ("score", "double precision", "YES", None, 53, None),
        ("active", "boolean", "YES", None, None, None),
        ("loaded_at", "timestamp with time zone", "YES", None, None, None),
        ("day", "date", "YES", None, None, None),
        ("clock", "time without time zone", "YES", None, None, None),
        ("amount", "numeric", "YES", None, 38, 9),
    ]
    cur.execute(
        "SELECT schema_name FROM information_schema.schemata WHERE schema_name = %s",
        (schema_name,),
    )
    assert cur.fetchall() == ([schema_name],)


def test_rollback_discards_and_commit_persists(
    redshift_stand_in: StandIn, redshift_conn: Any, schema_name: str
) -> None:
    cur = redshift_conn.cursor()
    cur.execute(f"CREATE SCHEMA {schema_name}")
    cur.execute(f"CREATE TABLE {schema_name}.t (id BIGINT)")
    redshift_conn.commit()

    cur.execute(f"INSERT INTO {schema_name}.t VALUES (%s), (%s)", (1, 2))
    redshift_conn.rollback()
    cur.execute(f"SELECT count(*) FROM {schema_name}.t")
    assert cur.fetchone() == [0]

    # DDL is transactional too: a rolled-back CREATE TABLE is gone
    cur.execute(f"CREATE TABLE {schema_name}.ghost (id BIGINT)")
    redshift_conn.rollback()
    cur.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s",
        (schema_name,),
    )
    assert cur.fetchone() == [1]

    cur.execute(f"INSERT INTO {schema_name}.t VALUES (%s)", (3,))
    # uncommitted: another session does not see it
    other = redshift_stand_in.connect()
    try:
        ocur = other.cursor()
        ocur.execute(f"SELECT count(*) FROM {schema_name}.t")
        assert ocur.fetchone() == [0]
        other.rollback()
        redshift_conn.commit()
        ocur.execute(f"SELECT id FROM {schema_name}.t")
        assert ocur.fetchall() == ([3],)
    finally:
        other.close()


def test_error_aborts_transaction_until_rollback(redshift_conn: Any) -> None:
    cur = redshift_conn.cursor()
    with pytest.raises(redshift_connector.ProgrammingError, match="42P01"):
        cur.execute("SELECT * FROM no_such_table")
    with pytest.raises(redshift_connector.ProgrammingError, match="25P02"):
        cur.execute("SELECT 1")  # current transaction is aborted
    redshift_conn.rollback()
    cur.execute("SELECT 1")
    assert cur.fetchone() == [1]


def test_delete_using_and_merge(redshift_conn: Any, schema_name: str) -> None:
    cur = redshift_conn.cursor()
    cur.execute(f"CREATE SCHEMA {schema_name}")
    cur.execute(f"CREATE TABLE {schema_name}.target (id BIGINT, val VARCHAR(100))")
    cur.execute(f"CREATE TABLE {schema_name}.staging (id BIGINT, val VARCHAR(100))")
    cur.execute(
        f"INSERT INTO {schema_name}.target VALUES (%s,%s),(%s,%s),(%s,%s)",
        (1, "old1", 2, "old2", 3, "old3"),
    )
    cur.execute(f"INSERT INTO {schema_name}.staging VALUES (%s,%s),(%s,%s)", (2, "new2", 4, "new4"))
    redshift_conn.commit()

    # the classic Redshift upsert: DELETE ... USING staging, then INSERT ... SELECT
    cur.execute(
        f"DELETE FROM {schema_name}.target USING {schema_name}.staging "
        f"WHERE {schema_name}.target.id = {schema_name}.staging.id"
    )
    assert cur.rowcount == 1
    cur.execute(f"INSERT INTO {schema_name}.target SELECT * FROM {schema_name}.staging")
    redshift_conn.commit()
    cur.execute(f"SELECT id, val FROM {schema_name}.target ORDER BY id")
    assert [tuple(r) for r in cur.fetchall()] == [
        (1, "old1"),
        (2, "new2"),
        (3, "old3"),
        (4, "new4"),
    ]

    # MERGE (PostgreSQL 15 has it; Redshift too). Note: the driver reports rowcount -1 for
    # MERGE (it only counts INSERT/DELETE/UPDATE/MOVE for server_version 8.0.2).
    cur.execute(f"INSERT INTO {schema_name}.staging VALUES (%s,%s)", (5, "new5"))
    cur.execute(
        f"MERGE INTO {schema_name}.target t USING {schema_name}.staging s ON t.id = s.id "
        "WHEN MATCHED THEN UPDATE SET val = s.val || '-merged' "
        "WHEN NOT MATCHED THEN INSERT (id, val) VALUES (s.id, s.val)"
    )
    redshift_conn.commit()
    cur.execute(f"SELECT id, val FROM {schema_name}.target ORDER BY id")
    assert [tuple(r) for r in cur.fetchall()] == [
        (1, "old1"),
        (2, "new2-merged"),
        (3, "old3"),
        (4, "new4-merged"),
        (5, "new5"),
    ]


# -- failures and their exception types --------------------------------------------------------


def test_wrong_password_fails(redshift_stand_in: StandIn) -> None:
    # redshift_connector.ProgrammingError (a DatabaseError); args[0] is the server's error
    # dict: {'S': 'FATAL', 'C': '28P01', 'M': 'password authentication failed for user "loader"', ...}
    with pytest.raises(redshift_connector.ProgrammingError) as exc_info:
        redshift_stand_in.connect(password="wrong-password")
    err = exc_info.value.args[0]
    assert err["C"] == "28P01"
    assert err["M"] == f'password authentication failed for user "{redshift_stand_in.user}"'


def test_unknown_database_fails(redshift_stand_in: StandIn) -> None:
    with pytest.raises(redshift_connector.ProgrammingError) as exc_info:
        redshift_stand_in.connect(database="no_such_db")
    assert exc_info.value.args[0]["C"] == "3D000"


def test_closed_port_fails_fast() -> None:
    port = pg_server.free_port()  # nothing listens there
    started = time.monotonic()
    # redshift_connector.InterfaceError('communication error', ConnectionRefusedError(111, ...))
    with pytest.raises(redshift_connector.InterfaceError) as exc_info:
        redshift_connector.connect(
            host="127.0.0.1",
            port=port,
            database="dev",
            user="loader",
            password="x",
            ssl=False,
            timeout=10,
        )
    assert time.monotonic() - started < 5
    assert exc_info.value.args[0] == "communication error"
    assert isinstance(exc_info.value.args[1], ConnectionRefusedError)


def test_missing_privileges(redshift_stand_in: StandIn, schema_name: str) -> None:
    role = f"reader_{uuid.uuid4().hex[:8]}"
    redshift_stand_in.admin_execute(
        "SET password_encryption = 'md5';\n"
        f"CREATE ROLE {role} LOGIN PASSWORD 'reader-pw';\n"
        f"CREATE SCHEMA {schema_name} AUTHORIZATION {redshift_stand_in.user};\n"
        f"CREATE TABLE {schema_name}.secret (id BIGINT);\n"
        f"ALTER TABLE {schema_name}.secret OWNER TO {redshift_stand_in.user};\n"
    )
    conn = redshift_stand_in.connect(user=role, password="reader-pw")
    try:
        cur = conn.cursor()
        # ProgrammingError, args[0]['C'] == '42501' (insufficient_privilege)
        with pytest.raises(redshift_connector.ProgrammingError) as exc_info:
            cur.execute("CREATE SCHEMA not_allowed")
        assert exc_info.value.args[0]["C"] == "42501"
        assert exc_info.value.args[0]["M"] == "permission denied for database dev"
        conn.rollback()
        with pytest.raises(redshift_connector.ProgrammingError) as exc_info:
            cur.execute(f"SELECT * FROM {schema_name}.secret")
        assert exc_info.value.args[0]["C"] == "42501"
        assert exc_info.value.args[0]["M"] == f"permission denied for schema {schema_name}"
        conn.rollback()
    finally:
        conn.close()
        redshift_stand_in.admin_execute(f"DROP SCHEMA {schema_name} CASCADE; DROP ROLE {role};")


def test_admin_execute_raises_on_sql_error(redshift_stand_in: StandIn) -> None:
    with pytest.raises(StandInError, match="no_such_table"):
        redshift_stand_in.admin_execute("SELECT * FROM no_such_table")
    assert redshift_stand_in.admin_execute("SELECT 1").strip() == "1"


def test_server_side_termination_surfaces_as_interface_error(
    redshift_stand_in: StandIn,
) -> None:
    app = f"kill_{uuid.uuid4().hex[:8]}"
    conn = redshift_stand_in.connect(application_name=app)
    try:
        cur = conn.cursor()
        cur.execute("SELECT 1")
        conn.commit()
        redshift_stand_in.admin_execute(
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '{app}'"
        )
        with pytest.raises(
            (redshift_connector.InterfaceError, redshift_connector.ProgrammingError)
        ):
            cur.execute("SELECT 1")
    finally:
        try:
            conn.close()
        except redshift_connector.InterfaceError:
            pass


# -- proxy robustness --------------------------------------------------------------------------


def test_many_parallel_connections(redshift_stand_in: StandIn) -> None:
    n_threads, rounds = 24, 3
    # the stand-in is shared by the session: connections of earlier tests may still be open
    # (closed when their objects are collected), so this test's own must go back to that count
    before = redshift_stand_in.proxy.active_connections if redshift_stand_in.proxy else 0
    errors: list[BaseException] = []
    results: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(n_threads)

    def worker(i: int) -> None:
        try:
            barrier.wait(10)
            for r in range(rounds):
                conn = redshift_stand_in.connect()
                try:
                    cur = conn.cursor()
                    cur.execute("SELECT %s::bigint * 2, pg_sleep(0.01)", (i * 100 + r,))
                    value = cur.fetchone()[0]
                finally:
                    conn.close()
                with lock:
                    results.append(value)
        except BaseException as exc:  # noqa: BLE001
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    assert sorted(results) == sorted(
        (i * 100 + r) * 2 for i in range(n_threads) for r in range(rounds)
    )
    proxy = redshift_stand_in.proxy
    assert proxy is not None
    assert _wait_until(lambda: proxy.active_connections <= before, timeout=10)


def test_client_disconnect_ends_backend(redshift_stand_in: StandIn) -> None:
    app = f"drop_{uuid.uuid4().hex[:8]}"
    conn = redshift_stand_in.connect(application_name=app)
    cur = conn.cursor()
    cur.execute("SELECT 1")
    assert _backend_count(redshift_stand_in, app) == 1
    # vanish without a Terminate message, as a crashed client would (shutdown: the driver's
    # makefile() still holds a reference, so close() alone would not close the socket)
    conn._usock.shutdown(socket.SHUT_RDWR)
    conn._usock.close()
    assert _wait_until(lambda: _backend_count(redshift_stand_in, app) == 0, timeout=10)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the driver's own SSLContext()
def test_proxy_answers_ssl_request_with_n_and_survives_garbage(
    redshift_stand_in: StandIn,
) -> None:
    addr = (redshift_stand_in.host, redshift_stand_in.port)
    # SSLRequest -> 'N'
    with socket.create_connection(addr, timeout=5) as sock:
        sock.sendall(struct.pack("!ii", 8, 80877103))
        assert sock.recv(1) == b"N"
    # connect and close at once (port probes)
    for _ in range(5):
        socket.create_connection(addr, timeout=5).close()
    # an absurd startup length -> ErrorResponse, connection closed
    with socket.create_connection(addr, timeout=5) as sock:
        sock.sendall(struct.pack("!ii", 1 << 30, 196608))
        reply = sock.recv(4096)
        assert reply[:1] == b"E"
        assert b"invalid length of startup packet" in reply
    # ssl=True in the driver: the proxy refuses TLS, the driver raises InterfaceError
    with pytest.raises(redshift_connector.InterfaceError, match="Server refuses SSL"):
        redshift_stand_in.connect(ssl=True)
    # still serving
    conn = redshift_stand_in.connect()
    try:
        cur = conn.cursor()
        cur.execute("SELECT 'ok'")
        assert cur.fetchone() == ["ok"]
    finally:
        conn.close()


def test_large_result_streams_through_proxy(redshift_conn: Any) -> None:
    cur = redshift_conn.cursor()
    cur.execute("SELECT g, repeat('x', 1000) FROM generate_series(1, 20000) g")
    rows = cur.fetchall()
    assert len(rows) == 20000
    assert rows[-1][0] == 20000 and len(rows[-1][1]) == 1000


# -- find / install path -----------------------------------------------------------------------


def test_find_postgres_bindir() -> None:
    bindir = pg_server.find_postgres_bindir()
    assert bindir is not None
    for tool in ("initdb", "pg_ctl", "postgres", "psql"):
        assert (bindir / tool).exists()


def test_ensure_postgresql_installs_when_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    found: list[Path | None] = [None, Path("/usr/lib/postgresql/15/bin")]
    monkeypatch.setattr(pg_server, "find_postgres_bindir", lambda: found.pop(0))
    monkeypatch.setattr(pg_server, "install_postgresql", lambda: calls.append("install"))
    assert pg_server.ensure_postgresql() == Path("/usr/lib/postgresql/15/bin")
    assert calls == ["install"]

    monkeypatch.setattr(pg_server, "find_postgres_bindir", lambda: None)
    with pytest.raises(pg_server.PostgresNotFoundError):
        pg_server.ensure_postgresql(install=False)


def test_install_postgresql_runs_apt_get(monkeypatch: pytest.MonkeyPatch) -> None:
    if not pg_server._is_root():
        pytest.skip("installing needs root")
    ran: list[tuple[list[str], str | None]] = []

    class Done:
        returncode, stdout, stderr = 0, "", ""

    def fake_run(cmd: list[str], **kwargs: Any) -> Done:
        ran.append((cmd, kwargs.get("env", {}).get("DEBIAN_FRONTEND")))
        return Done()

    monkeypatch.setattr(pg_server, "_online_clusters", lambda: set())
    monkeypatch.setattr(pg_server.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(pg_server.subprocess, "run", fake_run)
    pg_server.install_postgresql()
    assert ran == [
        (["apt-get", "update"], "noninteractive"),
        (["apt-get", "install", "-y", "--no-install-recommends", "postgresql"], "noninteractive"),
    ]


# -- bulk insert timing (figures only, no asserts on time) ----------------------------------------


def test_executemany_vs_multirow_values(
    redshift_conn: Any, schema_name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    n = 5000
    rows = [(i, f"name-{i}", i * 0.5) for i in range(n)]
    cur = redshift_conn.cursor()
    cur.execute(f"CREATE SCHEMA {schema_name}")
    cur.execute(
        f"CREATE TABLE {schema_name}.many (id BIGINT, name VARCHAR(256), v DOUBLE PRECISION)"
    )
    cur.execute(
        f"CREATE TABLE {schema_name}.vals (id BIGINT, name VARCHAR(256), v DOUBLE PRECISION)"
    )
    redshift_conn.commit()

    t0 = time.perf_counter()
    cur.executemany(f"INSERT INTO {schema_name}.many VALUES (%s, %s, %s)", rows)
    redshift_conn.commit()
    t_many = time.perf_counter() - t0

    t0 = time.perf_counter()
    cur.execute(_insert_values_sql(f"{schema_name}.vals", n, 3), [v for r in rows for v in r])
    redshift_conn.commit()
    t_values = time.perf_counter() - t0

    for table in ("many", "vals"):
        cur.execute(f"SELECT count(*), sum(id), sum(v) FROM {schema_name}.{table}")
        assert tuple(cur.fetchone()) == (n, sum(range(n)), sum(i * 0.5 for i in range(n)))
    with capsys.disabled():
        print(
            f"\n[redshift stand-in] {n} rows x 3 cols: executemany {t_many:.3f}s "
            f"({n / t_many:,.0f} rows/s), one multi-row VALUES {t_values:.3f}s "
            f"({n / t_values:,.0f} rows/s), ratio {t_many / t_values:.1f}x"
        )


# -- running pg_server.py as a program ---------------------------------------------------------


class _LineCollector:
    """Collects a text stream's lines in a daemon thread (no blocking reads in the test)."""

    def __init__(self, stream: Any) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._run, args=(stream,), daemon=True)
        self._thread.start()

    def _run(self, stream: Any) -> None:
        for line in stream:
            self.lines.append(line)

    def wait_for(self, marker: str, timeout: float) -> str:
        found: list[str] = []

        def seen() -> bool:
            found[:] = [line for line in list(self.lines) if marker in line]
            return bool(found)

        if not _wait_until(seen, timeout=timeout):
            raise AssertionError(f"no {marker!r} line within {timeout}s: {self.lines}")
        return found[0]


def _port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.mark.parametrize("sig", ["SIGINT", "SIGKILL"])
def test_program_cleans_up_on_ctrl_c_and_when_killed(sig: str) -> None:
    """`python pg_server.py` serves until Ctrl-C; if it is killed outright, its watchdog
    process still stops PostgreSQL and removes the temp dir."""
    import re
    import signal
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, str(Path(pg_server.__file__)), "--no-install"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        out, err = _LineCollector(proc.stdout), _LineCollector(proc.stderr)
        conn_string = out.wait_for("redshift://", 60).strip()
        err.wait_for("Ctrl-C to stop", 30)
        info = "".join(err.lines)
        m = re.search(r"postgres: 127\.0\.0\.1:(\d+), data in (\S+)", info)
        assert m, info
        pg_port, root_dir = int(m.group(1)), Path(m.group(2))
        assert root_dir.is_dir() and _port_open(pg_port)

        u = __import__("urllib.parse").parse.urlparse(conn_string)
        conn = redshift_connector.connect(
            host=u.hostname,
            port=u.port,
            database=u.path.lstrip("/"),
            user=u.username,
            password=u.password,
            ssl=False,
            timeout=10,
        )
        cur = conn.cursor()
        cur.execute("SELECT current_user")
        assert cur.fetchone() == ["loader"]
        conn.close()

        proc.send_signal(getattr(signal, sig))
        proc.wait(30)
        assert _wait_until(lambda: not root_dir.exists() and not _port_open(pg_port), timeout=30)
        if sig == "SIGINT":
            assert proc.returncode == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def test_stop_with_open_connections_tears_everything_down() -> None:
    stand_in = pg_server.start_stand_in(install=False)
    try:
        assert stand_in.startup_seconds > 0
        proxy = stand_in.proxy
        assert proxy is not None and proxy.running
        conn = stand_in.connect()
        cur = conn.cursor()
        cur.execute("SELECT 1")  # leaves a transaction open
        root_dir, port, pg_port = stand_in.root_dir, stand_in.port, stand_in.pg_port
    finally:
        stand_in.stop()
    stand_in.stop()  # idempotent
    assert not proxy.running
    assert not root_dir.exists()
    assert not _port_open(port) and not _port_open(pg_port)
    with pytest.raises(redshift_connector.InterfaceError):
        cur.execute("SELECT 1")
    with pytest.raises(StandInError):
        stand_in.admin_execute("SELECT 1")
    with contextlib.suppress(redshift_connector.InterfaceError):
        conn.close()
