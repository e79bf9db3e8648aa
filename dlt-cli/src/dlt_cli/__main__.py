"""`python -m dlt_cli` runs the `dlt` command."""

import sys

from dlt_cli.main import main

sys.exit(main())
