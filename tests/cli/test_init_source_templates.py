"""`dlt init` of the first-party sources writes the template their plugins ship, and the written
script loads real data: a SQLite file, a folder of files, an HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import sqlite3
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.metadata import version
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import duckdb
import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from cli_helpers import Project


def row_count(project: Project, pipeline: str, table: str) -> int:
    """Rows of `table` in the DuckDB file the pipeline wrote into the project directory."""
    with duckdb.connect(str(project.path / f"{pipeline}.duckdb"), read_only=True) as connection:
        return connection.execute(f"SELECT count(*) FROM {pipeline}_data.{table}").fetchone()[0]


def set_toml_value(path: Path, section: str, stub: str, line: str) -> None:
    """Replace the (commented) stub line of `[section]` starting with `stub` by `line`, as a
    user would."""
    lines = path.read_text().splitlines()
    start = lines.index(f"[{section}]")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("[")), len(lines))
    matches = [i for i in range(start, end) if lines[i].startswith(stub)]
    assert len(matches) == 1, f"{stub!r} not found once in [{section}] of {path.read_text()}"
    lines[matches[0]] = line
    path.write_text("\n".join(lines) + "\n")


# -- sql_database ---------------------------------------------------------------------------------


def make_shop_database(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, amount REAL,"
                           " updated_at TEXT)")
        connection.executemany("INSERT INTO orders VALUES (?, ?, ?)",
                               [(i, i * 1.5, f"2024-01-{i:02d}") for i in range(1, 21)])
        connection.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        connection.executemany("INSERT INTO customers VALUES (?, ?)", [(1, "ann"), (2, "bob")])


def test_init_sql_database_writes_a_script_that_loads_a_sqlite_database(project: Project) -> None:
    database = project.path.parent / "shop.db"
    make_shop_database(database)

    init = project.dlt("init", "sql_database", "duckdb")
    assert init.returncode == 0, init.stderr
    set_toml_value(project.path / ".dlt" / "secrets.toml", "sources.sql_database",
                   "# credentials = ", f'credentials = "sqlite:///{database}"')
    run = project.python("sql_database_pipeline.py")

    assert "template of dlt-source-sql-database" in init.stdout
    assert "SOURCES__SQL_DATABASE__CREDENTIALS" in init.stdout
    assert row_count(project, "sql_database", "orders") == 20
    assert row_count(project, "sql_database", "customers") == 2
    assert "orders: 20" in run.stdout


def test_sql_database_template_settings_and_requirements(project: Project) -> None:
    init = project.dlt("init", "sql_database", "duckdb")

    assert init.returncode == 0, init.stderr
    config = tomllib.loads((project.path / ".dlt" / "config.toml").read_text())
    secrets_text = (project.path / ".dlt" / "secrets.toml").read_text()
    assert config["sources"]["sql_database"] == {"backend": "pyarrow", "chunk_size": 50000}
    assert "# table_names = " in (project.path / ".dlt" / "config.toml").read_text()
    assert "[sources.sql_database]\n# credentials = " in secrets_text
    assert (project.path / "requirements.txt").read_text().splitlines() == [
        f"dlt-core>={version('dlt-core')}",
        f"dlt-source-sql-database[pyarrow]>={version('dlt-source-sql-database')}",
    ]


def test_sql_database_script_loads_a_table_incrementally(project: Project) -> None:
    database = project.path.parent / "shop.db"
    make_shop_database(database)
    env = {"SOURCES__SQL_DATABASE__CREDENTIALS": f"sqlite:///{database}",
           "SOURCES__SQL_DATABASE__TABLE_NAMES": '["orders"]'}
    call = "import sql_database_pipeline as p; p.load_table_incrementally('orders', 'updated_at')"
    assert project.dlt("init", "sql_database", "duckdb").returncode == 0
    project.write("incremental.py", call)

    project.python("incremental.py", **env)
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE orders SET amount = -1, updated_at = '2024-02-01' WHERE id = 3")
        connection.execute("INSERT INTO orders VALUES (21, 1.0, '2024-02-02')")
    second = project.python("incremental.py", **env)

    assert "orders: 2" in second.stdout  # only the changed and the new row
    assert row_count(project, "sql_database", "orders") == 21
    with duckdb.connect(str(project.path / "sql_database.duckdb"), read_only=True) as connection:
        assert connection.execute("SELECT amount FROM sql_database_data.orders WHERE id = 3"
                              ).fetchone() == (-1.0,)


# -- filesystem -----------------------------------------------------------------------------------


def test_init_filesystem_writes_a_script_that_loads_csv_and_jsonl_files(project: Project) -> None:
    folder = project.path.parent / "exports"
    (folder / "2024").mkdir(parents=True)
    (folder / "orders.csv").write_text("id,amount\n1,2.5\n2,3.5\n")
    (folder / "2024" / "more_orders.csv").write_text("id,amount\n3,4.5\n")
    (folder / "events.jsonl").write_text('{"id": 1, "kind": "click"}\n{"id": 2, "kind": "view"}\n')
    (folder / "notes.txt").write_text("not data\n")

    init = project.dlt("init", "filesystem", "duckdb")
    assert init.returncode == 0, init.stderr
    set_toml_value(project.path / ".dlt" / "secrets.toml", "sources.filesystem",
                   "# bucket_url = ", f'bucket_url = "{folder.as_posix()}"')
    first = project.python("filesystem_pipeline.py")
    second = project.python("filesystem_pipeline.py")  # no new files: nothing to load

    assert row_count(project, "filesystem", "csv_rows") == 3
    assert row_count(project, "filesystem", "jsonl_rows") == 2
    assert "csv_rows: 3" in first.stdout and "jsonl_rows: 2" in first.stdout
    assert "csv_rows" not in second.stdout
    assert (project.path / "requirements.txt").read_text().splitlines()[1] == (
        f"dlt-source-filesystem[csv]>={version('dlt-source-filesystem')}")


def test_filesystem_script_passes_storage_options_from_secrets(project: Project) -> None:
    folder = project.path.parent / "exports"
    folder.mkdir()
    (folder / "orders.csv").write_text("id,amount\n1,2.5\n")

    assert project.dlt("init", "filesystem", "duckdb").returncode == 0
    secrets = project.path / ".dlt" / "secrets.toml"
    set_toml_value(secrets, "sources.filesystem", "# bucket_url = ",
                   f'bucket_url = "{folder.as_posix()}"')
    # a real option of fsspec's local filesystem, to prove the mapping reaches fsspec
    set_toml_value(secrets, "sources.filesystem", "# credentials = ",
                   "credentials = { auto_mkdir = true }")
    project.python("filesystem_pipeline.py")

    assert row_count(project, "filesystem", "csv_rows") == 1


# -- rest_api -------------------------------------------------------------------------------------

POSTS = [{"id": i, "title": f"post {i}", "updated_at": f"2024-01-{i:02d}T00:00:00Z"}
         for i in range(1, 6)]
TOKEN = "s3cret-token"


class BlogApi(BaseHTTPRequestHandler):
    """/posts (paged by `per_page` with Link headers, filtered by `since`) and
    /posts/<id>/comments; every request needs the bearer token."""

    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        type(self).requests.append(self.path)
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self.reply(401, {"error": "bad token"})
        parts = url.path.strip("/").split("/")
        if parts == ["api", "posts"]:
            since = query.get("since", "")
            posts = [post for post in POSTS if post["updated_at"] >= since]
            size, page = int(query.get("per_page", "100")), int(query.get("page", "1"))
            chunk = posts[(page - 1) * size:page * size]
            headers = {}
            if page * size < len(posts):
                following = f"/api/posts?per_page={size}&since={since}&page={page + 1}"
                headers["Link"] = f'<http://{self.headers["Host"]}{following}>; rel="next"'
            return self.reply(200, chunk, headers)
        if len(parts) == 4 and parts[:2] == ["api", "posts"] and parts[3] == "comments":
            post = int(parts[2])
            return self.reply(200, [{"id": post * 10 + n, "post_id": post, "body": "hi"}
                                    for n in (1, 2)])
        return self.reply(404, {"error": "no such path"})

    def reply(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet
        pass


@pytest.fixture
def blog_api() -> Iterator[str]:
    """The base URL of a BlogApi server on 127.0.0.1 (a free port)."""
    BlogApi.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), BlogApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/"
    finally:
        server.shutdown()
        server.server_close()


def test_init_rest_api_writes_a_script_that_loads_an_http_api(project: Project, blog_api: str) -> None:
    init = project.dlt("init", "rest_api", "duckdb")
    assert init.returncode == 0, init.stderr
    set_toml_value(project.path / ".dlt" / "config.toml", "sources.rest_api",
                   "# base_url = ", f'base_url = "{blog_api}"')
    set_toml_value(project.path / ".dlt" / "config.toml", "sources.rest_api", "page_size = ",
                   "page_size = 2")
    run = project.python("rest_api_pipeline.py", SOURCES__REST_API__TOKEN=TOKEN)

    assert row_count(project, "rest_api", "posts") == 5
    assert row_count(project, "rest_api", "comments") == 10
    assert "posts: 5" in run.stdout
    pages = [path for path in BlogApi.requests if path.startswith("/api/posts?")]
    assert len(pages) == 3  # 5 posts, 2 per page
    assert TOKEN not in run.stdout + run.stderr


def test_rest_api_script_asks_only_for_posts_updated_since_the_last_run(
    project: Project, blog_api: str
) -> None:
    assert project.dlt("init", "rest_api", "duckdb").returncode == 0
    env = {"SOURCES__REST_API__BASE_URL": blog_api, "SOURCES__REST_API__TOKEN": TOKEN}
    project.python("rest_api_pipeline.py", **env)
    BlogApi.requests = []

    project.python("rest_api_pipeline.py", **env)

    first_page = next(path for path in BlogApi.requests if path.startswith("/api/posts?"))
    assert "since=2024-01-05T00%3A00%3A00Z" in first_page or "since=2024-01-05T00:00:00Z" in first_page
    assert row_count(project, "rest_api", "posts") == 5  # merged on id: no duplicates


def test_rest_api_template_keeps_the_token_in_secrets_toml(project: Project) -> None:
    init = project.dlt("init", "rest_api", "duckdb")

    assert init.returncode == 0, init.stderr
    secrets = (project.path / ".dlt" / "secrets.toml").read_text()
    config = (project.path / ".dlt" / "config.toml").read_text()
    assert "[sources.rest_api]\n# token = " in secrets and "token" not in config
    assert "# base_url = " in config
    assert "sources.rest_api.base_url in .dlt/config.toml" in init.stdout


# -- listing and missing plugins ------------------------------------------------------------------


def test_init_of_a_first_party_source_whose_plugin_is_missing_names_the_pip_install(
    project: Project
) -> None:
    result = project.dlt("init", "rest_api", "duckdb", DLT_DISABLE_PLUGINS="rest_api")

    assert result.returncode == 1
    assert "pip install dlt-source-rest-api" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(project.path.iterdir()) == []


def test_list_sources_says_which_first_party_sources_are_installed(project: Project) -> None:
    result = project.dlt("init", "--list-sources", "--json", DLT_DISABLE_PLUGINS="sql_database")
    table = project.dlt("init", "--list-sources", DLT_DISABLE_PLUGINS="sql_database")

    assert result.returncode == 0, result.stderr
    entries = {e["name"]: e for e in json.loads(result.stdout)}
    assert entries["sql_database"]["installed"] is False
    assert entries["sql_database"]["distribution"] == "dlt-source-sql-database"
    assert entries["rest_api"]["installed"] is True and entries["rest_api"]["template"] is True
    assert entries["filesystem"]["version"] == version("dlt-source-filesystem")
    assert "no: pip install dlt-source-sql-database" in table.stdout
