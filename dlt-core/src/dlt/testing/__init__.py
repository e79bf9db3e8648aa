"""Test helpers for dlt users and plugin authors.

`dlt.testing.fixtures` is a pytest plugin (loaded automatically where dlt-core is installed)
with fixtures for isolated pipelines; `dlt.testing.conformance` is the destination conformance
suite every destination, built-in or third party, runs with a few lines.
"""
