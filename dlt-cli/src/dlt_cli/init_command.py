"""`dlt init SOURCE DESTINATION`: a working pipeline project in the current directory.

Sources and destinations come from the plugin registry, so those of third-party plugins are
offered like the built-in ones. A source whose plugin registers an init template
(`register_init_templates`) gets that template's script and settings; another registered source
gets a script calling it, with stubs for its arguments; a first-party source that is not
installed is an error naming the `pip install`; any other name gets a generic template.
"""

from __future__ import annotations

import inspect
import keyword
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dlt_cli import init_templates as templates
from dlt_cli.errors import CliError
from dlt_cli.output import print_json, print_table

if TYPE_CHECKING:
    from dlt.plugins import PluginManager, PluginRecord

CORE_DISTRIBUTION = "dlt-core"
LOG_LEVEL_STUB = templates.Stub("runtime", "log_level", '"INFO"', note="DEBUG, INFO, WARNING or ERROR")


def register(app: typer.Typer) -> None:
    """Add the `init` command to `app`."""
    app.command("init")(init)


def init(
    source: Annotated[
        str | None, typer.Argument(help="A source registered by a plugin, or a name for a new one.")
    ] = None,
    destination: Annotated[
        str | None, typer.Argument(help="A destination registered by a plugin, e.g. duckdb.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite files that already exist.")
    ] = False,
    list_sources: Annotated[
        bool, typer.Option("--list-sources",
                     help="List the installed sources and the first-party ones to install, then exit.")
    ] = False,
    list_destinations: Annotated[
        bool,
        typer.Option("--list-destinations", help="List the destinations plugins register, then exit."),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="With a --list option: print JSON.")] = False,
) -> None:
    """Create a pipeline script, .dlt/config.toml, .dlt/secrets.toml and requirements.txt here.

    The script loads SOURCE into DESTINATION and runs as is when DESTINATION needs no
    credentials (duckdb); otherwise fill in the stubs of .dlt/secrets.toml first.
    """
    from dlt.plugins import get_plugin_manager

    manager = get_plugin_manager()
    if list_sources or list_destinations:
        _print_listing(manager, "source" if list_sources else "destination", as_json)
        return
    if not source or not destination:
        missing = "SOURCE and DESTINATION" if not source else "DESTINATION"
        raise typer.BadParameter(
            f"{missing} missing; e.g. `dlt init my_api duckdb`, or list the choices with"
            " --list-sources / --list-destinations.", param_hint="SOURCE DESTINATION",
        )
    project = plan_project(manager, source, destination, Path.cwd())
    written = project.write(force=force)
    typer.echo(project.next_steps(written))


# -- listings ------------------------------------------------------------------------------------


def _print_listing(manager: PluginManager, kind: str, as_json: bool) -> None:
    entries = [_describe(manager, kind, name, obj) for name, obj in sorted(manager.provided(kind).items())]
    if kind == "source":
        entries = _with_installable_sources(manager, entries)
    if as_json:
        print_json(entries)
        return
    if kind == "source":
        rows = [(e["name"], "yes" if e["installed"] else f"no: pip install {e['distribution']}",
                 e["distribution"], e["version"] or "", e["description"]) for e in entries]
        print_table(("NAME", "INSTALLED", "DISTRIBUTION", "VERSION", "DESCRIPTION"), rows)
    else:
        rows = [(e["name"], e["distribution"], e["version"],
                 ", ".join(_field_label(name, spec) for name, spec in e["config_fields"].items()))
                for e in entries]
        print_table(("NAME", "DISTRIBUTION", "VERSION", "SETTINGS"), rows)


