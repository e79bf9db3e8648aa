"""Pipeline state on disk (`state.json`) and as rows of `_dlt_pipeline_state`."""

from __future__ import annotations

import copy
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any


from dlt.utils import typed_json
from dlt.utils.digests import digest256b
from dlt.destinations.sql_job_client import encode_state

STATE_ENGINE_VERSION = 4
"""dlt 1.31's state engine: state written here is read by 1.31 (and 1.31's here); this dlt's
engine 1 states are the same document."""
STATE_FILE = "state.json"


def new_state(pipeline_name: str, dataset_name: str | None) -> dict[str, Any]:
    """The state of a pipeline that never ran."""
    return {
        "_state_version": 0,
        "_state_engine_version": STATE_ENGINE_VERSION,
        "pipeline_name": pipeline_name,
        "dataset_name": dataset_name,
        "schema_names": [],
        "_local": {"first_run": True},
    }


def load_state(pipeline_dir: Path) -> dict[str, Any] | None:
    """The state stored in the working dir, or None."""
    path = pipeline_dir / STATE_FILE
    if not path.exists():
        return None
    data = path.read_bytes()
    try:
        return typed_json.loads(data)
    except ValueError as exc:  # orjson's JSONDecodeError is a ValueError
        from dlt.storage.exceptions import CorruptedFileError

        problem = "it is empty" if not data.strip() else f"it is not valid JSON ({exc})"
        raise CorruptedFileError(path, problem, (
            "Restore it from a backup, or delete it and run again: the pipeline then restores"
            " the state stored in the destination (incremental cursors included) when it has"
            " loaded before, or starts from a fresh state."
        )) from None


def save_state(pipeline_dir: Path, state: dict[str, Any]) -> None:
    """Write the state atomically, keeping value types (datetimes, decimals)."""
    path = pipeline_dir / STATE_FILE
    temp = path.with_name(path.name + ".tmp")
    temp.write_bytes(typed_json.dumps(state, pretty=True))
    os.replace(temp, path)


def shared_part(state: dict[str, Any]) -> dict[str, Any]:
    """The part of the state stored in the destination (without machine-local keys)."""
    return {k: v for k, v in state.items() if k != "_local"}


def state_hash(state: dict[str, Any]) -> str:
    """A hash of the shared part of the state (version counters excluded), as dlt 1.31 hashes
    it: SHA3-256 of its typed JSON with sorted keys, in base64."""
    content = {k: v for k, v in shared_part(state).items()
               if k not in ("_state_version", "_state_engine_version", "_version_hash")}
    return digest256b(typed_json.dumps(content))


def stored_destination_name(destination: Any) -> str | None:
    """The `destination_name` the state keeps for `destination`: None when it is the name of its
    type, as dlt 1.31 stores it (see `destination_of_state`)."""
    type_name = str(destination.destination_type).rsplit(".", 1)[-1]
    return None if destination.name == type_name else destination.name


def bump_state(state: dict[str, Any]) -> bool:
    """Increase the state version when its content changed; True if it did."""
    digest = state_hash(state)
    if digest == state.get("_version_hash"):
        return False
    state["_version_hash"] = digest
    state["_state_version"] = int(state.get("_state_version", 0)) + 1
    return True


def state_row(state: dict[str, Any]) -> dict[str, Any]:
    """The `_dlt_pipeline_state` row for `state`."""
    return {
        "version": state["_state_version"],
        "engine_version": STATE_ENGINE_VERSION,
        "pipeline_name": state["pipeline_name"],
        "state": encode_state(shared_part(state)),
        "created_at": datetime.now(timezone.utc),
        "version_hash": state.get("_version_hash"),
    }


def destination_of_state(state: dict[str, Any]) -> tuple[str | None, str | None]:
    """`(name, registered type name)` of the destination the state names. dlt 1.31 keeps the
    type (`dlt.destinations.duckdb`) and a name only for a named destination (None otherwise);
    this dlt keeps both."""
    destination_type = state.get("destination_type")
    type_name = destination_type.rsplit(".", 1)[-1] if isinstance(destination_type, str) else None
    return state.get("destination_name") or type_name, type_name


def merge_restored(local: dict[str, Any], restored: dict[str, Any]) -> dict[str, Any]:
    """Adopt a state restored from the destination, keeping local-only keys."""
    merged = copy.deepcopy(restored)
    merged["_local"] = dict(local.get("_local", {}))
    return merged
