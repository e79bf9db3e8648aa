"""`rest_api_source` / `rest_api_resources`: dlt resources from a declarative REST API config.

Each config resource becomes a `dlt.resource` that pages through its endpoint with a
`RESTClient`; a resource whose endpoint refers to `{resources.<parent>.<field>}` (or uses the
legacy `{"type": "resolve", ...}` param) becomes a `dlt.transformer` of that parent, making one
request per parent record. `{incremental.start_value}` (and `end_value`, `last_value`) fill in
from the resource's `dlt.sources.incremental`.
"""

from __future__ import annotations

import copy
import graphlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

from requests import Response

import dlt
from dlt.extract.incremental import Incremental
from dlt.extract.resource import DltResource

from dlt_source_rest_api.rest_api.config_setup import (
    RestApiConfigError,
    bind_path_params,
    create_auth,
    create_paginator,
    field_of,
    placeholders,
    render,
)
from dlt_source_rest_api.rest_client import RESTClient
from dlt_source_rest_api.rest_client.detector import single_entity_path
from dlt_source_rest_api.rest_client.exceptions import IgnoreResponseException
from dlt_source_rest_api.rest_client.paginators import SinglePagePaginator
from dlt_source_rest_api.rest_client.redaction import raise_for_status

CONFIG_KEYS = {"client", "resource_defaults", "resources"}
CLIENT_KEYS = {"base_url", "headers", "auth", "paginator", "session"}
RESOURCE_KEYS = {
    "name", "endpoint", "write_disposition", "primary_key", "merge_key", "table_name", "columns",
    "max_table_nesting", "selected", "parallelized", "include_from_parent", "processing_steps",
    "schema_contract", "table_format", "file_format", "nested_hints", "references",
}
ENDPOINT_KEYS = {
    "path", "method", "params", "json", "data", "headers", "paginator", "data_selector",
    "response_actions", "incremental", "auth",
}
INCREMENTAL_ARGUMENTS = {
    "cursor_path", "initial_value", "end_value", "last_value_func", "row_order",
    "allow_external_schedulers", "on_cursor_value_missing", "lag", "range_start", "range_end",
}
INCREMENTAL_KEYS = INCREMENTAL_ARGUMENTS | {"start_param", "end_param", "convert", "type"}
HINT_KEYS = ("table_name", "write_disposition", "primary_key", "merge_key", "columns",
             "max_table_nesting", "schema_contract", "table_format", "file_format", "selected",
             "parallelized")


def rest_api_source(config: Mapping[str, Any], name: Optional[str] = None, section: Optional[str] = None,
                    max_table_nesting: Optional[int] = None, root_key: bool = False,
                    schema: Any = None, schema_contract: Any = None, parallelized: bool = False) -> Any:
    """A dlt source with one resource per entry of `config["resources"]` (see `rest_api_resources`)."""
    resources = rest_api_resources(config)

    def rest_api() -> list[DltResource]:
        return resources

    factory = dlt.source(rest_api, name=name or "rest_api", section=section or "rest_api",
                         max_table_nesting=max_table_nesting, root_key=root_key, schema=schema,
                         schema_contract=schema_contract, parallelized=parallelized)
    return factory()


@dlt.source
def rest_api(client: Any = dlt.config.value, resources: Any = dlt.config.value,
             resource_defaults: Any = None) -> list[DltResource]:
    """The rest_api source whose `client`, `resources` and `resource_defaults` may come from
    config (`[sources.rest_api]` in `.dlt/config.toml`) instead of one `config` dict."""
    return rest_api_resources({"client": client, "resources": resources,
                               "resource_defaults": resource_defaults})


def rest_api_resources(config: Mapping[str, Any]) -> list[DltResource]:
    """The dlt resources a rest_api config describes, parents before their children (as dlt
    1.31 orders them), otherwise in config order.

    `config["client"]` says where the API is (`base_url`, `headers`, `auth`, `paginator`),
    `config["resource_defaults"]` is merged under every resource, and each entry of
    `config["resources"]` is a name (the path too), a dict (`name`, `endpoint`, table hints,
    `include_from_parent`, `processing_steps`) or a ready `DltResource` that others may use as
    a parent. Invalid settings raise `RestApiConfigError` naming their key path.
    """
    if not isinstance(config, Mapping):
        raise RestApiConfigError(f"A rest_api config is a dict with client and resources; got {type(config).__name__}.")
    _check_keys(config, CONFIG_KEYS, "config")
    entries = config.get("resources")
    if not isinstance(entries, (list, tuple)) or not entries:
        raise RestApiConfigError("`resources` must be a non-empty list of resource names, dicts or dlt resources.")
    graph, resource_map, parent_map = build_resource_dependency_graph(config.get("resource_defaults"), entries)
    return list(create_resources(config.get("client") or {}, graph, resource_map, parent_map).values())


