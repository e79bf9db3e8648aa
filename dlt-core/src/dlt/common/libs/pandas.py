"""`dlt.common.libs.pandas`: pandas as dlt 1.31 scripts import it (`from dlt.common.libs.pandas
import pandas`); without pandas installed, the error says to install dlt-core's `pandas` extra."""

from dlt.utils.exceptions import MissingDependencyException

try:
    import pandas
except ModuleNotFoundError as exc:
    raise MissingDependencyException("dlt.common.libs.pandas", ["dlt-core[pandas]"]) from exc

pd = pandas

__all__ = ["pandas", "pd"]
