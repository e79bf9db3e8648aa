"""Fixtures of the plugin tests: isolation from the user's environment and the shared manager."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from dlt.plugins import set_plugin_manager


@pytest.fixture(autouse=True)
def isolated_plugins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No plugin env switches from the caller, a private working dir, a fresh shared manager."""
    for key in list(os.environ):
        if key in ("DLT_DISABLE_PLUGINS", "DLT_LOAD_PLUGINS") or key.startswith("DESTINATION__"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("DLT_PIPELINES_DIR", str(tmp_path / "pipelines"))
    monkeypatch.chdir(tmp_path)
    previous = set_plugin_manager(None)
    yield
    set_plugin_manager(previous)
