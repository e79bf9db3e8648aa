"""What `dlt init sql_database DESTINATION` writes: registered by `plugin.py` through the
`register_init_templates` hook. Plain data only; nothing here imports SQLAlchemy."""

from dlt.plugins import InitTemplate, TemplateSetting

SCRIPT = '''"""Load the tables of a SQL database into $destination with the sql_database source.

Set the database's SQLAlchemy connection URL in .dlt/secrets.toml ([sources.sql_database]
credentials) or in the environment variable SOURCES__SQL_DATABASE__CREDENTIALS, then run
`python $script`. Which tables, the backend and the chunk size are read from .dlt/config.toml.
"""

import dlt
from dlt.sources.sql_database import sql_database, sql_table


def load_database() -> None:
    """Load every table (or the `table_names` of config.toml), replacing what was loaded before."""
    pipeline = dlt.pipeline(
        pipeline_name="$pipeline_name", destination="$destination", dataset_name="$dataset_name"
    )
    # credentials, table_names, backend and chunk_size are injected from the config files
    source = sql_database()
    info = pipeline.run(source, write_disposition="replace")
    print(info)


def load_table_incrementally(table: str, cursor_column: str, primary_key: str = "id") -> None:
    """Load the rows of `table` whose `cursor_column` grew since the last run, merging on
    `primary_key`; e.g. `load_table_incrementally("orders", "updated_at")`."""
    pipeline = dlt.pipeline(
        pipeline_name="$pipeline_name", destination="$destination", dataset_name="$dataset_name"
    )
    resource = sql_table(table=table, incremental=dlt.sources.incremental(cursor_column))
    resource.apply_hints(primary_key=primary_key, write_disposition="merge")
    info = pipeline.run(resource)
    print(info)


if __name__ == "__main__":
    load_database()
'''

TEMPLATE = InitTemplate(
    description="Tables of any SQLAlchemy database, loaded whole or incrementally",
    script=SCRIPT,
    extras=("pyarrow",),
    settings=(
        TemplateSetting(
            "sources.sql_database.credentials", '"postgresql://loader:password@localhost:5432/shop"',
            note="required, secret: the SQLAlchemy connection URL", secret=True,
        ),
        TemplateSetting(
            "sources.sql_database.table_names", '["orders", "customers"]', required=False,
            note="optional: the tables to load; every table when not set",
        ),
        TemplateSetting(
            "sources.sql_database.backend", value='"pyarrow"', required=False,
            note="sqlalchemy (rows as dicts), pyarrow (Arrow tables, fastest) or pandas",
        ),
        TemplateSetting(
            "sources.sql_database.chunk_size", value="50000", required=False,
            note="rows read per batch",
        ),
        TemplateSetting(
            "sources.sql_database.schema", '"public"', required=False,
            note="optional: the database schema; the connection's default when not set",
        ),
    ),
)
