"""`dlt.common.normalizers.naming.direct`: the direct naming convention
(`dlt.schema.naming.DirectNamingConvention`) under dlt 1.31's name `NamingConvention`."""

from dlt.schema.naming import DirectNamingConvention as NamingConvention

__all__ = ["NamingConvention"]
