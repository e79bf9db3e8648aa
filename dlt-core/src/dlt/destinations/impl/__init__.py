"""Implementations of the destinations built into dlt-core (loaded through `dlt.plugins`)."""
