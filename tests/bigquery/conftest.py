"""Fixtures for BigQuery tests: a real BigQuery API emulator (local-bigquery) on 127.0.0.1.

The emulator runs in its own cached virtual environment (see emulator.py); the first run of
a machine builds it (about 20-30 s), later runs start a server in about 2 s. Nothing global
is changed: no environment variables are set, no client defaults are touched.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import dlt

# emulator.py is loaded under a name of its own, so that another test folder's `emulator`
# module (tests/redshift, ...) can never be picked up from sys.modules instead of this one.
_MODULE_NAME = "dlt_tests_bigquery_emulator"


def _load_emulator_module() -> Any:
    if _MODULE_NAME in sys.modules:
        return sys.modules[_MODULE_NAME]
    spec = importlib.util.spec_from_file_location(
        _MODULE_NAME, Path(__file__).with_name("emulator.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[_MODULE_NAME] = module
    spec.loader.exec_module(module)
    return module


emulator = _load_emulator_module()


@pytest.fixture
def isolated_bigquery_config(dlt_pipelines_dir: Path, monkeypatch: pytest.MonkeyPatch,
                             tmp_path: Path) -> None:
    """No BigQuery settings leak in from the machine: env, gcloud config, metadata server (for
    the configuration tests, through `pytest.mark.usefixtures`)."""
    for name in list(os.environ):
        if name.startswith("DESTINATION__BIGQUERY__") or name.startswith("DESTINATION__CREDENTIALS"):
            monkeypatch.delenv(name)
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    monkeypatch.setenv("NO_GCE_CHECK", "True")


@pytest.fixture(scope="session")
def bigquery_emulator() -> Iterator[Any]:
    """A running `emulator.Emulator` (endpoint, project, client()), stopped after the session."""
    server = emulator.start_emulator()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def destination(bigquery_emulator: Any) -> Any:
    """The bigquery destination pointed at the session's emulator."""
    return dlt.destinations.bigquery(api_endpoint=bigquery_emulator.endpoint,
                                     project_id=bigquery_emulator.project, location="US")


@pytest.fixture(scope="session")
def bq_client(bigquery_emulator: Any) -> Iterator[Any]:
    """A `google.cloud.bigquery.Client` connected to the emulator."""
    client = bigquery_emulator.client()
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def bq_dataset(bq_client: Any) -> Iterator[str]:
    """A fresh dataset (location EU) for one test, as "project.dataset"; deleted afterwards."""
    from google.cloud import bigquery

    dataset_id = f"{bq_client.project}.test_{uuid.uuid4().hex[:12]}"
    dataset = bigquery.Dataset(dataset_id)
    dataset.location = "EU"
    bq_client.create_dataset(dataset)
    try:
        yield dataset_id
    finally:
        bq_client.delete_dataset(dataset_id, delete_contents=True, not_found_ok=True)
