"""Everything in which the PostgreSQL stand-in differs from Redshift, in one object: `STAND_IN`.

The plugin writes Redshift's SQL only. Where PostgreSQL lacks what that SQL uses, the stand-in
either gets it (``setup_sql``, run once per test session as the superuser) or the plugin is told
through ``dialect``, a `RedshiftDialect` derived from `REDSHIFT`. Nothing else in the tests or in
the plugin knows that the server is not Redshift.

| Redshift                                  | on the stand-in                                 |
|-------------------------------------------|-------------------------------------------------|
| SUPER, ``JSON_PARSE(text)``               | domain ``super`` over jsonb, a SQL function      |
| VARBYTE, ``FROM_HEX(text)``               | domain ``varbyte`` over bytea, a SQL function    |
| VARBYTE results: hex text (type 6551)     | bytea results: ``\\x``-hex text (type 17)         |
| identifiers up to 127 bytes               | 63 bytes (NAMEDATALEN)                          |
| DISTKEY / SORTKEY table attributes        | none (dialect.table_attributes = False)         |
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from pg_server import StandIn

from dlt_destination_redshift.dialect import REDSHIFT, RedshiftDialect

BYTEA_OID = 17

SETUP_SQL = """
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'super') THEN
    CREATE DOMAIN public.super AS jsonb;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'varbyte') THEN
    CREATE DOMAIN public.varbyte AS bytea;
  END IF;
END $$;
CREATE OR REPLACE FUNCTION public.json_parse(text) RETURNS public.super
  LANGUAGE sql IMMUTABLE AS $$ SELECT $1::jsonb::public.super $$;
CREATE OR REPLACE FUNCTION public.from_hex(text) RETURNS public.varbyte
  LANGUAGE sql IMMUTABLE AS $$ SELECT decode($1, 'hex')::public.varbyte $$;
"""


@dataclass(frozen=True)
class StandInDifferences:
    """The dialect the plugin is given and the SQL that teaches PostgreSQL Redshift's names."""

    dialect: RedshiftDialect
    setup_sql: str

    def prepare(self, stand_in: StandIn) -> None:
        """Create the domains and functions on the stand-in (idempotent)."""
        stand_in.admin_execute(self.setup_sql)


STAND_IN = StandInDifferences(
    dialect=dataclasses.replace(
        REDSHIFT,
        name="PostgreSQL stand-in for Redshift",
        max_identifier_bytes=63,
        table_attributes=False,
        binary_result_oids=REDSHIFT.binary_result_oids | {BYTEA_OID},
    ),
    setup_sql=SETUP_SQL,
)
