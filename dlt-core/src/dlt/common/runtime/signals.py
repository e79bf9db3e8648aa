"""`dlt.common.runtime.signals`: re-exports of `dlt.utils.signals` (the interruptible `sleep`
and the stop check resources can call between slow steps)."""

from dlt.utils.signals import StopRequested, raise_if_signalled, sleep

__all__ = ["StopRequested", "raise_if_signalled", "sleep"]
