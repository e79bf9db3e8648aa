"""A pipeline moves between dlt 1.31.0 and this dlt on the same dataset, both ways: each run
takes over the state and schema the other left in the destination and loads only new rows.

Runs in the `upgrade` nox session, which installs the real dlt 1.31.0 in a second virtual
environment and names its Python in DLT_PEER_PYTHON; PostgreSQL is a throwaway server the fixture
starts (tests/support/pg_server.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

SCRIPT = Path(__file__).parent / "pipeline_script.py"
SOURCES_SCRIPT = Path(__file__).parent / "sources_script.py"


@pytest.fixture(scope="session")
def peer_python() -> str:
    path = os.environ.get("DLT_PEER_PYTHON")
    if not path or not Path(path).exists():
        pytest.fail("DLT_PEER_PYTHON must name a Python with dlt 1.31.0 installed; run these"
                    " tests with `nox -s upgrade`, which makes one")
    return path


@pytest.fixture(scope="session")
def postgres_url():
    sys.path.insert(0, str(Path(__file__).parents[1] / "support"))
    from pg_server import start_stand_in

    server = start_stand_in(database="dlt_data", user="loader", proxy=False)
    try:
        yield server.postgres_url
    finally:
        server.stop()


def _run(python: str, rows: int, destination: str, credentials: str, pipelines_dir: Path,
         script: Path = SCRIPT, expect_failure: bool = False, **env_vars: str) -> dict | str:
    env = {**os.environ, "UPGRADE_ROWS": str(rows), "UPGRADE_DESTINATION": destination,
           "UPGRADE_CREDENTIALS": credentials, "UPGRADE_PIPELINES_DIR": str(pipelines_dir),
           "RUNTIME__LOG_LEVEL": "WARNING", **env_vars}
    done = subprocess.run([python, str(script)], env=env, capture_output=True, text=True,
                          timeout=300, cwd=pipelines_dir.parent)
    if expect_failure:
        assert done.returncode != 0, done.stdout
        return done.stderr
    assert done.returncode == 0, f"{python} failed:\n{done.stdout}\n{done.stderr[-4000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def _expected(rows: int, loads: int) -> dict:
    return {
        "events": [[rows, rows, str(sum(Decimal("1.25") * i for i in range(rows)))]],
        "tags": [[2 * rows]],
        "log": [[rows, rows]],
        "loads": [[loads]],
    }


def _check(result: dict, rows: int, loads: int) -> None:
    events = result["events"][0]
    result = {**result, "events": [[events[0], events[1], str(Decimal(events[2]).normalize())]]}
    expected = _expected(rows, loads)
    expected["events"][0][2] = str(Decimal(expected["events"][0][2]).normalize())
    assert {key: result[key] for key in expected} == expected
    assert result["seq"] == rows - 1
    assert result["customers"] == [[5, 0]] and result["phones"] == [[10]]
    assert result["products"][0][0] == 5 and Decimal(result["products"][0][1]) == 5 * rows + 10
    assert result["sizes"] == [[10]]
    assert result["last_value"].startswith(f"2024-01-0{1 + (rows - 1) // 24}T")


@pytest.mark.parametrize("destination", ["duckdb", "postgres"])
def test_runs_alternate_between_dlt_131_and_this_dlt(destination, peer_python, tmp_path, request):
    if destination == "duckdb":
        credentials = str(tmp_path / "upgrade.duckdb")
    else:
        credentials = request.getfixturevalue("postgres_url")
    ours = sys.executable
    # every run on a new machine: the state comes from the destination only
    steps = [(peer_python, 10), (ours, 15), (peer_python, 20), (ours, 25), (ours, 27),
             (peer_python, 30)]
    versions = []
    for number, (python, rows) in enumerate(steps, start=1):
        result = _run(python, rows, destination, credentials, tmp_path / f"run{number}")
        _check(result, rows, loads=number)
        versions.append(result["schema_versions"][0][0])
    # both compute the same version hash for the same schema: after the first run's, no new
    # schema version is stored
    assert versions == [versions[0]] * len(steps)


def test_dlt_131_and_this_dlt_share_a_working_dir(peer_python, tmp_path):
    """`pipelines_dir` named in the script: each dlt opens the local state and schema files the
    other wrote (1.31 refuses a schema file whose hash is not its own as externally modified)."""
    credentials = str(tmp_path / "shared.duckdb")
    shared = tmp_path / "pipelines"
    for number, (python, rows) in enumerate(
            [(peer_python, 10), (sys.executable, 15), (peer_python, 20), (sys.executable, 25)],
            start=1):
        result = _run(python, rows, "duckdb", credentials, shared)
        _check(result, rows, loads=number)


@pytest.fixture
def items_api(tmp_path):
    """A local REST API on 127.0.0.1: `/items?since=...` serves the first `<tmp>/api_rows` items
    with `updated_at` at or after `since`."""
    class Items(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the handler's name
            count = int((tmp_path / "api_rows").read_text())
            since = parse_qs(urlparse(self.path).query).get("since", [""])[0]
            rows = [{"id": i, "updated_at": f"2024-01-01T{i // 60:02d}:{i % 60:02d}:00Z"}
                    for i in range(count)]
            body = json.dumps({"data": [r for r in rows if r["updated_at"] >= since]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Items)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_verified_sources_take_over_the_cursors_of_dlt_131(peer_python, tmp_path, items_api):
    """sql_database, filesystem and rest_api incrementals (a SQLite text timestamp, an integer
    key, file modification datetimes, an ISO text query parameter) continue across the two
    dlts, each run on a new working dir."""
    steps = [(peer_python, 30), (sys.executable, 40), (peer_python, 50), (sys.executable, 55)]
    for number, (python, rows) in enumerate(steps, start=1):
        result = _run(python, rows, "duckdb", "", tmp_path / f"run{number}", SOURCES_SCRIPT,
                      UPGRADE_WORKDIR=str(tmp_path), UPGRADE_API_URL=items_api)
        assert result == {"items": [[rows, rows]], "items_log": [[rows, rows]],
                          "file_rows": [[rows, rows]], "api_items": [[rows, rows]]}, (
                              number, python)


def test_a_filesystem_bucket_passes_between_dlt_131_and_this_dlt(peer_python, tmp_path):
    """State and schema files in the bucket: each dlt restores the other's cursor, and the
    schema, hashed alike by both, is stored once."""
    steps = [(peer_python, 5), (sys.executable, 8), (peer_python, 10), (sys.executable, 12)]
    for number, (python, rows) in enumerate(steps, start=1):
        result = _run(python, rows, "filesystem", "", tmp_path / f"run{number}",
                      Path(__file__).parent / "lake_script.py", UPGRADE_WORKDIR=str(tmp_path))
        assert result == {"events": [rows, rows], "schema_files": 1}, (number, python)


def test_packages_dlt_131_left_pending_are_not_skipped(peer_python, tmp_path):
    """dlt 1.31 extracts and stops; here no step runs past its package (its state already counts
    the rows); once 1.31 has loaded it, this dlt goes on with nothing lost or loaded twice."""
    credentials = str(tmp_path / "pending.duckdb")
    shared = tmp_path / "pipelines"
    _check(_run(peer_python, 10, "duckdb", credentials, shared), 10, loads=1)
    _run(peer_python, 15, "duckdb", credentials, shared, UPGRADE_STEP="extract")
    error = _run(sys.executable, 20, "duckdb", credentials, shared, expect_failure=True)
    assert "PendingPackagesOfDlt131" in error and "drop-pending-packages" in error
    # 1.31's run loads only its pending package: the rows up to 15
    _check(_run(peer_python, 15, "duckdb", credentials, shared), 15, loads=2)
    _check(_run(sys.executable, 20, "duckdb", credentials, shared), 20, loads=3)
