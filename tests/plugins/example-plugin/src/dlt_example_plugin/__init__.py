"""dlt-example-plugin: an example third-party plugin for dlt, used by dlt's own tests."""

from dlt_example_plugin.version import __version__

__all__ = ["__version__"]
