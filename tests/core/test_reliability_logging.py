"""Logging that helps (issue 19 item 8): INFO says what each step did (packages, tables, rows,
time); DEBUG says what each job and each SQL statement did, secrets redacted, each line once."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap

import dlt

SCRIPT = textwrap.dedent("""
    import dlt
    @dlt.resource(primary_key="id", write_disposition="merge")
    def users():
        yield [{"id": i, "tags": [1, 2]} for i in range(10)]
    pipeline = dlt.pipeline(pipeline_name="logged", destination="duckdb")
    pipeline.run(users())
    with pipeline.sql_client() as client:
        client.execute_sql("SELECT 'https://u:pw-in-url-991@host/x?api_key=abc-qk-772'")
""")


def _run(level, tmp_path):
    env = dict(os.environ, RUNTIME__LOG_LEVEL=level, DLT_PIPELINES_DIR=str(tmp_path / "p"))
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stderr.splitlines()


def test_info_says_what_each_step_did(tmp_path):
    lines = _run("INFO", tmp_path)
    assert any("extract: source logged: 10 items in 1 tables (users: 10)" in line for line in lines)
    assert any("normalize: package" in line and "30 rows in 2 tables (users: 10, users__tags: 20)" in line
               for line in lines)
    assert any("load: package" in line and "into duckdb dataset logged_dataset" in line
               and "30 rows" in line for line in lines)
    assert not any("|DEBUG|" in line for line in lines)


def test_debug_says_what_each_job_and_statement_did_with_secrets_redacted(tmp_path):
    lines = _run("DEBUG", tmp_path)
    jobs = [line for line in lines if "load: job" in line and "completed" in line]
    assert {"users", "users__tags", "_dlt_pipeline_state"} <= {line.split("(table ")[1].split(")")[0]
                                                              for line in jobs if "(table " in line}
    assert any("duckdb sql" in line and "CREATE TABLE" in line for line in lines)
    assert any("duckdb sql" in line and "_dlt_loads" in line for line in lines)
    text = "\n".join(lines)
    assert "pw-in-url-991" not in text and "abc-qk-772" not in text and "api_key=***" in text
    package_lines = [line for line in lines if "load: package" in line]
    assert len(package_lines) == len(set(package_lines)) == 1  # logged once, not twice


def test_log_records_reach_application_handlers_redacted(caplog, monkeypatch):
    monkeypatch.setenv("SOURCES__TEST_RELIABILITY_LOGGING__TOKENS__TOKEN", "tok-" + "5512aa")

    @dlt.resource
    def tokens(token: str = dlt.secrets.value):
        logging.getLogger("dlt").info("calling the api with %s", token)
        yield {"id": 1}

    with caplog.at_level(logging.INFO, logger="dlt"):
        dlt.pipeline(pipeline_name="caplogged", destination="duckdb").run(tokens())
    assert "calling the api with ***" in caplog.text and "tok-5512aa" not in caplog.text
    assert "load: package" in caplog.text
