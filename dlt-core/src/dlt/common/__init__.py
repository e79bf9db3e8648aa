"""Shared building blocks of dlt-core: exceptions, time and id helpers, file utilities."""
