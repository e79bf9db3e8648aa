"""Import paths dlt 1.31 users write resolve to our one implementation (no second copy)."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import dlt
from dlt.configuration import exceptions as config_exceptions
from dlt.configuration import providers
from dlt.configuration import specs
from dlt.configuration import typing as config_typing
from dlt.destinations import utils as adapter_utils
from dlt.sources.credentials import GcpOAuthCredentials
from dlt.utils import exceptions as base_exceptions
from dlt.utils import typing as base_typing

SAME_OBJECTS = [
    ("dlt.common.configuration", "configspec", specs.configspec),
    ("dlt.common.configuration", "BaseConfiguration", specs.BaseConfiguration),
    ("dlt.common.configuration", "CredentialsConfiguration", specs.CredentialsConfiguration),
    ("dlt.common.configuration", "ConfigFieldMissingException", config_exceptions.ConfigFieldMissingException),
    ("dlt.common.configuration.specs", "BaseConfiguration", specs.BaseConfiguration),
    ("dlt.common.configuration.specs", "ConnectionStringCredentials", specs.ConnectionStringCredentials),
    ("dlt.common.configuration.specs", "GcpServiceAccountCredentials", specs.GcpServiceAccountCredentials),
    ("dlt.common.configuration.specs", "AwsCredentials", specs.AwsCredentials),
    ("dlt.common.configuration.specs.base_configuration", "configspec", specs.configspec),
    ("dlt.common.configuration.specs.connection_string_credentials", "ConnectionStringCredentials",
     specs.ConnectionStringCredentials),
    ("dlt.common.configuration.exceptions", "ConfigFieldMissingException",
     config_exceptions.ConfigFieldMissingException),
    ("dlt.common.configuration.exceptions", "ValueNotSecretException", config_exceptions.ValueNotSecretException),
    ("dlt.common.configuration.accessors", "config", dlt.config),
    ("dlt.common.configuration.accessors", "secrets", dlt.secrets),
    ("dlt.common.schema", "Schema", dlt.Schema),
    ("dlt.common.typing", "TDataItem", base_typing.TDataItem),
    ("dlt.common.typing", "TDataItems", base_typing.TDataItems),
    ("dlt.common.typing", "DictStrAny", base_typing.DictStrAny),
    ("dlt.common.typing", "TSecretStrValue", config_typing.TSecretStrValue),
    ("dlt.common.typing", "TSecretValue", config_typing.TSecretValue),
    ("dlt.common.exceptions", "DltException", base_exceptions.DltException),
    ("dlt.common.exceptions", "TerminalException", base_exceptions.TerminalException),
    ("dlt.common.exceptions", "TransientException", base_exceptions.TransientException),
    ("dlt.common.exceptions", "MissingDependencyException", base_exceptions.MissingDependencyException),
    ("dlt.sources.credentials", "ConnectionStringCredentials", specs.ConnectionStringCredentials),
    ("dlt.sources.credentials", "GcpServiceAccountCredentials", specs.GcpServiceAccountCredentials),
    ("dlt.sources.credentials", "CredentialsConfiguration", specs.CredentialsConfiguration),
    ("dlt", "TSecretValue", config_typing.TSecretValue),
    ("dlt", "TCredentials", specs.CredentialsConfiguration),
    ("dlt.common.configuration.specs", "GcpOAuthCredentials", specs.GcpOAuthCredentials),
    ("dlt.sources.credentials", "GcpOAuthCredentials", specs.GcpOAuthCredentials),
    ("dlt.common.configuration.providers", "SecretsTomlProvider", providers.SecretsTomlProvider),
    ("dlt.common.configuration.providers.toml", "ConfigTomlProvider", providers.ConfigTomlProvider),
    ("dlt.extract.items", "TDataItem", base_typing.TDataItem),
    ("dlt.sources.config", "configspec", specs.configspec),
    ("dlt.destinations.utils", "get_resource_for_adapter", adapter_utils.get_resource_for_adapter),
]


@pytest.mark.parametrize(("module", "name", "expected"), SAME_OBJECTS,
                         ids=[f"{m}.{n}" for m, n, _ in SAME_OBJECTS])
def test_user_import_path_is_our_implementation(module, name, expected):
    assert getattr(importlib.import_module(module), name) is expected


def test_schema_paths_resolve_to_the_schema_package():
    from dlt.common.schema import DataValidationError, typing
    from dlt.common.schema.typing import TColumnSchema, TTableSchema
    from dlt.schema import exceptions, typing as schema_typing

    assert DataValidationError is exceptions.DataValidationError
    assert typing.TTableSchema is TTableSchema is schema_typing.TTableSchema
    assert TColumnSchema is schema_typing.TColumnSchema


def test_pipeline_and_destination_paths_resolve_to_their_packages():
    from dlt.common.destination.exceptions import (
        DestinationTerminalException,
        DestinationTransientException,
    )
    from dlt.common.pipeline import LoadInfo
    from dlt.destinations.base import DestinationTerminalError, DestinationTransientError
    from dlt.pipeline.exceptions import PipelineStepFailed
    from dlt.pipeline.load_info import LoadInfo as OurLoadInfo

    assert LoadInfo is OurLoadInfo
    assert DestinationTerminalException is DestinationTerminalError
    assert DestinationTransientException is DestinationTransientError
    failure = PipelineStepFailed("p", "load", ValueError("x"), load_id="1", step_info=None)
    assert (failure.step, failure.load_id, failure.step_info) == ("load", "1", None)
    assert isinstance(failure.exception, ValueError)


def test_terminal_and_transient_errors_are_the_dlt_mixins_both_ways():
    from dlt.common.destination.exceptions import DestinationTerminalException
    from dlt.common.exceptions import TerminalException, TransientException
    from dlt.configuration.exceptions import ConfigFieldMissingException
    from dlt.destinations.base import DestinationTransientError
    from dlt.utils.exceptions import DltException, TerminalError

    # ours are instances of the mixins dlt users catch
    assert isinstance(TerminalError("x"), TerminalException)
    assert isinstance(DestinationTransientError("x"), TransientException)
    assert issubclass(ConfigFieldMissingException, (KeyError, TerminalException))
    # a user's error can mix them in as in dlt 1.31
    class MyTerminal(Exception, TerminalException):
        pass

    assert isinstance(MyTerminal(), TerminalException) and not isinstance(MyTerminal(), DltException)
    with pytest.raises(TerminalException):
        raise DestinationTerminalException("refused")


def test_facade_modules_are_not_imported_by_import_dlt():
    code = "import dlt, sys; print(sorted(m for m in sys.modules if m.startswith('dlt.common')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['dlt.common']" or out.stdout.strip() == "[]", out.stdout


def test_import_dlt_leaves_pyarrow_and_duckdb_for_the_first_run():
    code = ("import dlt, sys; print(sorted(m for m in ('pyarrow', 'duckdb', 'dlt.extract.extractor',"
            " 'dlt.normalize.normalizer') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_creating_a_pipeline_imports_its_stages(tmp_path):
    code = ("import dlt, sys; dlt.pipeline('light', pipelines_dir=r'%s');"
            " print(sorted(m for m in ('pyarrow', 'dlt.extract.extractor', 'dlt.normalize.normalizer',"
            " 'dlt.load.loader') if m in sys.modules))" % tmp_path)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ("['dlt.extract.extractor', 'dlt.load.loader',"
                                  " 'dlt.normalize.normalizer', 'pyarrow']"), out.stdout


def test_a_pipeline_run_still_finds_its_stages(tmp_path):
    code = ("import dlt; p = dlt.pipeline('light', pipelines_dir=r'%s', destination='duckdb',"
            " dataset_name='d'); info = p.run([{'id': 1}], table_name='t');"
            " print(p.dataset().t.select('id').fetchall())" % tmp_path)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=tmp_path)
    assert out.stdout.strip().splitlines()[-1] == "[(1,)]", out.stdout + out.stderr


def test_every_facade_module_says_where_the_real_code_lives():
    for module in ("dlt.common.configuration", "dlt.common.configuration.specs",
                   "dlt.common.configuration.exceptions", "dlt.common.schema",
                   "dlt.common.schema.typing", "dlt.common.typing", "dlt.common.exceptions",
                   "dlt.common.destination.exceptions", "dlt.common.pipeline",
                   "dlt.sources.credentials", "dlt.common.time", "dlt.common.json", "dlt.common.utils",
                   "dlt.common.runtime.slack", "dlt.common.data_types", "dlt.common.destination.reference",
                   "dlt.common.normalizers", "dlt.common.normalizers.naming", "dlt.extract.exceptions"):
        doc = importlib.import_module(module).__doc__ or ""
        assert "dlt." in doc and "re-export" in doc.replace("Re-export", "re-export"), module


@pytest.mark.parametrize("line", [
    "from dlt.common.schema.typing import TWriteDispositionConfig, TPartialTableSchema, TColumnProp, TSimpleRegex",
    "from dlt.common.typing import TLoaderFileFormat",
    "from dlt.destinations.exceptions import DestinationConnectionError, DestinationTerminalException,"
    " DestinationTransientException",
    "from dlt.extract import SourceFactory",
    "from dlt.extract.resource import with_table_name, with_hints",
    "from dlt.common.pipeline import TPipelineState",
    "from dlt.common.exceptions import DictValidationException",
])
def test_more_1_31_import_lines_work(line):
    exec(line, {})


def test_the_1_31_error_names_are_our_errors():
    from dlt.common.exceptions import TerminalException, TransientException
    from dlt.destinations.exceptions import DestinationTerminalException, DestinationTransientException
    from dlt.extract.resource import with_table_name
    from dlt.extract.mark import with_table_name as marked

    assert issubclass(DestinationTransientException, TransientException)
    assert issubclass(DestinationTerminalException, TerminalException)
    assert with_table_name is marked


def test_the_incremental_typing_path_of_1_31_imports():
    from dlt.common.incremental.typing import (
        IncrementalArgs, IncrementalColumnState, LastValueFunc, OnCursorValueMissing,
        TIncrementalRange,
    )
    from dlt.extract.incremental import IncrementalColumnState as ours

    assert IncrementalColumnState is ours
    assert set(IncrementalArgs.__annotations__) >= {"cursor_path", "initial_value", "range_end"}
    assert LastValueFunc is not None and OnCursorValueMissing is not None and TIncrementalRange


def test_a_secrets_toml_provider_of_another_folder_resolves_source_secrets(tmp_path):
    from dlt.common.configuration.providers import SecretsTomlProvider

    (tmp_path / "secrets.toml").write_text('[sources.custom_dir]\napi_key = "from-the-folder"\n')
    dlt.secrets.register_provider(SecretsTomlProvider(settings_dir=str(tmp_path)))

    @dlt.source(name="custom_dir")
    def custom_dir(api_key=dlt.secrets.value):
        return dlt.resource([{"key": api_key}], name="keys")

    assert list(custom_dir()) == [{"key": "from-the-folder"}]


def test_gcp_oauth_credentials_read_google_client_json_and_config(monkeypatch):
    parsed = GcpOAuthCredentials()
    parsed.parse_native_representation(
        '{"installed": {"client_id": "cid", "client_secret": "shh", "project_id": "proj"}}')
    assert (parsed.client_id, parsed.client_secret, parsed.project_id) == ("cid", "shh", "proj")
    assert parsed.client_type == "installed"
    for field, value in (("CLIENT_ID", "x"), ("CLIENT_SECRET", "y"), ("REFRESH_TOKEN", "z"),
                         ("PROJECT_ID", "p")):
        monkeypatch.setenv(f"SOURCES__OAUTH_DEMO__CREDENTIALS__{field}", value)

    @dlt.source(name="oauth_demo")
    def oauth_demo(credentials: GcpOAuthCredentials = dlt.secrets.value):
        return dlt.resource([{"who": str(credentials), "token": credentials.refresh_token}],
                            name="who")

    assert list(oauth_demo()) == [{"who": "x@p", "token": "z"}]


def test_gcp_oauth_credentials_without_a_refresh_token_refuse_auth_and_say_why():
    with pytest.raises(config_exceptions.ConfigValueError, match="no refresh_token"):
        GcpOAuthCredentials().auth()
