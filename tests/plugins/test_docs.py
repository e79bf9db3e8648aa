"""Every hook spec is documented: a docstring in `dlt.hookspecs` and a heading in docs/plugins/hooks.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from dlt import hookspecs
from dlt.plugins import PluginManager

PLUGINS_DOC = Path(__file__).parents[2] / "docs" / "plugins" / "hooks.md"


def hook_names() -> list[str]:
    """Names of every hook spec, as the plugin manager sees them."""
    manager = PluginManager(load_entry_points=False)
    return sorted(name for name in vars(manager.pluggy.hook) if not name.startswith("_"))


def documented_headings() -> set[str]:
    return set(re.findall(r"^### (\w+)\s*$", PLUGINS_DOC.read_text(), flags=re.MULTILINE))


def test_every_hook_spec_is_found() -> None:
    marked = {
        name for name, value in vars(hookspecs).items()
        if callable(value) and hasattr(value, "dlt_spec")
    }

    assert set(hook_names()) == marked
    assert {"register_destinations", "on_extract_items", "on_load_complete"} <= marked


@pytest.mark.parametrize("hook_name", hook_names())
def test_hook_has_a_heading_in_plugins_doc(hook_name: str) -> None:
    assert hook_name in documented_headings(), (
        f"docs/plugins/hooks.md has no '### {hook_name}' section; document the hook's signature, when"
        " it runs, what it may return and an example"
    )


@pytest.mark.parametrize("hook_name", hook_names())
def test_hook_spec_has_a_docstring(hook_name: str) -> None:
    spec = getattr(hookspecs, hook_name)

    assert (spec.__doc__ or "").strip(), f"dlt.hookspecs.{hook_name} has no docstring"


def test_plugins_doc_has_no_heading_for_a_hook_that_does_not_exist() -> None:
    hooks = set(hook_names())
    stale = {name for name in documented_headings() if re.fullmatch(r"(register|on)_\w+", name)}

    assert stale <= hooks, f"docs/plugins/hooks.md documents hooks dlt does not define: {stale - hooks}"