def _with_installable_sources(manager: PluginManager,
                              entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The installed sources (`installed: true`, `template: true` when their plugin ships an init
    template) plus the first-party sources that are not installed, with their distribution."""
    templates_by_name = manager.provided("init_template")
    for entry in entries:
        entry["installed"] = True
        entry["template"] = entry["name"] in templates_by_name
        template = templates_by_name.get(entry["name"])
        if template is not None and template.description:
            entry["description"] = template.description
    listed = {entry["name"] for entry in entries}
    for name, distribution in sorted(first_party_sources().items()):
        if name not in listed:
            entries.append({"name": name, "distribution": distribution, "version": None,
                            "description": "", "installed": False, "template": False})
    return sorted(entries, key=lambda entry: entry["name"])


def _field_label(name: str, spec: dict[str, bool]) -> str:
    flags = [flag for flag, on in (("required", spec["required"]), ("secret", spec["secret"])) if on]
    return f"{name} ({', '.join(flags)})" if flags else name


def _describe(manager: PluginManager, kind: str, name: str, obj: Any) -> dict[str, Any]:
    record = provider_record(manager, kind, name)
    entry: dict[str, Any] = {
        "name": name,
        "distribution": record.distribution if record else None,
        "version": record.version if record else None,
        "description": _first_line(getattr(obj, "__doc__", None)),
    }
    if kind == "destination":
        entry["config_fields"] = {
            field_name: {"required": required, "secret": secret}
            for field_name, (required, secret) in config_fields(obj).items()
        }
    return entry


def _first_line(text: str | None) -> str:
    return text.strip().splitlines()[0] if text and text.strip() else ""


def provider_record(manager: PluginManager, kind: str, name: str) -> PluginRecord | None:
    """The record of the plugin that provides `kind` `name`."""
    for record in manager.records.values():
        if name in record.provides.get(kind, []):
            return record
    return None


def config_fields(factory: Any) -> dict[str, tuple[bool, bool]]:
    """The destination factory's settings: name -> (required, is_secret)."""
    return dict(getattr(factory, "config_fields", None) or {})


def config_default(factory: Any, name: str) -> Any:
    """The default of a destination setting from the factory's settings model (`spec`), or
    None when it has none worth writing (no model, no default, or not a plain value)."""
    fields = getattr(getattr(factory, "spec", None), "model_fields", None) or {}
    info = fields.get(name)
    default = getattr(info, "default", None)
    return default if isinstance(default, (str, int, float, bool)) and default != "" else None


# -- the project ---------------------------------------------------------------------------------


@dataclass
class Project:
    """The files of a new pipeline project, ready to be written into `folder`."""

    folder: Path
    source: str
    destination: str
    script: str
    files: dict[str, str]
    required_secrets: list[str] = field(default_factory=list)
    required_config: list[str] = field(default_factory=list)
    registered_source: bool = False
    #: the destination's `gitignore_patterns` (its local data files), added to .gitignore
    ignored_files: tuple[str, ...] = ()
    origin: str = ""

    def write(self, *, force: bool) -> list[str]:
        """Write every file (refusing to overwrite unless `force`); return the paths written."""
        existing = [name for name in self.files if (self.folder / name).exists()]
        if existing and not force:
            raise CliError(
                f"Not overwriting {', '.join(existing)} in {self.folder}; run again with --force"
                " to replace them, or choose an empty directory."
            )
        for name, text in self.files.items():
            path = self.folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        _ensure_gitignore(self.folder / ".gitignore", self.ignored_files)
        return list(self.files)

    def next_steps(self, written: list[str]) -> str:
        """What was created and what to do next, for the terminal."""
        origin = self.origin or ("registered source" if self.registered_source
                                 else "new source template")
        lines = [f"Created the {self.source} -> {self.destination} pipeline ({origin}):"]
        lines += [f"  {name}" for name in written]
        lines += ["", "Next steps:", "  1. pip install -r requirements.txt"]
        step = 2
        for settings, file in ((self.required_secrets, "secrets.toml"),
                               (self.required_config, "config.toml")):
            if settings:
                variables = ", ".join(key.upper().replace(".", "__") for key in settings)
                lines.append(f"  {step}. Set {', '.join(settings)} in .dlt/{file}"
                             f" (or the environment: {variables})")
                step += 1
        lines += [
            f"  {step}. python {self.script}",
            f"  {step + 1}. dlt pipeline {self.source} info     (then: show, trace, schema)",
            f"  {step + 2}. dlt deploy {self.script} github-action --schedule \"0 * * * *\"",
        ]
        return "\n".join(lines)


def validate_source_name(source: str) -> str:
    """`source` names a script, a pipeline and a Python function: it must be an identifier."""
    if not source.isidentifier() or keyword.iskeyword(source) or len(source) > 64:
        raise typer.BadParameter(
            f"'{source}' cannot name a source: use letters, digits and '_' (at most 64),"
            " starting with a letter or '_', and not a Python keyword.", param_hint="SOURCE",
        )
    return source


def plan_project(manager: PluginManager, source: str, destination: str, folder: Path) -> Project:
    """The files of a `source` -> `destination` project; the destination must be registered."""
    validate_source_name(source)
    factory = manager.resolve("destination", destination)  # unknown: lists the installed ones
    source_factory = manager.provided("source").get(source)
    script = f"{source}_pipeline.py"

    destination_section = f"destination.{destination}"
    secret_stubs: list[templates.Stub] = []
    config_stubs: list[templates.Stub] = []
    required_secrets: list[str] = []
    required_config: list[str] = []
    for name, (required, secret) in config_fields(factory).items():
        note = ("required" if required else "optional") + (", secret" if secret else "")
        default = None if secret else config_default(factory, name)
        if default is not None:
            stub = templates.Stub(destination_section, name, templates.toml_literal(default),
                                  note=f"{note}, this is the default")
        else:
            stub = templates.Stub(destination_section, name, note=note)
        (secret_stubs if secret else config_stubs).append(stub)
        if required:
            (required_secrets if secret else required_config).append(f"{destination_section}.{name}")

    requirements: list[str | None] = [_requirement(CORE_DISTRIBUTION, None)]
    destination_record = provider_record(manager, "destination", destination)
    init_template = manager.provided("init_template").get(source)
    origin = ""
    if source_factory is None and source in first_party_sources():
        manager.resolve("source", source)  # raises: says which `pip install` provides it
    if source_factory is not None and init_template is not None:
        # the plugin ships its own project template: its script and every setting it reads
        source_record = provider_record(manager, "source", source)
        provider = source_record.distribution if source_record and source_record.distribution else source
        origin = f"registered source, template of {provider}"
        text = init_template.render_script(
            destination=destination, pipeline_name=source, dataset_name=f"{source}_data",
            script=script,
        )
        for setting in init_template.settings:
            (secret_stubs if setting.secret else config_stubs).append(_setting_stub(setting))
            if setting.required and setting.value is None:
                (required_secrets if setting.secret else required_config).append(setting.key)
        requirements.append(_requirement_of(source_record, extras=init_template.extras))
        requirements.extend(init_template.requirements)
    elif source_factory is not None:
        source_record = provider_record(manager, "source", source)
        for stub, secret in _source_stubs(source, source_factory):
            (secret_stubs if secret else config_stubs).append(stub)
        text = templates.registered_source_script(
            source, destination, script, source_record.distribution if source_record else None,
            getattr(source_factory, "__doc__", None) or "",
        )
        requirements.append(_requirement_of(source_record))
    else:
        text = templates.generic_source_script(source, destination, script)
    requirements.append(_requirement_of(destination_record))

    files = {
        script: text,
        ".dlt/config.toml": templates.toml_file(
            templates.CONFIG_HEADER.format(source=source), [LOG_LEVEL_STUB, *config_stubs]
        ),
        ".dlt/secrets.toml": templates.toml_file(
            templates.SECRETS_HEADER.format(source=source), secret_stubs
        ),
        "requirements.txt": templates.requirements_file(
            list(dict.fromkeys(r for r in requirements if r))
        ),
    }
    return Project(folder, source, destination, script, files, required_secrets, required_config,
                   registered_source=source_factory is not None, origin=origin,
                   ignored_files=tuple(getattr(factory, "gitignore_patterns", ()) or ()))


def _setting_stub(setting: Any) -> templates.Stub:
    """The line of a template's `TemplateSetting`: set when it has a value, else a stub."""
    if setting.value is not None:
        return templates.Stub(setting.section, setting.name, setting.value, note=setting.note,
                              active=True)
    return templates.Stub(setting.section, setting.name, setting.example, note=setting.note)


def _source_stubs(source: str, factory: Any) -> list[tuple[templates.Stub, bool]]:
    """Stubs for the source function's arguments: `dlt.secrets.value` ones are secrets."""
    from dlt.configuration.resolve import CONFIG_VALUE, SECRET_VALUE

    try:
        parameters = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):
        return []
    stubs = []
    section = f"sources.{source}"
    for parameter in parameters:
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        default = parameter.default
        if default is SECRET_VALUE:
            stubs.append((templates.Stub(section, parameter.name, note="required, secret"), True))
        elif default is CONFIG_VALUE:
            stubs.append((templates.Stub(section, parameter.name, note="required"), False))
        elif default is parameter.empty:
            stubs.append((templates.Stub(section, parameter.name, note="required argument"), False))
        else:
            stubs.append((templates.Stub(section, parameter.name, templates.toml_literal(default),
                                         note="optional, this is the default"), False))
    return stubs


