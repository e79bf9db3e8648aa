"""`dlt.common.normalizers`: dlt 1.31's import path of the naming conventions; re-exports of
`dlt.schema.naming`."""
