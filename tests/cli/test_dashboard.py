"""`dlt pipeline NAME show`: the web dashboard, run as a real `dlt` process on 127.0.0.1 over a
real DuckDB pipeline, read over HTTP and rendered by headless Chromium."""

from __future__ import annotations

import os
import re
import select
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from browser import BrowserUnavailable, dump_dom, find_or_install_chromium, screenshot
from cli_helpers import Project, dlt_script

REPO_ROOT = Path(__file__).resolve().parents[2]
SECRET_API_KEY = "sk-dashboard-7f3a9c1e"
ORDER_COUNT = 130
EVIL = "<script>alert('x')</script>"

#: `shop`: 130 orders (merge, one with a <script> customer) with nested items, customers, a
#: secret resolved from the environment, then a second run whose load fails on a CHECK constraint
DASHBOARD_PIPELINE = """
    import dlt


    @dlt.resource(primary_key="id", merge_key="region", write_disposition="merge")
    def orders(api_key=dlt.secrets.value):
        assert api_key  # resolved from SOURCES__..., so the trace knows where it came from
        yield [{"id": i, "region": "eu" if i % 2 else "us",
                "customer": "EVIL" if i == 1 else f"customer {i}",
                "items": [{"sku": f"sku-{i}", "qty": i}]} for i in range(1, ORDER_COUNT + 1)]


    @dlt.resource()
    def customers():
        yield [{"name": "ann"}, {"name": "bob"}]


    pipeline = dlt.pipeline("shop", destination="duckdb", dataset_name="shop_data")
    pipeline.run([orders, customers])
    with pipeline.sql_client() as client:
        table = client.make_qualified_table_name("customers")
        client.execute_sql(f"DROP TABLE {table}")
        client.execute_sql(f"CREATE TABLE {table} (name VARCHAR CHECK (name <> 'bad'),"
                           " _dlt_load_id VARCHAR NOT NULL, _dlt_id VARCHAR NOT NULL)")
    try:
        pipeline.run([dlt.resource([{"name": "bad"}], name="customers")])
    except Exception as exc:
        print("failed as planned:", type(exc).__name__)
""".replace("ORDER_COUNT", str(ORDER_COUNT)).replace('"EVIL"', repr(EVIL))


class Dashboard:
    """A running `dlt pipeline NAME show --port 0 --no-browser` process and its URL."""

    def __init__(self, project: Project, *args: str, cwd: Path | None = None) -> None:
        self.process = subprocess.Popen(
            [dlt_script(), "pipeline", "shop", "show", "--port", "0", "--no-browser", *args],
            env=project.env(), cwd=cwd or project.path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL, text=True,
        )
        self.first_line = self._read_line(timeout=60)
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", self.first_line)
        assert match, f"no URL in {self.first_line!r}; stderr: {self._stderr_now()}"
        self.url = match.group(0)
        self.port = int(match.group(1))

    def _read_line(self, timeout: float) -> str:
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        return self.process.stdout.readline() if ready else ""

    def _stderr_now(self) -> str:
        if self.process.poll() is None:
            return "(still running)"
        return self.process.stderr.read() if self.process.stderr else ""

    def get(self, path: str) -> tuple[int, str]:
        """The status and HTML of `path`."""
        try:
            with urllib.request.urlopen(self.url.rstrip("/") + path, timeout=60) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8")

    def page(self, path: str) -> str:
        status, body = self.get(path)
        assert status == 200, body
        return body

    def interrupt(self, timeout: float = 30, signum: int = signal.SIGINT) -> tuple[int, str, str]:
        """Send SIGINT (Ctrl-C), or `signum`; the exit code and the rest of stdout and stderr."""
        self.process.send_signal(signum)
        out, err = self.process.communicate(timeout=timeout)
        return self.process.returncode, out, err

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.communicate()


