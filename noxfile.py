"""Test sessions: each distribution is tested in its own virtual environment.

Only the distribution under test, the distributions it declares, and the test tools are
installed there, each from its own folder, so a missing dependency declaration fails here and
not on a user's machine. Virtual environments are reused between runs (installs still run, so
changed dependencies are picked up) to keep repeated runs fast.
"""

from __future__ import annotations

import nox

nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = [
    "core", "cli", "redshift", "bigquery", "postgres", "sqlalchemy", "rest-api", "sql-database",
    "filesystem-source", "compat", "upgrade", "airflow",
]
nox.options.error_on_missing_interpreters = True

TEST_TOOLS = ["pytest>=8", "pytest-timeout>=2"]
EXAMPLE_PLUGIN = "./tests/plugins/example-plugin"
#: the plugin author's guide's SQL destination (docs/plugins/sql-destination.md)
SQLITE_EXAMPLE_PLUGIN = "./tests/plugins/sqlite-destination"


def install_local(session: nox.Session, *folders: str, extras: tuple[str, ...] = ()) -> None:
    """Install local distributions with their declared dependencies, rebuilt on every run.

    `extras` are requirement strings installed alongside (e.g. an optional extra under test).
    """
    session.install(*TEST_TOOLS, *folders, *extras)
    session.install("--no-deps", "--force-reinstall", *folders)


@nox.session
def core(session: nox.Session) -> None:
    """dlt-core with the example third-party plugin: engine, plugin system, conformance suite."""
    # the pandas extra is what DataFrame users install; the DataFrame tests need it. The
    # filesystem, deltalake and pyiceberg extras: the filesystem destination tests on memory://
    # buckets and real Delta / Iceberg tables (17-80 s more to install into a fresh venv,
    # measured on the shared 2-core machine). The tqdm extra: the progress bar tests draw real bars
    install_local(session, "./dlt-core", EXAMPLE_PLUGIN, SQLITE_EXAMPLE_PLUGIN,
                  extras=("./dlt-core[pandas,tqdm,filesystem,deltalake,pyiceberg]",))
    session.run("pytest", "tests/core", "tests/plugins", *session.posargs)


@nox.session(python="3.10", name="core-3.10")
def core_oldest_python(session: nox.Session) -> None:
    """The core suite on the oldest supported Python (not run by default: needs python3.10)."""
    core(session)


@nox.session
def cli(session: nox.Session) -> None:
    """dlt-cli, run as the real `dlt` console script, with every first-party plugin installed.

    The `dashboard` extra brings the web libraries of `dlt pipeline NAME show`; its tests load the
    page in Debian's headless Chromium, which their fixture installs with apt-get when missing.
    """
    # the source plugins with the extras their `dlt init` templates name in requirements.txt
    # (the tests run the written scripts); duckdb comes with dlt-core
    install_local(
        session,
        "./dlt-core",
        "./dlt-cli",
        "./dlt-destination-bigquery",
        "./dlt-destination-redshift",
        "./dlt-source-rest-api",
        "./dlt-source-sql-database",
        "./dlt-source-filesystem",
        EXAMPLE_PLUGIN,
        SQLITE_EXAMPLE_PLUGIN,
        extras=("./dlt-cli[dashboard]", "./dlt-source-sql-database[pyarrow]", "./dlt-source-filesystem[csv]"),
    )
    session.run("pytest", "tests/cli", *session.posargs)


@nox.session
def redshift(session: nox.Session) -> None:
    """dlt-destination-redshift against a throwaway PostgreSQL that the fixtures start."""
    # the pandas extra: the tests read results back with cursor.df()
    install_local(session, "./dlt-core", "./dlt-destination-redshift", extras=("./dlt-core[pandas]",))
    session.run("pytest", "tests/redshift", *session.posargs)


@nox.session
def postgres(session: nox.Session) -> None:
    """dlt-destination-postgres against a throwaway PostgreSQL that the fixtures start."""
    # pandas: the tests read results with cursor.df(), as users do
    install_local(session, "./dlt-core", "./dlt-destination-postgres", extras=("./dlt-core[pandas]",))
    session.run("pytest", "tests/postgres", *session.posargs)


@nox.session
def sqlalchemy(session: nox.Session) -> None:
    """dlt-destination-sqlalchemy on SQLite database files (the driver is in the stdlib) and on a
    throwaway MariaDB that the fixtures start (tests/support/mariadb_server.py, apt-get installs
    Debian's mariadb-server when it is missing) through the [mysql] extra's pymysql."""
    # pandas: the tests read results with cursor.df(), as users do
    install_local(session, "./dlt-core", "./dlt-destination-sqlalchemy",
                  extras=("./dlt-core[pandas]", "./dlt-destination-sqlalchemy[mysql]"))
    session.run("pytest", "tests/sqlalchemy", *session.posargs)


