"""`dlt.common.runtime`, dlt 1.31's import path of the progress collectors (`collector`,
`collector_base`); the code lives in `dlt.collectors`."""
