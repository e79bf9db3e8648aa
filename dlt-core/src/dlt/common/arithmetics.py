"""`dlt.common.arithmetics`: `Decimal`, which is the standard library's `decimal.Decimal`."""

from decimal import Decimal

__all__ = ["Decimal"]
