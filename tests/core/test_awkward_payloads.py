"""Ten deliberately awkward payloads load with nothing lost: every input value is findable."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

import dlt
from core_helpers import rows_of

AWKWARD = {
    "deep_nesting": {"a": {"b": {"c": {"d": {"e": [{"f": {"g": [1, {"h": "deepest"}]}}]}}}}},
    "lists_of_lists": {"matrix": [[1, 2], [3, [4, 5]], []]},
    "mixed_types_per_key": [{"k": 1}, {"k": "text"}, {"k": 2.5}, {"k": False}, {"k": {"nested": 7}}],
    "case_only_keys": {"Name": "upper", "name": "lower", "NAME": "shout"},
    "empty_containers": {"d": {}, "l": [], "keep": "x"},
    "long_keys": {"k" * 200: "long1", "k" * 199 + "j": "long2"},
    "unicode_keys": {"日本語": "jp", "ключ": "ru", "clé": "fr", "😀": "emoji"},
    "none_everywhere": {"a": None, "b": {"c": None}, "d": [None, None], "e": "present"},
    # more integer digits than DECIMAL(38,9) holds: kept exactly as text
    "big_decimals": {"d1": Decimal("123456789012345678901234567890.123456789"),
                     "d2": Decimal("0.000000001"), "d3": Decimal("1.5")},
    "datetimes": {"naive": datetime(2024, 1, 1, 12, 0), "aware": datetime(2024, 1, 1, 12, 0, tzinfo=timezone(timedelta(hours=5))),
                  "iso": "2024-01-01T12:00:00+02:00"},
}


def leaves(value):
    """Every scalar in a nested structure."""
    if isinstance(value, dict):
        for v in value.values():
            yield from leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from leaves(v)
    elif value is not None:
        yield value


def comparable(value):
    if isinstance(value, datetime):
        value = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return ("ts", value.astimezone(timezone.utc))
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
            return comparable(parsed)
        except ValueError:
            return value
    if isinstance(value, Decimal):
        return ("num", value.normalize())
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return ("num", Decimal(repr(value)).normalize())
    return value


def stored_values(pipeline):
    found = set()
    for table in pipeline.default_schema.data_tables():
        for row in rows_of(pipeline, table["name"]):
            for key, value in row.items():
                if key.startswith("_dlt") or value is None:
                    continue
                if isinstance(value, str) and value[:1] in "[{":
                    import json

                    found |= {comparable(v) for v in leaves(json.loads(value))}
                found.add(comparable(value))
                if isinstance(value, str):
                    # decimals beyond DECIMAL(38,9) are kept exactly as text
                    try:
                        found.add(("num", Decimal(value).normalize()))
                    except ArithmeticError:
                        pass
    return found


@pytest.mark.parametrize("name", list(AWKWARD))
def test_awkward_payload_loses_nothing(name):
    payload = AWKWARD[name]
    pipeline = dlt.pipeline(pipeline_name=f"awkward_{name}", destination="duckdb")
    items = payload if isinstance(payload, list) else [payload]
    info = pipeline.run(items, table_name=name)
    assert not info.has_failed_jobs
    found = stored_values(pipeline)
    missing = [v for v in leaves(items) if comparable(v) not in found]
    assert not missing, f"not found in the destination: {missing}"
