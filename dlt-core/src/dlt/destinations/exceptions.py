"""`dlt.destinations.exceptions`: dlt 1.31's names of the SQL client errors; re-exports of
`dlt.destinations.base`.

`except DatabaseUndefinedRelation:` catches a query on a table, view or schema that does not
exist (as before a first load); `DatabaseTerminalException` / `DatabaseTransientException`
are the terminal and transient errors of a statement, `DatabaseException` their base;
`LoadJobTerminalException` is a job that failed for good. `DestinationTerminalException` and
`DestinationTransientException` are 1.31's other names of the terminal and transient errors;
`DestinationConnectionError` is the transient one too (a connection that failed or dropped is
raised as a transient error here).
"""

from dlt.destinations.base import DestinationError as DatabaseException
from dlt.destinations.base import DestinationTerminalError as DatabaseTerminalException
from dlt.destinations.base import DestinationTerminalError as DestinationTerminalException
from dlt.destinations.base import DestinationTransientError as DatabaseTransientException
from dlt.destinations.base import DestinationTransientError as DestinationConnectionError
from dlt.destinations.base import DestinationTransientError as DestinationTransientException
from dlt.destinations.base import DestinationUndefinedRelation as DatabaseUndefinedRelation
from dlt.destinations.base import LoadJobTerminalError as LoadJobTerminalException

__all__ = ["DatabaseException", "DatabaseTerminalException", "DatabaseTransientException",
           "DatabaseUndefinedRelation", "DestinationConnectionError", "DestinationTerminalException",
           "DestinationTransientException", "LoadJobTerminalException"]