def _requirement_of(record: PluginRecord | None, extras: tuple[str, ...] = ()) -> str | None:
    if record is None or not record.distribution:
        return None
    name = f"{record.distribution}[{','.join(extras)}]" if extras else record.distribution
    return _requirement(name, record.version)


def first_party_sources() -> dict[str, str]:
    """First-party source names and the distribution that provides each, installed or not."""
    from dlt.plugins.errors import FIRST_PARTY_DISTRIBUTIONS

    return dict(FIRST_PARTY_DISTRIBUTIONS.get("source", {}))


def _requirement(distribution: str, known_version: str | None) -> str:
    """`distribution>=version` with the installed version (the name alone when unknown)."""
    if known_version is None:
        try:
            known_version = version(distribution)
        except PackageNotFoundError:
            return distribution
    return f"{distribution}>={known_version}"


def _ensure_gitignore(path: Path, destination_patterns: tuple[str, ...] = ()) -> None:
    """Keep secrets and local databases out of git: add the lines a .gitignore lacks (dlt's
    own and the destination's `gitignore_patterns`)."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    wanted = dict.fromkeys([*templates.GITIGNORE_LINES, *destination_patterns])
    missing = [line for line in wanted if line not in lines]
    if missing:
        prefix = "\n" if lines and path.read_text(encoding="utf-8")[-1:] != "\n" else ""
        with path.open("a", encoding="utf-8") as file:
            file.write(prefix + "\n".join(missing) + "\n")
