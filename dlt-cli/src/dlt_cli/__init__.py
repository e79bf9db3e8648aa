"""dlt-cli: the `dlt` command line of dlt, the data load tool.

The application is built in `dlt_cli.main`; each command lives in its own module.
"""

from dlt_cli.version import __version__

__all__ = ["__version__"]
