"""`dlt pipeline NAME show`: a local web dashboard of one pipeline.

The modules, each with one job:

- `libraries`: imports the optional web libraries, or says which extra to install;
- `reader`: everything the page shows, read through dlt's public API (schema, `_dlt_loads`,
  row counts, the last trace, load packages, a page of a table), with no web code;
- `rendering`: HTML from Jinja templates with every value escaped and secrets redacted;
- `app`: the Starlette application (routes, headers);
- `server`: serving it with uvicorn on 127.0.0.1 until Ctrl-C.

Install it with `pip install 'dlt-cli[dashboard]'`. Importing this package imports nothing
heavy: the web libraries load only when the dashboard starts.
"""
