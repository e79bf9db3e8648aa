"""`dlt.sources.helpers.*`: helper modules that source plugins provide (`requests`,
`rest_client` from dlt-source-rest-api), resolved by `dlt.sources.plugin_modules`."""
