"""The optional web libraries of the dashboard, imported only when it starts."""

from __future__ import annotations

from importlib import import_module

from dlt_cli.errors import CliError

#: the extra of dlt-cli that installs what the dashboard needs
DASHBOARD_EXTRA = "dashboard"
#: the import names the dashboard needs, each with the distribution that provides it
DASHBOARD_LIBRARIES = {"starlette": "starlette", "uvicorn": "uvicorn", "jinja2": "jinja2"}


def require_dashboard_libraries() -> None:
    """Import the dashboard's web libraries; a `CliError` naming the extra when one is missing."""
    missing = []
    for module, distribution in DASHBOARD_LIBRARIES.items():
        try:
            import_module(module)
        except ImportError:
            missing.append(distribution)
    if missing:
        raise CliError(
            f"The pipeline dashboard needs {', '.join(missing)}, which {'is' if len(missing) == 1 else 'are'}"
            f" not installed. Install the {DASHBOARD_EXTRA} extra of dlt-cli:"
            f" pip install 'dlt-cli[{DASHBOARD_EXTRA}]'"
        )
