"""The built-in `destination` plugin: `@dlt.destination` sinks, a Python function per table batch."""
