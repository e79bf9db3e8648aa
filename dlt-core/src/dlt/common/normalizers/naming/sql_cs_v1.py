"""`dlt.common.normalizers.naming.sql_cs_v1`: the case-sensitive SQL naming convention
(`dlt.schema.naming.SqlCsNamingConvention`) under dlt 1.31's name `NamingConvention`."""

from dlt.schema.naming import SqlCsNamingConvention as NamingConvention

__all__ = ["NamingConvention"]
