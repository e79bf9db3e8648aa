"""`dlt.common.pendulum`: the pendulum library, as dlt 1.31 scripts import it
(`from dlt.common.pendulum import pendulum`), with the stdlib datetime names beside it.

As in dlt 1.31, importing it makes UTC pendulum's local timezone, so `pendulum.now()` and
`pendulum.today()` are in UTC whatever the machine's zone. `import dlt` alone does not load
pendulum (it is loaded when a script imports this module or `dlt.common.pendulum`).
"""

from datetime import datetime, timedelta, timezone, tzinfo

import pendulum
from pendulum import UTC

pendulum.set_local_timezone(UTC)

__all__ = ["UTC", "datetime", "pendulum", "timedelta", "timezone", "tzinfo"]
