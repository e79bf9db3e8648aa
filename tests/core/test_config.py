"""Configuration and secrets: providers, sections, injection, precedence, errors, redaction."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
import typing
from pathlib import Path

import pytest

import dlt
from dlt.configuration import ConfigFieldMissingError, reset_resolver
from dlt.configuration.providers import ConfigFileError
from dlt.pipeline.exceptions import PipelineStepFailed

PLANTED = "s3cr3t-planted-value-9f8e7d"


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def test_secret_argument_is_injected_from_env_most_specific_section_first(monkeypatch):
    @dlt.source
    def github(api_key=dlt.secrets.value, per_page: int = 10):
        return dlt.resource([{"key": api_key, "per_page": per_page}], name="probe")

    monkeypatch.setenv("SOURCES__API_KEY", "generic")
    monkeypatch.setenv("SOURCES__TEST_CONFIG__GITHUB__API_KEY", "specific")
    monkeypatch.setenv("SOURCES__GITHUB__PER_PAGE", "50")
    (item,) = list(github())
    assert item == {"key": "specific", "per_page": 50}
    # an explicit argument wins over configuration
    (item,) = list(github(api_key="explicit", per_page=3))
    assert item == {"key": "explicit", "per_page": 3}


def test_values_come_from_toml_files_in_the_project_dir():
    write(Path(".dlt/secrets.toml"), """
        [sources.shop]
        token = "from-secrets-toml"
    """)
    write(Path(".dlt/config.toml"), """
        [sources.shop]
        tags = ["a", "b"]
        limit = 5
    """)
    reset_resolver()

    @dlt.source
    def shop(token=dlt.secrets.value, tags: list = dlt.config.value, limit: int = 1):
        return dlt.resource([{"token": token, "tags": tags, "limit": limit}], name="probe")

    assert list(shop()) == [{"token": "from-secrets-toml", "tags": ["a", "b"], "limit": 5}]
    assert dlt.secrets["sources.shop.token"] == "from-secrets-toml"
    # dlt 1.31: get(key, expected_type) returns None when missing
    assert dlt.config.get("sources.shop.missing") is None
    assert dlt.config.get("sources.shop.limit", int) == 5
    dlt.secrets["sources.shop.other"] = "set-in-code"
    assert dlt.secrets["sources.shop.other"] == "set-in-code"


def test_env_values_are_parsed_as_literals_for_typed_arguments(monkeypatch):
    @dlt.resource
    def typed(flag: bool = False, ids: list = dlt.config.value, opts: dict = dlt.config.value):
        yield {"flag": flag, "ids": ids, "opts": opts}

    monkeypatch.setenv("SOURCES__TYPED__FLAG", "true")
    monkeypatch.setenv("SOURCES__TYPED__IDS", "[1, 2, 3]")
    monkeypatch.setenv("SOURCES__TYPED__OPTS", '{"a": 1}')
    assert list(typed()) == [{"flag": True, "ids": [1, 2, 3], "opts": {"a": 1}}]


def test_missing_required_value_names_every_key_and_what_to_set():
    @dlt.source
    def crm(api_key=dlt.secrets.value):
        return []

    with pytest.raises(ConfigFieldMissingError) as failure:
        crm()
    message = str(failure.value)
    assert "SOURCES__TEST_CONFIG__CRM__API_KEY" in message
    assert "sources.crm.api_key" in message and "secrets.toml" in message
    assert "[sources.test_config.crm]" in message and 'api_key = "..."' in message


def test_toml_syntax_error_names_the_file_and_line():
    write(Path(".dlt/config.toml"), "[broken\nkey = 1\n")
    reset_resolver()
    with pytest.raises(ConfigFileError, match=r"config\.toml.*line 1"):
        dlt.config.get("anything")


def test_pipeline_options_from_config_win_over_code(monkeypatch):
    monkeypatch.setenv("PIPELINE_NAME", "from_env")
    write(Path(".dlt/config.toml"), """
        [pipelines.from_env]
        dataset_name = "configured_dataset"
    """)
    reset_resolver()
    pipeline = dlt.pipeline(pipeline_name="in_code", dataset_name="code_dataset")
    assert pipeline.pipeline_name == "from_env"
    assert pipeline.dataset_name == "configured_dataset"


def test_destination_credentials_from_config(monkeypatch, tmp_path):
    monkeypatch.setenv("DESTINATION__DUCKDB__CREDENTIALS", str(tmp_path / "configured.duckdb"))
    pipeline = dlt.pipeline(pipeline_name="configured_db", destination="duckdb")
    pipeline.run([{"a": 1}], table_name="t")
    assert (tmp_path / "configured.duckdb").exists()


def test_planted_secret_never_appears_in_output_logs_errors_or_trace(monkeypatch, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("SOURCES__LEAKY__API_KEY", PLANTED)

    @dlt.source
    def leaky(api_key=dlt.secrets.value):
        @dlt.resource
        def calls():
            yield {"ok": 1}
            logging.getLogger("dlt.leaky").warning("calling with %s", api_key)
            raise RuntimeError(f"server rejected key {api_key}")

        return calls

    pipeline = dlt.pipeline(pipeline_name="leaky", destination="duckdb")
    with pytest.raises(PipelineStepFailed) as failure:
        pipeline.run(leaky())
    info = pipeline.run()
    texts = [str(failure.value), repr(failure.value), str(info), str(pipeline.last_trace),
             (pipeline.working_dir / "trace.json").read_text(), capsys.readouterr().err,
             "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("dlt"))]
    for text in texts:
        assert PLANTED not in text
    assert "***" in str(failure.value)
    trace = json.loads((pipeline.working_dir / "trace.json").read_text())
    assert any(entry["field"] == "api_key" and entry["key"] == "SOURCES__LEAKY__API_KEY"
               for entry in trace["resolved_config"])


def test_sigterm_stops_at_a_safe_point_and_the_next_run_finishes(tmp_path):
    script = tmp_path / "slow_script.py"
    script.write_text(textwrap.dedent("""
        import os, signal, sys, time
        import dlt

        @dlt.resource(name="ticks")
        def ticks():
            for i in range(1000):
                if i == 5:
                    os.kill(os.getpid(), signal.SIGTERM)
                yield {"i": i}
                time.sleep(0.001)

        pipeline = dlt.pipeline(pipeline_name="slow", destination="duckdb", dataset_name="d")
        if sys.argv[1] == "first":
            try:
                pipeline.run(ticks())
            except Exception as exc:
                print("STOPPED:", exc)
                sys.exit(3)
        else:
            print(pipeline.run())
    """))
    env = dict(os.environ, DLT_PIPELINES_DIR=str(tmp_path / "p"))
    first = subprocess.run([sys.executable, str(script), "first"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=60)
    assert first.returncode == 3, first.stderr
    assert "SIGTERM" in first.stdout and "pending" in first.stdout
    second = subprocess.run([sys.executable, str(script), "second"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)
    assert second.returncode == 0, second.stderr
    import duckdb

    with duckdb.connect(str(tmp_path / "slow.duckdb"), read_only=True) as con:
        values = [r[0] for r in con.execute("SELECT i FROM slow.d.ticks").fetchall()]
    assert sorted(values) == list(range(len(values))) and 5 <= len(values) < 1000


def test_missing_destination_setting_fails_before_any_data_moves(monkeypatch):
    monkeypatch.delenv("DESTINATION__FILESYSTEM__BUCKET_URL", raising=False)
    extracted = []

    @dlt.resource(name="watched")
    def watched():
        extracted.append(1)
        yield {"a": 1}

    pipeline = dlt.pipeline(pipeline_name="early", destination="filesystem")
    with pytest.raises(ConfigFieldMissingError, match="DESTINATION__FILESYSTEM__BUCKET_URL"):
        pipeline.run(watched())
    assert extracted == [] and not pipeline.has_pending_data


def test_invalid_destination_setting_is_a_one_sentence_field_error():
    from dlt.configuration import ConfigValueError

    pipeline = dlt.pipeline(pipeline_name="invalid", destination=dlt.destinations.duckdb(credentials=12345))
    with pytest.raises(ConfigValueError, match=r"destination\.duckdb\.credentials: .*database file path"):
        pipeline.run([{"a": 1}], table_name="t")


def test_generic_aliases_are_no_spec_or_secret_classes():
    """`list[str]` passes `isinstance(hint, type)` on Python 3.10, where `issubclass` then
    raised for every spec with such a field (DuckDbCredentials' lists)."""
    from dlt.configuration.specs import is_spec_type
    from dlt.configuration.typing import is_class, is_secret_hint

    for hint in (list[str], dict[str, int], typing.List[str], typing.Optional[list[str]]):
        assert not is_class(hint) and not is_spec_type(hint) and not is_secret_hint(hint)
    assert is_class(int) and not is_spec_type(int)


def test_iso_texts_with_a_z_suffix_are_read_on_every_python():
    from datetime import datetime, timezone

    from dlt.utils.iso_text import datetime_from_iso

    assert datetime_from_iso("2024-01-01T01:00:00Z") == datetime(2024, 1, 1, 1, tzinfo=timezone.utc)