def build_resource_dependency_graph(
    resource_defaults: Optional[Mapping[str, Any]], resource_list: Sequence[Any],
) -> tuple[graphlib.TopologicalSorter, dict[str, Any], dict[str, Optional[list[ParentRef]]]]:  # type: ignore[type-arg]
    """Parse the resources of a config: the graph of which resource reads from which, each
    resource by name (parsed, or the given `DltResource`) and each one's parent references
    (None for a resource without parent). The three go to `create_resources`, as in dlt 1.31."""
    defaults = dict(resource_defaults or {})
    _check_keys(defaults, RESOURCE_KEYS, "resource_defaults")
    resource_map: dict[str, Any] = {}
    parent_map: dict[str, Optional[list[ParentRef]]] = {}
    for index, entry in enumerate(resource_list):
        where = f"resources[{index}]"
        if isinstance(entry, DltResource):
            resource_map[entry.name] = entry
            parent_map[entry.name] = None
            continue
        if isinstance(entry, str):
            entry = {"name": entry, "endpoint": {"path": entry}}
        if not isinstance(entry, Mapping):
            raise RestApiConfigError(f"`{where}` must be a name, a dict or a dlt resource; got {type(entry).__name__}.")
        resource = EndpointResource.parse(_merge(defaults, entry), where)
        if resource.name in resource_map:
            raise RestApiConfigError(f"`{where}.name`: the resource '{resource.name}' is defined twice.")
        resource_map[resource.name] = resource
        parent_map[resource.name] = resource.refs or None
    graph: graphlib.TopologicalSorter = graphlib.TopologicalSorter()  # type: ignore[type-arg]
    for name, resource in resource_map.items():
        parent_name = resource.parent_name if isinstance(resource, EndpointResource) else None
        if parent_name is None:
            graph.add(name)
            continue
        if parent_name not in resource_map:
            raise RestApiConfigError(
                f"`{resource.where}.endpoint` refers to the resource '{parent_name}', which the config"
                f" does not define (defined: {', '.join(sorted(resource_map))})."
            )
        graph.add(name, parent_name)
    return graph, resource_map, parent_map


def create_resources(
    client_config: Mapping[str, Any], dependency_graph: graphlib.TopologicalSorter,  # type: ignore[type-arg]
    endpoint_resource_map: Mapping[str, Any], resolved_param_map: Optional[Mapping[str, Any]] = None,
) -> dict[str, DltResource]:
    """Build the dlt resources of `build_resource_dependency_graph`'s results, parents first,
    with a REST client from `client_config` (`base_url`, `headers`, `auth`, `paginator`,
    `session`). An entry of `endpoint_resource_map` may also be a resource dict or a
    `DltResource`. `resolved_param_map` is accepted as dlt 1.31 takes it; the parents are read
    from the parsed resources."""
    client_config = dict(client_config or {})
    _check_keys(client_config, CLIENT_KEYS, "client")
    if not client_config.get("base_url"):
        raise RestApiConfigError("`client.base_url` is missing: say where the API is, e.g. 'https://api.example.com/v1/'.")
    client = ClientSettings(
        base_url=client_config["base_url"],
        headers=dict(client_config.get("headers") or {}),
        auth=create_auth(client_config.get("auth"), "client.auth"),
        paginator=create_paginator(client_config.get("paginator"), "client.paginator"),
        session=client_config.get("session"),
    )
    try:
        order = list(dependency_graph.static_order())
    except graphlib.CycleError as exc:
        cycle = exc.args[1] if len(exc.args) > 1 else []
        raise RestApiConfigError(
            "Resources depend on each other in a circle: " + " -> ".join(map(str, reversed(cycle))) + "."
        ) from exc
    resources: dict[str, DltResource] = {}
    for name in order:
        resource = endpoint_resource_map[name]
        if isinstance(resource, DltResource):
            resources[name] = resource
            continue
        if isinstance(resource, Mapping):
            resource = EndpointResource.parse(resource, f"resources['{name}']")
        parent = resources[resource.parent_name] if resource.parent_name else None
        resources[name] = resource.build(client, parent)
    return resources


# -- parsing ------------------------------------------------------------------------------------


@dataclass
class ClientSettings:
    """The `client` section, with auth and paginator already built."""

    base_url: str
    headers: dict[str, str]
    auth: Any
    paginator: Any
    session: Any

    def rest_client(self) -> RESTClient:
        """A client for one resource evaluation (each gets its own retrying session)."""
        return RESTClient(base_url=self.base_url, headers=self.headers, auth=self.auth,
                          paginator=self.paginator, session=self.session)


