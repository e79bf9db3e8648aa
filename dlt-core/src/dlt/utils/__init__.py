"""Shared building blocks of dlt-core: exceptions, context, signals, file formats, logging.

The user-facing compatibility paths `dlt.common.*` re-export from here and elsewhere."""
