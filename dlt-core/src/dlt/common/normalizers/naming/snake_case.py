"""`dlt.common.normalizers.naming.snake_case`: the snake case naming convention
(`dlt.schema.naming.SnakeCaseNamingConvention`) under dlt 1.31's name `NamingConvention`."""

from dlt.schema.naming import SnakeCaseNamingConvention as NamingConvention

__all__ = ["NamingConvention"]