@dataclass
class ParentRef:
    """A value taken from the parent record: `{resources.<parent>.<field>}` or legacy resolve."""

    resource: str
    field: str
    placeholder: str


@dataclass
class EndpointResource:
    """One resource of the config, parsed and checked."""

    name: str
    where: str
    endpoint: dict[str, Any]
    hints: dict[str, Any]
    include_from_parent: list[str]
    processing_steps: list[Mapping[str, Any]]
    refs: list[ParentRef] = field(default_factory=list)
    incremental: Optional[Incremental] = None
    convert: Optional[Callable[[Any], Any]] = None

    @property
    def parent_name(self) -> Optional[str]:
        """The resource this one reads its parent records from, if any."""
        return self.refs[0].resource if self.refs else None

    @classmethod
    def parse(cls, config: Mapping[str, Any], where: str) -> EndpointResource:
        """Check one resource dict (defaults merged) and split it into its parts."""
        _check_keys(config, RESOURCE_KEYS, where)
        name = config.get("name")
        if not name or not isinstance(name, str):
            raise RestApiConfigError(f"`{where}.name` is missing: every resource needs a name.")
        endpoint = config.get("endpoint")
        if endpoint is None:
            endpoint = {"path": name}
        elif isinstance(endpoint, str):
            endpoint = {"path": endpoint}
        elif not isinstance(endpoint, Mapping):
            raise RestApiConfigError(f"`{where}.endpoint` must be a path or a dict; got {type(endpoint).__name__}.")
        endpoint = dict(endpoint)
        _check_keys(endpoint, ENDPOINT_KEYS, f"{where}.endpoint")
        endpoint.setdefault("path", name)
        if single_entity_path(str(endpoint["path"])):
            # one object per call (`posts/{id}`, `posts/{resources.posts.id}`): keep it whole,
            # each setting only where the config leaves it unset, as dlt 1.31 does
            if endpoint.get("data_selector") is None:
                endpoint["data_selector"] = "$"
            if endpoint.get("paginator") is None:
                endpoint["paginator"] = SinglePagePaginator()
        params = dict(endpoint.get("params") or {})
        endpoint["path"] = bind_path_params(str(endpoint["path"]), params)
        refs: list[ParentRef] = []
        incremental_config: Optional[dict[str, Any]] = None
        if endpoint.get("incremental") is not None:
            incremental_config = dict(endpoint["incremental"])
        for key, value in list(params.items()):
            if isinstance(value, Mapping) and value.get("type") == "resolve":
                if not value.get("resource") or not value.get("field"):
                    raise RestApiConfigError(
                        f"`{where}.endpoint.params.{key}` resolves from a parent: it needs `resource` and `field`."
                    )
                refs.append(ParentRef(value["resource"], value["field"], key))
                del params[key]
            elif isinstance(value, Mapping) and value.get("type") == "incremental":
                if incremental_config is not None:
                    raise RestApiConfigError(
                        f"`{where}.endpoint` has two incrementals (`incremental` and `params.{key}`); keep one."
                    )
                incremental_config = {**value, "start_param": key}
                del params[key]
        endpoint["params"] = params
        searched = [endpoint.get(k) for k in ("path", "params", "json", "data", "headers")]
        for expression in placeholders(searched):
            if expression.startswith("resources."):
                parts = expression.split(".", 2)
                if len(parts) < 3 or not parts[1] or not parts[2]:
                    raise RestApiConfigError(
                        f"`{where}.endpoint` has the placeholder {{{expression}}}; write {{resources.<parent>.<field>}}."
                    )
                refs.append(ParentRef(parts[1], parts[2], expression))
            elif expression.startswith("incremental."):
                if expression not in ("incremental.start_value", "incremental.end_value", "incremental.last_value"):
                    raise RestApiConfigError(
                        f"`{where}.endpoint` has the placeholder {{{expression}}}; use incremental.start_value,"
                        " incremental.end_value or incremental.last_value."
                    )
                if incremental_config is None:
                    raise RestApiConfigError(
                        f"`{where}.endpoint` uses {{{expression}}} but has no `incremental` (with a cursor_path)."
                    )
            elif expression not in {ref.placeholder for ref in refs}:
                raise RestApiConfigError(
                    f"`{where}.endpoint` has the placeholder {{{expression}}}, which is not known: use"
                    " {resources.<parent>.<field>}, {incremental.start_value}, or double the braces for"
                    " literal text."
                )
        parents = {ref.resource for ref in refs}
        if len(parents) > 1:
            raise RestApiConfigError(
                f"`{where}.endpoint` takes values from several parents ({', '.join(sorted(parents))}); one is supported."
            )
        incremental, convert = None, None
        if incremental_config is not None:
            incremental, convert = _make_incremental(incremental_config, params, f"{where}.endpoint.incremental")
        steps = list(config.get("processing_steps") or [])
        for number, step in enumerate(steps):
            if not isinstance(step, Mapping) or len(step) != 1 or next(iter(step)) not in ("filter", "map", "yield_map"):
                raise RestApiConfigError(
                    f"`{where}.processing_steps[{number}]` must be one of {{'filter': f}}, {{'map': f}} or {{'yield_map': f}}."
                )
        include = config.get("include_from_parent") or []
        if include and not refs:
            raise RestApiConfigError(f"`{where}.include_from_parent` needs an endpoint with a parent resource.")
        hints = {key: config[key] for key in HINT_KEYS if key in config}
        return cls(name, where, endpoint, hints, list(include), steps, refs, incremental, convert)

    # -- building -----------------------------------------------------------------------------

    def build(self, client: ClientSettings, parent: Optional[DltResource]) -> DltResource:
        """The dlt resource (or transformer, with a parent) for this config resource."""
        endpoint = self.endpoint
        paginator = create_paginator(endpoint.get("paginator"), f"{self.where}.endpoint.paginator")
        auth = create_auth(endpoint.get("auth"), f"{self.where}.endpoint.auth")
        hooks = _response_hooks(endpoint.get("response_actions"), f"{self.where}.endpoint.response_actions")
        method = str(endpoint.get("method") or "GET").upper()
        fetch = self._fetcher(client, paginator, auth, hooks, method)
        incremental = self.incremental
        if parent is None:
            if incremental is None:
                def resource_function() -> Iterator[Any]:
                    yield from fetch(None, None)
            else:
                def resource_function(incremental_object: Incremental = incremental) -> Iterator[Any]:  # type: ignore[misc]
                    yield from fetch(incremental_object, None)
            resource = dlt.resource(resource_function, name=self.name, **self.hints)
        else:
            if incremental is None:
                def transformer_function(items: Any) -> Iterator[Any]:
                    for item in _records(items):
                        yield from fetch(None, item)
            else:
                def transformer_function(items: Any, incremental_object: Incremental = incremental) -> Iterator[Any]:  # type: ignore[misc]
                    for item in _records(items):
                        yield from fetch(incremental_object, item)
            resource = dlt.transformer(transformer_function, data_from=parent, name=self.name, **self.hints)
        for step in self.processing_steps:
            kind, function = next(iter(step.items()))
            getattr(resource, {"filter": "add_filter", "map": "add_map", "yield_map": "add_yield_map"}[kind])(function)
        return resource

    def _fetcher(self, client: ClientSettings, paginator: Any, auth: Any, hooks: Any,
                 method: str) -> Callable[[Optional[Incremental], Any], Iterator[Any]]:
        endpoint = self.endpoint
        refs = self.refs
        convert = self.convert
        include = self.include_from_parent
        parent_name = self.parent_name
        where = f"{self.where} ('{self.name}')"

        def fetch(incremental: Optional[Incremental], item: Any) -> Iterator[Any]:
            def lookup(expression: str) -> Any:
                if expression.startswith("incremental."):
                    value = getattr(incremental, expression.split(".", 1)[1])
                    return convert(value) if convert is not None else value
                for ref in refs:
                    if ref.placeholder == expression:
                        return field_of(item, ref.field, ref.resource, where)
                raise RestApiConfigError(f"{where}: the placeholder {{{expression}}} has no value.")

            path = render(endpoint["path"], lookup)
            params = _render_params(endpoint.get("params") or {}, lookup)
            kwargs: dict[str, Any] = {}
            if endpoint.get("headers"):
                kwargs["headers"] = render(endpoint["headers"], lookup)
            if endpoint.get("data") is not None:
                kwargs["data"] = render(endpoint["data"], lookup)
            json_body = render_native(endpoint.get("json"), lookup)
            rest = client.rest_client()
            for page in rest.paginate(path, method=method, params=params, json=json_body, auth=auth,
                                      paginator=paginator, data_selector=endpoint.get("data_selector"),
                                      hooks=hooks, **kwargs):
                if include and item is not None:
                    extra = {f"_{parent_name}_{name}": field_of(item, name, str(parent_name), where)
                             for name in include}
                    for record in page:
                        if isinstance(record, dict):
                            record.update(extra)
                yield page

        return fetch


