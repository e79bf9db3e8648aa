"""`dlt.common.libs.pyarrow`: pyarrow as dlt 1.31 scripts import it (`from dlt.common.libs.pyarrow
import pyarrow as pa`); a clear error names the package to install when it is missing."""

from dlt.utils.exceptions import MissingDependencyException

try:
    import pyarrow
    import pyarrow.compute
    import pyarrow.parquet
except ModuleNotFoundError as exc:  # pragma: no cover - pyarrow is a dependency of dlt-core
    raise MissingDependencyException("dlt.common.libs.pyarrow", ["pyarrow"]) from exc

pa = pyarrow

__all__ = ["pa", "pyarrow"]
