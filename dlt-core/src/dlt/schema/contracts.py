"""Schema contracts: which schema changes data may make (new tables, new columns, variants).

A contract is a mode string (`"freeze"`, shorthand for every entity) or a dict of entities
`tables`, `columns` and `data_type` to modes `evolve`, `freeze`, `discard_row` and
`discard_value`. It is stored as given: on a table as its `schema_contract` hint (set by a
resource, inherited by nested tables) and on the schema as `settings["schema_contract"]` (set by a
source); the table's wins. An entity that is not set evolves.
"""

from __future__ import annotations

from typing import Any

from dlt.schema.exceptions import SchemaError

CONTRACT_MODES: tuple[str, ...] = ("evolve", "freeze", "discard_row", "discard_value")
CONTRACT_ENTITIES: tuple[str, ...] = ("tables", "columns", "data_type")
DEFAULT_SCHEMA_CONTRACT_MODE: dict[str, str] = {entity: "evolve" for entity in CONTRACT_ENTITIES}
"""The contract when nothing is set: every entity evolves."""


class InvalidContractError(SchemaError, ValueError):
    """A `schema_contract` value is not a known mode or per-entity dict."""


def validate_contract(contract: Any) -> Any:
    """Check a contract and return it as given (None, a mode string or a per-entity dict)."""
    if contract is None:
        return None
    if isinstance(contract, str):
        if contract not in CONTRACT_MODES:
            raise InvalidContractError(
                f"schema_contract '{contract}' is unknown; use one of: {', '.join(CONTRACT_MODES)}"
                " (or a dict such as {'columns': 'freeze'})."
            )
        return contract
    if isinstance(contract, dict):
        for entity, mode in contract.items():
            if entity not in CONTRACT_ENTITIES or mode not in CONTRACT_MODES:
                raise InvalidContractError(
                    f"schema_contract entry {entity!r}: {mode!r} is invalid; the keys are"
                    f" {', '.join(CONTRACT_ENTITIES)} and the modes {', '.join(CONTRACT_MODES)}."
                )
        return dict(contract)
    raise InvalidContractError(
        f"schema_contract must be a mode string or a dict of entities to modes, got {contract!r}."
    )


def expand_contract(contract: Any, default: dict[str, str] | None = None) -> dict[str, str]:
    """The full per-entity dict of a contract; entities not set take `default` (evolve)."""
    if isinstance(contract, str):
        contract = dict.fromkeys(CONTRACT_ENTITIES, contract)
    return {**(default or DEFAULT_SCHEMA_CONTRACT_MODE), **(contract or {})}


def table_contract(tables: dict[str, dict[str, Any]], settings: dict[str, Any], table_name: str,
                   new_table: dict[str, Any] | None = None) -> dict[str, str]:
    """The contract that applies to `table_name`: its own or its nearest parent's `schema_contract`
    hint, else the schema's setting, expanded. `new_table` stands in for a table not yet in
    `tables`. dlt's own `_dlt*` tables always evolve."""
    if table_name.startswith("_dlt"):
        return dict(DEFAULT_SCHEMA_CONTRACT_MODE)
    name: str | None = table_name
    seen: set[str] = set()
    while name is not None and name not in seen:
        seen.add(name)
        table = new_table if (new_table is not None and name == table_name) else tables.get(name)
        if table is None:
            break
        contract = table.get("schema_contract")
        if contract:
            return expand_contract(contract)
        name = table.get("parent")
    return expand_contract(settings.get("schema_contract"))


def is_default_contract(contract: dict[str, str]) -> bool:
    """True when every entity evolves (no checks are needed)."""
    return all(contract.get(entity, "evolve") == "evolve" for entity in CONTRACT_ENTITIES)


def check_new_table(schema: Any, partial_table: dict[str, Any], data_item: Any = None) -> bool:
    """Apply the `tables` contract to a table a resource is about to write (in extract).

    Returns True when the table may be written: it exists with data already, or its contract
    lets new tables evolve. Returns False when the contract discards it (`discard_row` or
    `discard_value`: its items are dropped). Raises `DataValidationError` under `freeze`.
    """
    table_name = partial_table["name"]
    if not schema.is_new_table(table_name):
        return True
    merged = {**(schema.tables.get(table_name) or {}),
              **{key: value for key, value in partial_table.items() if value is not None}}
    contract = table_contract(schema.tables, schema.settings, table_name, merged)
    mode = contract["tables"]
    if mode == "evolve":
        return True
    if mode == "freeze":
        from dlt.schema.exceptions import DataValidationError

        raise DataValidationError(
            schema.name, table_name, None, "tables", mode, None, contract, data_item,
            f"Table '{table_name}' is not in schema '{schema.name}' yet.",
        )
    return False