# -- helpers ------------------------------------------------------------------------------------


def _check_keys(config: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(config) - allowed)
    if unknown:
        hint = ""
        if "auth" in unknown and "endpoint" in allowed:
            hint = " (auth of one resource goes inside its `endpoint`)"
        raise RestApiConfigError(
            f"`{where}` has unknown keys {', '.join(unknown)}{hint}; allowed are {', '.join(sorted(allowed))}."
        )


def _merge(defaults: Mapping[str, Any], entry: Mapping[str, Any]) -> dict[str, Any]:
    """`entry` over `defaults`, dicts merged key by key (instances such as paginators kept)."""
    merged: dict[str, Any] = {k: copy.copy(v) for k, v in defaults.items()}
    for key, value in entry.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping) and key != "paginator" and key != "auth":
            merged[key] = _merge(merged[key], value)
        elif isinstance(value, str) and key == "endpoint" and isinstance(merged.get(key), Mapping):
            merged[key] = {**merged[key], "path": value}
        else:
            merged[key] = value
    return merged


def _make_incremental(config: dict[str, Any], params: dict[str, Any], where: str) -> tuple[Incremental, Any]:
    unknown = sorted(set(config) - INCREMENTAL_KEYS)
    if unknown:
        raise RestApiConfigError(f"`{where}` has unknown keys {', '.join(unknown)}.")
    if not config.get("cursor_path"):
        raise RestApiConfigError(f"`{where}.cursor_path` is missing: name the field that orders the records.")
    if config.get("start_param"):
        params[config["start_param"]] = "{incremental.start_value}"
    if config.get("end_param"):
        params[config["end_param"]] = "{incremental.end_value}"
    arguments = {k: v for k, v in config.items() if k in INCREMENTAL_ARGUMENTS}
    return Incremental(**arguments), config.get("convert")


