"""Normalize: unpack nested items into tables, infer types, write load jobs."""

from dlt.normalize.exceptions import NormalizeJobFailed
from dlt.normalize.normalizer import NormalizeInfo, PackageNormalizer
from dlt.normalize.relational import DataValidationError, UnsupportedValueError

__all__ = ["DataValidationError", "NormalizeInfo", "NormalizeJobFailed", "PackageNormalizer",
           "UnsupportedValueError"]
