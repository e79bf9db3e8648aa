"""`RedshiftDialect`: every detail of Redshift's SQL that the plugin relies on, in one object.

The client reads type names, identifier limits, statement limits and table attributes from a
dialect and from nowhere else. `REDSHIFT` is the real thing and the default. A test server that
only imitates Redshift (the PostgreSQL stand-in of the test suite) describes where it differs by
deriving its own dialect with `dataclasses.replace(REDSHIFT, ...)`, so the differences are
written down in one place instead of being scattered through the code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from dlt.schema.naming import shorten_to_bytes

#: dlt data type -> Redshift column type (`decimal` or `wei` with a precision becomes
#: NUMERIC(p,s)).
REDSHIFT_TYPES: Mapping[str, str] = MappingProxyType({
    "text": "VARCHAR(65535)",
    "bigint": "BIGINT",
    "double": "DOUBLE PRECISION",
    "bool": "BOOLEAN",
    "timestamp": "TIMESTAMPTZ",
    "date": "DATE",
    "time": "TIME",
    "decimal": "NUMERIC(38,9)",
    "wei": "NUMERIC(38,0)",
    "json": "SUPER",
    "binary": "VARBYTE",
})

#: Type OID Redshift reports for VARBYTE result columns (the driver returns them as hex text).
VARBYTE_OID = 6551


@dataclass(frozen=True)
class RedshiftDialect:
    """What the SQL the plugin writes may assume about the server."""

    #: shown in messages
    name: str = "Redshift"
    #: identifiers longer than this (in UTF-8 bytes) are shortened with a stable hash suffix
    max_identifier_bytes: int = 127
    #: Redshift refuses statements over 16 MB; INSERT batches stay below this
    max_statement_bytes: int = 16 * 1024 * 1024
    #: the wire protocol (and redshift-connector) allow at most this many bind parameters
    max_bind_parameters: int = 32767
    type_mapping: Mapping[str, str] = field(default_factory=lambda: REDSHIFT_TYPES)
    #: emit DISTKEY / SORTKEY table attributes for `cluster` / `sort` column hints
    table_attributes: bool = True
    #: type OIDs of result columns holding binary values sent as hex text
    binary_result_oids: frozenset[int] = frozenset({VARBYTE_OID})

    def normalize_identifier(self, name: str) -> str:
        """The name as the server stores it: folded to lower case, shortened to the byte limit."""
        return shorten_to_bytes(name.lower(), self.max_identifier_bytes)

    def decode_binary(self, value: object) -> object:
        """A binary result value as `bytes` (the server sends hex text, maybe `\\x`-prefixed)."""
        if isinstance(value, str):
            return bytes.fromhex(value[2:] if value.startswith("\\x") else value)
        if isinstance(value, (bytearray, memoryview)):
            return bytes(value)
        return value


#: The dialect of Amazon Redshift itself.
REDSHIFT = RedshiftDialect()
