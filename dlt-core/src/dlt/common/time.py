"""`dlt.common.time`: re-exports of `dlt.utils.datetimes` (coercions to pendulum's types)."""

from dlt.utils.datetimes import (
    TAnyDateTime,
    ensure_date,
    ensure_datetime,
    ensure_pendulum_date,
    ensure_pendulum_datetime,
    ensure_pendulum_time,
    parse_iso_like_datetime,
)

__all__ = ["TAnyDateTime", "ensure_date", "ensure_datetime", "ensure_pendulum_date", "ensure_pendulum_datetime", "ensure_pendulum_time",
           "parse_iso_like_datetime"]
