"""The built-in filesystem destination: jsonl and parquet files in a local folder."""
