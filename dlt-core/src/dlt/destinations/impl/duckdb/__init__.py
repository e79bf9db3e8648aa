"""The built-in DuckDB destination: the embedded default."""