def _render_params(params: Mapping[str, Any], lookup: Callable[[str], Any]) -> dict[str, Any]:
    rendered = {}
    for key, value in params.items():
        if value == "{incremental.end_value}" and lookup("incremental.end_value") is None:
            continue  # no end of the range: do not send the parameter
        rendered[key] = render(value, lookup)
    return rendered


def render_native(value: Any, lookup: Callable[[str], Any]) -> Any:
    """Like `render`, but a string that is exactly one placeholder keeps the value's type
    (so `{"id": "{resources.users.id}"}` sends a number in a JSON body)."""
    if isinstance(value, str):
        found = placeholders(value)
        if len(found) == 1 and value == "{" + found[0] + "}":
            return lookup(found[0])
        return render(value, lookup)
    if isinstance(value, Mapping):
        return {key: render_native(item, lookup) for key, item in value.items()}
    if isinstance(value, list):
        return [render_native(item, lookup) for item in value]
    return value


def _records(items: Any) -> list[Any]:
    return list(items) if isinstance(items, list) else [items]


def _response_hooks(actions: Any, where: str) -> Optional[dict[str, list[Any]]]:
    """Response hooks for `response_actions`: matching actions run in order (`ignore` skips the
    response), then an error status still raises `HTTPError`. None: the client's default."""
    if not actions:
        return None
    if not isinstance(actions, list):
        raise RestApiConfigError(f"`{where}` must be a list of callables or dicts with an `action`.")
    for number, action in enumerate(actions):
        if callable(action):
            continue
        if not isinstance(action, Mapping) or "action" not in action:
            raise RestApiConfigError(f"`{where}[{number}]` must be a callable or a dict with `action`.")
        if "status_code" not in action and "content" not in action:
            raise RestApiConfigError(f"`{where}[{number}]` needs `status_code` or `content` to match responses.")

    def apply_actions(response: Response, *args: Any, **kwargs: Any) -> Response:
        for action in actions:
            if callable(action):
                response = _call_hook(action, response)
                continue
            status = action.get("status_code")
            statuses = status if isinstance(status, (list, tuple, set)) else [status]
            if status is not None and response.status_code not in statuses:
                continue
            content = action.get("content")
            if content is not None and content not in response.text:
                continue
            todo = action["action"]
            if todo == "ignore":
                raise IgnoreResponseException(
                    f"Response {response.status_code} ignored by a response action."
                )
            for function in todo if isinstance(todo, list) else [todo]:
                if not callable(function):
                    raise RestApiConfigError(f"`{where}`: an action is 'ignore' or a callable, not {function!r}.")
                response = _call_hook(function, response)
        return response

    return {"response": [apply_actions, raise_for_status]}


def _call_hook(function: Callable[..., Any], response: Response) -> Response:
    result = function(response)
    return result if isinstance(result, Response) else response
