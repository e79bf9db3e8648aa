"""`dlt.common.normalizers.naming.sql_ci_v1`: the case-insensitive SQL naming convention
(`dlt.schema.naming.SqlCiNamingConvention`) under dlt 1.31's name `NamingConvention`."""

from dlt.schema.naming import SqlCiNamingConvention as NamingConvention

__all__ = ["NamingConvention"]
