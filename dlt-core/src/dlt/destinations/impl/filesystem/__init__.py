"""The built-in filesystem destination: jsonl, parquet and csv files in a local folder, placed by a layout."""
