"""Split a source into the groups of resources that must be extracted together.

A transformer takes its items from its parent, so a resource and everything fed by it (or by
a shared ancestor) form one group: extracting them in separate tasks would evaluate the
parent twice. Groups are returned in the order the source declares its resources.
"""

from __future__ import annotations

from typing import Any


def _ancestry(resource: Any) -> list[str]:
    """The names of `resource` and of every resource it takes its items from."""
    names = [resource.name]
    parent = getattr(resource, "parent", None)
    while parent is not None:
        names.append(parent.name)
        parent = getattr(parent, "parent", None)
    return names


def connected_components(source: Any) -> list[list[str]]:
    """The selected resources of `source` grouped by shared parents, in declaration order."""
    root: dict[str, str] = {}

    def find(name: str) -> str:
        while root.setdefault(name, name) != name:
            root[name] = root[root[name]]
            name = root[name]
        return name

    selected = list(source.selected_resources.values())
    for resource in selected:
        chain = _ancestry(resource)
        for name in chain[1:]:
            root[find(name)] = find(chain[0])
    groups: dict[str, list[str]] = {}
    for resource in selected:
        groups.setdefault(find(resource.name), []).append(resource.name)
    return list(groups.values())


def decompose_source(source: Any) -> list[Any]:
    """One copy of `source` per group, each with only that group's resources selected."""
    return [source.with_resources(*names) for names in connected_components(source)]
