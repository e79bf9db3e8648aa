"""`dlt.common.normalizers.naming.duck_case`: the duck case naming convention
(`dlt.schema.naming.DuckCaseNamingConvention`) under dlt 1.31's name `NamingConvention`."""

from dlt.schema.naming import DuckCaseNamingConvention as NamingConvention

__all__ = ["NamingConvention"]
