"""`dlt.common.exceptions` as dlt 1.31 users import it; the classes live in `dlt.utils.exceptions`."""

from dlt.utils.exceptions import DltException, TerminalError as TerminalException, TransientError as TransientException

__all__ = ["DltException", "TerminalException", "TransientException"]
