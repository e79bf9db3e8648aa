"""`DltSource`: a group of resources that share a schema and a section of configuration."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from dlt.extract.hints import normalize_contract, normalized_columns
from dlt.extract.errors import InvalidResourceDataType, ResourceError, ResourcesNotFoundError
from dlt.extract.resource import DltResource, own_copies
from dlt.schema import Schema


class DltResourceDict(dict[str, DltResource]):
    """The resources of a source by name, with selection helpers."""

    @property
    def selected(self) -> dict[str, DltResource]:
        """Only the selected resources."""
        return {name: resource for name, resource in self.items() if resource.selected}

    def select(self, *names: str) -> dict[str, DltResource]:
        """Select exactly `names` (deselect every other resource); returns the selection."""
        unknown = [name for name in names if name not in self]
        if unknown:
            raise ResourcesNotFoundError(
                f"Unknown resources: {', '.join(unknown)}. This source has: {', '.join(self)}."
            )
        for name, resource in self.items():
            resource.selected = name in names
        return self.selected

    @property
    def extracted(self) -> list[DltResource]:
        """Every resource an extract of the selection evaluates: each selected resource followed
        by its parents (a parent shared by several transformers is listed once per transformer;
        parents that are not resources of this source are left out)."""
        members = {id(resource) for resource in self.values()}
        extracted: list[DltResource] = []
        for resource in self.selected.values():
            current: DltResource | None = resource
            while current is not None:
                if id(current) in members:
                    extracted.append(current)
                current = current.parent
        return extracted

    @property
    def selected_dag(self) -> list[tuple[str, str]]:
        """Edges `(parent, child)` from every selected resource up through its parents; a
        selected resource without a parent is the edge `(name, name)`."""
        dag: list[tuple[str, str]] = []
        for resource in self.selected.values():
            current = resource
            while current.parent is not None:
                dag.append((current.parent.name, current.name))
                current = current.parent
            if current is resource:
                dag.append((resource.name, resource.name))
        return dag

    def __init__(self, source_name: str | None = None) -> None:
        super().__init__()
        self.source_name = source_name

    def __setitem__(self, name: str, resource: DltResource) -> None:
        """Add or replace a resource: `source.resources["name"] = dlt.resource(...)`."""
        if not isinstance(resource, DltResource):
            raise InvalidResourceDataType(
                f"Only resources can be added to a source, got {type(resource).__name__} for"
                f" '{name}'; wrap the data with dlt.resource(data, name='{name}')."
            )
        if resource.name != name:
            resource = resource.with_name(name)
        resource.source_name = self.source_name
        super().__setitem__(name, resource)

    def add(self, *resources: DltResource) -> None:
        """Add resources; a name may only be used once."""
        for resource in resources:
            if resource.name in self:
                raise ResourceError(f"A resource named '{resource.name}' is already in this source.")
            self[resource.name] = resource


class DltSource:
    """Resources from one `@dlt.source` call, its schema and configuration section."""

    def __init__(
        self,
        schema: Schema,
        section: str,
        resources: Iterable[DltResource] = (),
        *,
        max_table_nesting: int | None = None,
        schema_contract: Any = None,
        root_key: bool = False,
    ) -> None:
        self.schema = schema
        self.section = section
        self.resources = DltResourceDict(schema.name)
        self.max_table_nesting = max_table_nesting
        if schema_contract is not None:
            self.schema_contract = schema_contract
        self.root_key = root_key
        for resource in resources:
            self.resources.add(resource)

    @classmethod
    def from_data(cls, schema: Schema, section: str, data: Any) -> DltSource:
        """A source named after `schema` holding `data`: a source (returned as it is), a list of
        resources or data (one resource each), or one resource, list, iterator or function."""
        if isinstance(data, DltSource):
            return data
        if isinstance(data, (list, tuple)):
            resources = [DltResource.from_data(element) for element in data]
        else:
            resources = [DltResource.from_data(data)]
        return cls(schema, section, resources)

    @property
    def root_key(self) -> bool:
        """Whether nested tables of every resource get `_dlt_root_id`, pointing at the row of
        the root table they belong to (always so for merge tables)."""
        return bool(self.schema.settings.get("root_key_propagation", False))

    @root_key.setter
    def root_key(self, value: bool) -> None:
        if value:
            self.schema.settings["root_key_propagation"] = True
        else:
            self.schema.settings.pop("root_key_propagation", None)

    @property
    def name(self) -> str:
        """The source's name, which is also its schema's name."""
        return self.schema.name

    @property
    def schema_contract(self) -> Any:
        """The contract of the whole source, as given; it lives in the schema's settings."""
        return self.schema.settings.get("schema_contract")

    @schema_contract.setter
    def schema_contract(self, contract: Any) -> None:
        self.schema.set_schema_contract(normalize_contract(contract))

    @property
    def selected_resources(self) -> dict[str, DltResource]:
        """The resources that will be extracted."""
        return self.resources.selected

    def _clone(self, schema: Schema | None = None) -> DltSource:
        """A source of copies of this one's resources, on `schema` (default: this one's)."""
        clone = DltSource(
            schema if schema is not None else self.schema,
            self.section,
            own_copies(list(self.resources.values())),
            max_table_nesting=self.max_table_nesting,
            schema_contract=self.schema_contract,
            root_key=self.root_key,
        )
        return clone

    def clone(self, with_name: str | None = None) -> DltSource:
        """A copy with copies of the schema and the resources; `with_name` renames the copy's
        schema (and so the source)."""
        return self._clone(self.schema.clone(with_name=with_name))

    def __setattr__(self, name: str, value: Any) -> None:
        """`source.name = resource` adds (or replaces) a resource, as in dlt 1.31."""
        if isinstance(value, DltResource):
            self.resources[name] = value
            return
        super().__setattr__(name, value)

    def with_resources(self, *names: str) -> DltSource:
        """A copy of this source with only `names` selected."""
        clone = self._clone()
        clone.resources.select(*names)
        return clone

    def select(self, *names: str) -> DltSource:
        """Same as `with_resources`: a copy with only `names` selected."""
        return self.with_resources(*names)

    def add_limit(self, max_items: int | None = None, max_time: float | None = None,
                  count_rows: bool = False) -> DltSource:
        """Limit every selected resource (see `DltResource.add_limit`); returns the source.
        Transformers are not limited: they take what their limited parents give."""
        for resource in self.resources.selected.values():
            if not resource.is_transformer:
                resource.add_limit(max_items, max_time, count_rows)
        return self

    def decompose(self, strategy: str) -> list[DltSource]:
        """Split the source for separate extraction: "none" gives `[self]`; "scc" gives one copy
        per group of selected resources that share parents (the connected components of the
        selected resources and their parents), each with only that group selected."""
        if strategy == "none":
            return [self]
        if strategy != "scc":
            raise ValueError(f"Unknown decomposition strategy {strategy!r}; use 'none' or 'scc'.")
        neighbours: dict[str, set[str]] = {}
        for parent, child in self.resources.selected_dag:
            neighbours.setdefault(parent, set()).add(child)
            neighbours.setdefault(child, set()).add(parent)
        selected = set(self.resources.selected)
        seen: set[str] = set()
        parts: list[DltSource] = []
        for start in neighbours:
            if start in seen:
                continue
            component: set[str] = set()
            pending = [start]
            while pending:
                node = pending.pop()
                if node in seen:
                    continue
                seen.add(node)
                component.add(node)
                pending.extend(neighbours[node] - seen)
            parts.append(self.with_resources(*(component & selected)))
        return parts

    def parallelize(self) -> DltSource:
        """Run every selected resource that is a generator (function) or a transformer in the
        extract thread pool; other resources are left as they are. Returns the source."""
        import inspect

        for resource in self.resources.selected.values():
            data = resource._data
            if (resource.is_transformer or inspect.isgenerator(data)
                    or inspect.isgeneratorfunction(inspect.unwrap(data) if callable(data) else data)):
                resource.parallelize()
        return self

    @property
    def exhausted(self) -> bool:
        """True when a selected resource's data is a generator that has started: iterating or
        extracting the source again would not give its items again."""
        import inspect

        for resource in self.selected_resources.values():
            data = resource._data
            if inspect.isgenerator(data) and inspect.getgeneratorstate(data) != inspect.GEN_CREATED:
                return True
        return False

    def discover_schema(self, item: Any = None, meta: Any = None) -> Schema:
        """A copy of the source's schema with the tables its selected resources declare (their
        hints, with names normalized) and their nested tables, as dlt 1.31 gives it before any
        data is extracted. A resource whose table name is a function of the item is left out
        unless `item` is given."""
        from dlt.extract.errors import DataItemRequiredForDynamicTableHints

        schema = self.schema.clone()
        naming = schema.naming
        for resource in self.selected_resources.values():
            try:
                table = resource.compute_table_schema(item, meta)
            except DataItemRequiredForDynamicTableHints:
                continue
            table["name"] = naming.normalize_tables_path(table["name"])
            table["columns"] = normalized_columns(table["columns"], naming)
            schema.update_table(table)
            for nested in resource.compute_nested_table_schemas(table["name"], naming):
                schema.update_table(nested)
        return schema

    @property
    def state(self) -> dict[str, Any]:
        """This source's state: in a run the one it keeps; outside one a copy of the last
        pipeline's (as dlt 1.31 reads the active pipeline's)."""
        from dlt.pipeline.current import last_pipeline_state, source_state

        with last_pipeline_state():
            return source_state(self.name)

    def run(self, destination: Any = None, **kwargs: Any) -> Any:
        """Run this source on the default or the last configured pipeline."""
        from dlt.pipeline import run

        return run(self, destination=destination, **kwargs)

    def __getattr__(self, name: str) -> DltResource:
        resources = self.__dict__.get("resources")
        if resources is not None and name in resources:
            return resources[name]
        raise AttributeError(f"Source has no resource or attribute '{name}'.")

    def __iter__(self) -> Iterator[Any]:
        """Evaluate every selected resource and yield their items."""
        from dlt.extract.evaluate import evaluate
        from dlt.extract.resource import iteration_state

        with iteration_state(self.name):
            for _resource, page in evaluate(list(self.resources.values())):
                if isinstance(page, list):
                    yield from page
                else:
                    yield page

    def __repr__(self) -> str:
        return f"<DltSource '{self.name}' resources={list(self.resources)} selected={list(self.selected_resources)}>"
