"""`dlt.common.normalizers.naming`: the base class of naming conventions, re-exported from
`dlt.schema.naming`; one module per convention (`snake_case`, `duck_case`, `direct`,
`sql_cs_v1`, `sql_ci_v1`) holds it as `NamingConvention`, as in dlt 1.31, so a custom
convention can subclass `dlt.common.normalizers.naming.snake_case.NamingConvention`."""

from dlt.schema.naming import NamingConvention

__all__ = ["NamingConvention"]
