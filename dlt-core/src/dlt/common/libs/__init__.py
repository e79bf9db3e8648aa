"""`dlt.common.libs`: the import paths dlt 1.31 users write for optional libraries.

Only re-exports; `dlt.common.libs.pydantic` points at `dlt.extract.pydantic_columns`.
"""