class Tables(HTMLParser):
    """The text of every cell of the HTML tables of a page, by table id: {id: [[cell, ...], ...]}."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._table = dict(attrs).get("id") or f"table{len(self.tables)}"
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._table is not None and self._row is not None:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def rows(self, table_id: str) -> list[dict[str, str]]:
        """The body rows of table `table_id` as {header: cell}."""
        header, *body = self.tables[table_id]
        return [dict(zip(header, row, strict=True)) for row in body if len(row) == len(header)]


def artifacts_dir() -> Path:
    """Where screenshots are kept: `$DLT_TEST_ARTIFACTS`, else `test-artifacts/` (git-ignored)."""
    return Path(os.environ.get("DLT_TEST_ARTIFACTS") or REPO_ROOT / "test-artifacts")


def port_is_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's Chromium, installed with apt-get when it is missing."""
    try:
        return find_or_install_chromium()
    except BrowserUnavailable as exc:
        pytest.skip(f"headless Chromium is not available: {exc}")


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A project whose `shop` pipeline loaded once into DuckDB and then failed a load."""
    root = tmp_path_factory.mktemp("dashboard")
    (root / "site").mkdir()
    project = Project(root / "project", root / "pipelines", root / "site")
    project.run_pipeline_script("shop_pipeline.py", DASHBOARD_PIPELINE, SOURCES__API_KEY=SECRET_API_KEY)
    return project


@pytest.fixture(scope="module")
def dashboard(shop: Project) -> Iterator[Dashboard]:
    """The dashboard of `shop`, served for the tests of this module."""
    running = Dashboard(shop)
    yield running
    running.stop()


def loaded_load_ids(project: Project) -> list[str]:
    import json

    result = project.dlt("pipeline", "shop", "info", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["loaded_packages"]


# -- over HTTP -----------------------------------------------------------------------------------


def test_show_prints_the_url_it_serves_on_127_0_0_1(dashboard: Dashboard) -> None:
    assert dashboard.first_line.strip() == f"Dashboard of pipeline shop: http://127.0.0.1:{dashboard.port}/"
    assert dashboard.port > 0 and port_is_open(dashboard.port)


def test_overview_lists_every_table_with_its_row_count(dashboard: Dashboard) -> None:
    tables = {row["table"]: row for row in Tables(dashboard.page("/")).rows("table-list")}

    assert set(tables) == {"orders", "orders__items", "customers"}
    assert tables["orders"]["rows"] == str(ORDER_COUNT)
    assert tables["orders"]["write disposition"] == "merge"
    assert tables["orders__items"]["rows"] == str(ORDER_COUNT)
    assert tables["orders__items"]["parent"] == "orders"
    # the second run's customers row failed to load; the recreated table is empty
    assert tables["customers"]["rows"] == "0"


def test_overview_shows_columns_with_types_and_hints(dashboard: Dashboard) -> None:
    tables = Tables(dashboard.page("/"))
    orders = {row["column"]: row for row in tables.rows("columns-orders")}
    items = {row["column"]: row for row in tables.rows("columns-orders__items")}

    assert (orders["id"]["data type"], orders["id"]["nullable"]) == ("bigint", "no")
    assert "primary_key" in orders["id"]["hints"].split()
    assert "merge_key" in orders["region"]["hints"].split()
    assert (orders["customer"]["data type"], orders["customer"]["nullable"]) == ("text", "yes")
    assert {"row_key", "unique"} <= set(orders["_dlt_id"]["hints"].split())
    assert "parent_key" in items["_dlt_parent_id"]["hints"].split()


def test_overview_lists_the_loads_of_dlt_loads(dashboard: Dashboard, shop: Project) -> None:
    loads = Tables(dashboard.page("/")).rows("load-list")

    assert [load["load_id"] for load in loads] == list(reversed(loaded_load_ids(shop)))
    assert all(load["status"] == "0 (loaded)" and load["schema_name"] == "shop" for load in loads)


def test_overview_shows_the_steps_of_the_last_run_with_their_times(dashboard: Dashboard) -> None:
    steps = {row["step"]: row for row in Tables(dashboard.page("/")).rows("step-list") if "step" in row}

    assert list(steps) == ["extract", "normalize", "load"]
    for step in steps.values():
        assert re.fullmatch(r"\d+\.\d\d s", step["duration"])
    assert steps["extract"]["outcome"] == steps["normalize"]["outcome"] == "completed"
    assert steps["load"]["outcome"] == "failed"
    assert "customers: 1" in steps["normalize"]["details"]


def test_overview_shows_the_pending_package_and_its_failed_job(dashboard: Dashboard, shop: Project) -> None:
    page = dashboard.page("/")
    packages = Tables(page).rows("package-list")
    loaded = loaded_load_ids(shop)

    pending = [p for p in packages if p["load id"] and p["load id"] not in loaded]
    assert len(pending) == 1 and pending[0]["state"] == "normalized, failed"
    assert "1 failed" in pending[0]["jobs"]
    assert "waits for a retry" in page and "CHECK constraint failed" in page
    assert [p["state"] for p in packages if p["load id"] in loaded] == ["loaded"]


def test_overview_names_where_config_came_from_but_never_a_secret(dashboard: Dashboard) -> None:
    overview = dashboard.page("/")
    config = Tables(overview).rows("config-list")

    assert {"key": "SOURCES__API_KEY", "secret": "yes"}.items() <= next(
        c for c in config if c["key"] == "SOURCES__API_KEY").items()
    for path in ("/", "/tables/orders", "/tables/_dlt_pipeline_state", "/tables/_dlt_loads"):
        assert SECRET_API_KEY not in dashboard.get(path)[1]


def test_table_page_moves_through_the_rows_fifty_at_a_time(dashboard: Dashboard) -> None:
    pages = [Tables(dashboard.page(f"/tables/orders?page={n}")).rows("rows") for n in (1, 2, 3)]

    ids = [[int(row["id"]) for row in page] for page in pages]
    assert ids == [list(range(1, 51)), list(range(51, 101)), list(range(101, ORDER_COUNT + 1))]
    first = dashboard.page("/tables/orders?page=1")
    last = dashboard.page("/tables/orders?page=3")
    assert 'href="?page=2"' in first and "rows 1&ndash;50" in first and "page 1 of 3" in first
    assert 'href="?page=2"' in last and 'href="?page=4"' not in last and "rows 101&ndash;130" in last


def test_table_page_of_a_nested_table_links_its_parent(dashboard: Dashboard) -> None:
    page = dashboard.page("/tables/orders__items")
    rows = Tables(page).rows("rows")

    assert len(rows) == 50
    assert {"sku", "qty", "_dlt_parent_id", "_dlt_list_idx"} <= set(rows[0])
    assert 'href="/tables/orders"' in page


def test_values_are_escaped_so_table_data_cannot_run_script(dashboard: Dashboard) -> None:
    page = dashboard.page("/tables/orders?page=1")

    assert EVIL not in page
    assert "&lt;script&gt;alert(" in page
    assert {row["customer"] for row in Tables(page).rows("rows")} >= {EVIL, "customer 2"}
    status, headers_page = dashboard.get("/")
    assert status == 200 and "<script" not in headers_page


def test_pages_forbid_scripts_and_answer_only_local_host_names(dashboard: Dashboard) -> None:
    with urllib.request.urlopen(dashboard.url, timeout=30) as response:
        policy = response.headers["Content-Security-Policy"]
    request = urllib.request.Request(dashboard.url, headers={"Host": f"evil.example:{dashboard.port}"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)

    assert "default-src 'none'" in policy and "script-src" not in policy
    assert refused.value.code == 400


def test_an_unknown_table_is_a_404_page(dashboard: Dashboard) -> None:
    status, page = dashboard.get("/tables/no_such_table")

    assert status == 404
    assert "Table no_such_table is not in the schema of pipeline shop." in page


# -- in a browser --------------------------------------------------------------------------------


def test_chromium_renders_the_overview(dashboard: Dashboard, chromium: str) -> None:
    dom = dump_dom(chromium, dashboard.url)
    shot = screenshot(chromium, dashboard.url, artifacts_dir() / "dashboard-overview.png")

    tables = Tables(dom)
    assert {row["table"] for row in tables.rows("table-list")} == {"orders", "orders__items", "customers"}
    assert [row["step"] for row in tables.rows("step-list") if "step" in row] == ["extract", "normalize", "load"]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_chromium_renders_a_table_page_with_the_script_value_as_text(dashboard: Dashboard, chromium: str) -> None:
    url = dashboard.url + "tables/orders?page=1"
    dom = dump_dom(chromium, url)
    screenshot(chromium, url, artifacts_dir() / "dashboard-table-orders.png")

    rows = Tables(dom).rows("rows")
    assert [int(row["id"]) for row in rows] == list(range(1, 51))
    assert rows[0]["customer"] == EVIL
    # the value is a text node: the browser made no <script> element of it
    assert "<script" not in dom


# -- starting and stopping -----------------------------------------------------------------------


def test_ctrl_c_stops_the_dashboard_with_exit_code_0_and_closes_the_port(shop: Project) -> None:
    running = Dashboard(shop)
    assert running.get("/")[0] == 200

    code, _, err = running.interrupt()

    assert code == 0, err
    assert "Dashboard stopped." in err and "Traceback" not in err
    assert not port_is_open(running.port)


def test_dashboard_elsewhere_creates_no_database_and_says_where_it_looked(shop: Project, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    running = Dashboard(shop, cwd=elsewhere)
    try:
        overview = running.page("/")
        table = running.page("/tables/orders")
    finally:
        code, _, err = running.interrupt()

    assert "is not at" in overview and str(elsewhere / "shop.duckdb") in overview
    assert "is not at" in table
    # the schema and the last run come from the working dir all the same
    assert {row["table"] for row in Tables(overview).rows("table-list")} == {"orders", "orders__items", "customers"}
    assert code == 0, err
    assert list(elsewhere.iterdir()) == []


def test_a_taken_port_is_an_error_naming_the_port(shop: Project) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = shop.dlt("pipeline", "shop", "show", "--port", str(port), "--no-browser")

    assert result.returncode == 1
    assert f"Cannot serve the dashboard on 127.0.0.1:{port}" in result.stderr
    assert "--port" in result.stderr


def test_without_the_web_libraries_show_names_the_extra_to_install(shop: Project) -> None:
    # a starlette that cannot be imported, first on the path, stands for an uninstalled one
    broken = shop.site / "starlette"
    broken.mkdir(exist_ok=True)
    (broken / "__init__.py").write_text("raise ImportError('starlette is not installed')\n")
    try:
        result = shop.dlt("pipeline", "shop", "show", "--no-browser")
    finally:
        (broken / "__init__.py").unlink()
        broken.rmdir()

    assert result.returncode == 1
    assert "pip install 'dlt-cli[dashboard]'" in result.stderr
    assert result.stderr.startswith("Error: The pipeline dashboard needs starlette")


def test_show_text_and_json_still_print_the_row_counts(shop: Project) -> None:
    import json

    as_json = shop.dlt("pipeline", "shop", "show", "--json")
    as_text = shop.dlt("pipeline", "shop", "show", "--text")

    assert {t["name"]: t["row_count"] for t in json.loads(as_json.stdout)}["orders"] == ORDER_COUNT
    assert as_text.returncode == 0, as_text.stderr
    assert any(line.split()[:2] == ["orders", "-"] for line in as_text.stdout.splitlines())


def test_sigterm_stops_the_dashboard_within_seconds_with_exit_code_0(shop: Project) -> None:
    running = Dashboard(shop)
    started = time.monotonic()

    code, _, err = running.interrupt(signum=signal.SIGTERM)

    assert code == 0, err
    assert time.monotonic() - started < 10
    assert not port_is_open(running.port)
