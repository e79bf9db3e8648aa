"""Pipeline options: validation, defaults, and the config values that override code."""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

from dlt.configuration.resolve import get_resolver
from dlt.pipeline.exceptions import InvalidPipelineName

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]{0,63}$")

#: options of dlt.pipeline() that configuration may override
OVERRIDABLE = (
    "pipeline_name", "pipelines_dir", "working_dir", "pipeline_secret", "destination",
    "dataset_name", "import_schema_path", "export_schema_path", "full_refresh", "dev_mode",
    "progress",
)


def validate_pipeline_name(name: str) -> str:
    """Return `name` if it can be a folder and an identifier; raise saying why otherwise."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise InvalidPipelineName(
            f"The pipeline name {name!r} is invalid: use 1-64 letters, digits, '_' or '-',"
            " starting with a letter or '_' (it names a folder and the default dataset)."
        )
    return name


def default_pipeline_name() -> str:
    """The running script's file name (never `__main__`), as an identifier."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None) or (sys.argv[0] if sys.argv and sys.argv[0] else "")
    stem = Path(path).stem if path else ""
    if not stem or stem in ("-c", "__main__", "ipykernel_launcher", "pytest", "__init__"):
        stem = "dlt_pipeline"
    stem = re.sub(r"[^A-Za-z0-9_]", "_", stem)
    if not re.match(r"[A-Za-z_]", stem):
        stem = "_" + stem
    return stem[:64]


def default_pipelines_dir() -> Path:
    """Where pipeline working dirs live by default: `$DLT_PIPELINES_DIR` or the OS temp dir."""
    configured = os.environ.get("DLT_PIPELINES_DIR")
    return Path(configured) if configured else Path(tempfile.gettempdir()) / "dlt_pipelines"


def dlt_131_pipelines_dir() -> Path:
    """Where dlt 1.31 keeps pipeline working dirs by default: `$DLT_DATA_DIR/pipelines`, else
    `/var/dlt/pipelines` for root, else `~/.dlt/pipelines` (`$XDG_DATA_HOME/dlt/pipelines` when
    that is set and `~/.dlt` does not exist)."""
    configured = os.environ.get("DLT_DATA_DIR")
    if configured:
        return Path(configured) / "pipelines"
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return Path("/var/dlt/pipelines")
    home = Path.home()
    if os.environ.get("XDG_DATA_HOME") and not (home / ".dlt").is_dir():
        return Path(os.environ["XDG_DATA_HOME"]) / "dlt" / "pipelines"
    return home / ".dlt" / "pipelines"


def configured_options(pipeline_name: str | None) -> dict[str, Any]:
    """Pipeline options found in configuration; these win over values passed in code."""
    resolver = get_resolver()
    found: dict[str, Any] = {}
    name_hit = resolver.lookup([("pipeline_name",)])
    name = name_hit[0] if name_hit else pipeline_name
    if name_hit:
        found["pipeline_name"] = name
    for option in OVERRIDABLE:
        if option == "pipeline_name":
            continue
        candidates = [("pipelines", name, option), (option,)] if name else [(option,)]
        hit = resolver.lookup(candidates)
        if hit is not None and not isinstance(hit[0], (dict, list)):
            value = hit[0]
            if option in ("full_refresh", "dev_mode") and isinstance(value, str):
                value = value.strip().lower() in ("1", "true", "yes")
            found[option] = value
    return found