@nox.session
def bigquery(session: nox.Session) -> None:
    """dlt-destination-bigquery against a BigQuery emulator server that the fixtures start."""
    install_local(session, "./dlt-core", "./dlt-destination-bigquery")
    session.run("pytest", "tests/bigquery", *session.posargs)


@nox.session(name="rest-api")
def rest_api(session: nox.Session) -> None:
    """dlt-source-rest-api against a real HTTP server on 127.0.0.1 that the fixtures start."""
    # the [jwt] extra brings PyJWT and cryptography, which OAuthJWTAuth's tests need
    install_local(session, "./dlt-core", "./dlt-source-rest-api", extras=("./dlt-source-rest-api[jwt]",))
    session.run("pytest", "tests/rest_api", *session.posargs)


@nox.session(name="sql-database")
def sql_database(session: nox.Session) -> None:
    """dlt-source-sql-database on SQLite files and a throwaway PostgreSQL (started by
    tests/support/pg_server.py), loading into DuckDB."""
    # the [pandas] extra brings the Arrow and pandas backends; psycopg2 is the PostgreSQL driver
    install_local(session, "./dlt-core", "./dlt-source-sql-database",
                  extras=("./dlt-source-sql-database[pandas]", "psycopg2-binary>=2.9"))
    session.run("pytest", "tests/sql_database", *session.posargs)


@nox.session(name="filesystem-source")
def filesystem_source(session: nox.Session) -> None:
    """dlt-source-filesystem on real files in temp folders, loading into DuckDB."""
    # the [readers] extra brings pandas (read_csv) and pyarrow (read_parquet)
    install_local(session, "./dlt-core", "./dlt-source-filesystem",
                  extras=("./dlt-source-filesystem[readers]",))
    session.run("pytest", "tests/filesystem_source", *session.posargs)


@nox.session
def airflow(session: nox.Session) -> None:
    """dlt-airflow on a real Apache Airflow 3.3.2 (SQLite metadata DB in a temp AIRFLOW_HOME, DAGs
    run with `dag.test()`), loading into DuckDB and a throwaway PostgreSQL; `dlt deploy` DAGs."""
    # the constraints pin what Airflow resolved to, so pip does not search the whole graph again
    install_local(session, "./dlt-core", "./dlt-airflow", "./dlt-cli", "./dlt-destination-postgres",
                  extras=("apache-airflow==3.3.2", "-c", "tests/airflow/constraints.txt"))
    session.run("pytest", "tests/airflow", *session.posargs)


@nox.session
def compat(session: nox.Session) -> None:
    """The dlt 1.31 corpora (`../shared/compat*/`) run unchanged; the ratchet lists what must pass.

    `DLT_COMPAT_ROOT` points at another folder holding `compat/` and `compat-ecosystem/`.
    """
    # the plugins the corpus scripts use; pandas and psycopg2-binary are what those scripts
    # themselves import to check their results
    install_local(
        session, "./dlt-core", "./dlt-destination-postgres", "./dlt-destination-sqlalchemy",
        "./dlt-source-rest-api", "./dlt-source-sql-database", "./dlt-source-filesystem",
        extras=("./dlt-core[pandas]", "./dlt-source-sql-database[pandas]",
                "./dlt-source-filesystem[readers]", "pydantic>=2", "psycopg2-binary>=2.9"),
    )
    session.run("python", "tests/compat/run_corpus.py", "tests/compat/expected-pass.txt")


#: the reference release, with the DuckDB and sqlglot it works with (1.31 breaks on DuckDB 2)
#: and pandas, which its read_csv needs
PEER_REQUIREMENTS = ("dlt[duckdb,postgres,sqlalchemy]==1.31.0", "duckdb==1.5.6",
                     "sqlglot==30.21.0", "pandas")


@nox.session
def upgrade(session: nox.Session) -> None:
    """A pipeline moves between the real dlt 1.31.0 and this dlt on one DuckDB and one PostgreSQL
    dataset, both ways, also with the sql_database, filesystem and rest_api sources. dlt 1.31 gets a virtual environment of its own beside this session's
    (reused like the others); the tests run it as a subprocess."""
    install_local(session, "./dlt-core", "./dlt-destination-postgres",
                  "./dlt-source-sql-database", "./dlt-source-filesystem",
                  "./dlt-source-rest-api", extras=("./dlt-source-filesystem[readers]",))
    from pathlib import Path

    peer = Path(session.virtualenv.location).parent / "upgrade-peer"
    peer_python = peer / "bin" / "python"
    if not peer_python.exists():
        session.run("python", "-m", "venv", str(peer))
    session.run(str(peer_python), "-m", "pip", "install", "-q", *PEER_REQUIREMENTS, external=True)
    session.run("pytest", "tests/upgrade", *session.posargs,
                env={"DLT_PEER_PYTHON": str(peer_python)})
