"""`Bucket`: the files under a filesystem destination's `bucket_url`.

A local path or `file://` URL is served by the operating system (no extra package needed); any
other URL (`memory://`, `s3://`, `gs://`, `az://`, ...) through the fsspec implementation of its
protocol, which needs `pip install "dlt-core[filesystem]"` and, for cloud storage, the package
of that protocol (`s3fs`, `gcsfs`, `adlfs`: `dlt-core[s3]`, `[gs]`, `[az]`).

Paths inside a bucket are `/`-separated strings; `url(path)` turns one into what readers
(DuckDB with the bucket's fsspec filesystem registered, deltalake, pyiceberg) open.
"""

from __future__ import annotations

import gzip
import os
import posixpath
import shutil
from typing import Any, Mapping

from dlt.destinations.base import DestinationTerminalError

PROTOCOL_EXTRAS = {"s3": "s3", "s3a": "s3", "gs": "gs", "gcs": "gs", "az": "az", "abfs": "az",
                   "abfss": "az", "adl": "az"}
"""The dlt-core extra that installs the fsspec implementation of a cloud protocol."""

CREDENTIAL_OPTIONS = {
    # dlt 1.31's credential field names -> the fsspec implementation's argument names
    "aws_access_key_id": "key", "aws_secret_access_key": "secret", "aws_session_token": "token",
    "profile_name": "profile", "azure_storage_account_name": "account_name",
    "azure_storage_account_key": "account_key", "azure_storage_sas_token": "sas_token",
    "azure_client_id": "client_id", "azure_client_secret": "client_secret",
    "azure_tenant_id": "tenant_id",
}
CLIENT_OPTIONS = ("endpoint_url", "region_name")
"""Credential fields that s3fs takes inside `client_kwargs`."""


class MissingFilesystemProtocol(DestinationTerminalError):
    """The fsspec implementation of a `bucket_url`'s protocol is not installed or not known."""


def split_protocol(bucket_url: str) -> tuple[str, str]:
    """(protocol, the rest) of a URL; a plain path has the protocol `file`."""
    text = str(bucket_url)
    if "://" not in text:
        return "file", text
    protocol, rest = text.split("://", 1)
    return protocol.lower(), rest


def fsspec_options(credentials: Any = None, kwargs: Mapping[str, Any] | None = None,
                   client_kwargs: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The keyword arguments of the fsspec filesystem: `credentials` (a dict; dlt 1.31's field
    names are renamed to the fsspec ones), then `kwargs`, with `client_kwargs` nested."""
    options: dict[str, Any] = {}
    nested: dict[str, Any] = {}
    if credentials is not None and not isinstance(credentials, Mapping):
        to_dict = getattr(credentials, "model_dump", None) or getattr(credentials, "dict", None)
        credentials = to_dict() if to_dict else {}
    for name, value in dict(credentials or {}).items():
        if value is None:
            continue
        if name in CLIENT_OPTIONS:
            nested[name] = value
        else:
            options[CREDENTIAL_OPTIONS.get(name, name)] = value
    options.update(dict(kwargs or {}))
    nested.update(dict(client_kwargs or {}))
    if nested:
        options["client_kwargs"] = {**options.get("client_kwargs", {}), **nested}
    return options


def fsspec_filesystem(protocol: str, options: Mapping[str, Any]) -> Any:
    """The fsspec filesystem of `protocol`; a clear error naming what to install when it is missing."""
    try:
        import fsspec
    except ModuleNotFoundError:
        raise MissingFilesystemProtocol(
            f"The filesystem destination needs fsspec for '{protocol}://' bucket URLs: run"
            f" pip install \"dlt-core[{PROTOCOL_EXTRAS.get(protocol, 'filesystem')}]\" (local paths"
            " and file:// URLs work without it)."
        ) from None
    try:
        cls = fsspec.get_filesystem_class(protocol)
    except ImportError as exc:
        extra = PROTOCOL_EXTRAS.get(protocol)
        hint = (f'pip install "dlt-core[{extra}]"' if extra
                else "install the package that provides it")
        raise MissingFilesystemProtocol(
            f"The filesystem destination cannot open '{protocol}://' bucket URLs: the fsspec"
            f" implementation is missing ({exc}). Run {hint}."
        ) from exc
    except ValueError as exc:
        raise MissingFilesystemProtocol(
            f"The filesystem destination does not know the protocol '{protocol}://' of its"
            f" bucket_url: fsspec has no implementation of it ({exc}). Use a local path, file://,"
            " memory://, or a protocol of an installed fsspec package (s3, gs, az, ...)."
        ) from exc
    return cls(**dict(options))


class Bucket:
    """Files under one bucket URL: the OS for local folders, fsspec for everything else."""

    def __init__(self, bucket_url: str, options: Mapping[str, Any] | None = None) -> None:
        protocol, rest = split_protocol(bucket_url)
        self.bucket_url = str(bucket_url)
        self.protocol = protocol
        self.options = dict(options or {})
        self._fs: Any = None
        if protocol in ("file", "local"):
            self.protocol = "file"
            self.root = os.path.abspath(os.path.expanduser(rest))
        else:
            self._fs = fsspec_filesystem(protocol, self.options)
            from fsspec.core import strip_protocol

            self.root = strip_protocol(self.bucket_url).rstrip("/") or "/"

    # ---- names -----------------------------------------------------------------------------
    @property
    def is_local(self) -> bool:
        """True for local folders (paths and `file://` URLs)."""
        return self._fs is None

    @property
    def fs(self) -> Any:
        """The fsspec filesystem (an fsspec `LocalFileSystem` for local folders)."""
        if self._fs is None:
            self._fs = fsspec_filesystem("file", {})
        return self._fs

    def join(self, *parts: str) -> str:
        """A path inside the bucket from `/`-separated parts."""
        if self.is_local:
            return os.path.join(*parts)
        return posixpath.join(*parts)

    def url(self, path: str) -> str:
        """What readers open for `path`: the local path itself, else `<protocol>://<path>`."""
        if self.is_local:
            return path
        return self._fs.unstrip_protocol(path)

    def location_url(self, path: str) -> str:
        """`path` as a URL with a scheme (`file://` for local folders), as table-format libraries take it."""
        return f"file://{path}" if self.is_local else self.url(path)

    # ---- reading ---------------------------------------------------------------------------
    def exists(self, path: str) -> bool:
        """True when a file or folder is at `path`."""
        return os.path.exists(path) if self.is_local else self._fs.exists(path)

    def isfile(self, path: str) -> bool:
        """True when a file is at `path`."""
        return os.path.isfile(path) if self.is_local else self._fs.isfile(path)

    def isdir(self, path: str) -> bool:
        """True when a folder is at `path`."""
        return os.path.isdir(path) if self.is_local else self._fs.isdir(path)

    def listdir(self, path: str) -> list[str]:
        """Names of the entries directly in the folder `path` (empty when it does not exist)."""
        if self.is_local:
            return os.listdir(path) if os.path.isdir(path) else []
        if not self._fs.isdir(path):
            return []
        return [posixpath.basename(p.rstrip("/")) for p in self._fs.ls(path, detail=False)]

    def find(self, path: str) -> list[str]:
        """Every file under the folder `path`, recursively, sorted."""
        if self.is_local:
            found = []
            for dirpath, _dirs, names in os.walk(path):
                found.extend(os.path.join(dirpath, name) for name in names)
            return sorted(found)
        if not self._fs.isdir(path):
            return []
        return sorted(self._fs.find(path))

    def read_bytes(self, path: str) -> bytes:
        """The content of the file `path`."""
        if self.is_local:
            with open(path, "rb") as f:
                return f.read()
        return self._fs.cat_file(path)

    # ---- writing ---------------------------------------------------------------------------
    def makedirs(self, path: str) -> None:
        """Create the folder `path` with its parents (object stores need none: a no-op there)."""
        if self.is_local:
            os.makedirs(path, exist_ok=True)
        else:
            self._fs.makedirs(path, exist_ok=True)

    def write_bytes(self, path: str, data: bytes) -> None:
        """Write a whole file; local files appear at once (written aside, then renamed)."""
        self.makedirs(posixpath.dirname(path) if not self.is_local else os.path.dirname(path))
        if self.is_local:
            temp = path + ".tmp"
            with open(temp, "wb") as f:
                f.write(data)
            os.replace(temp, path)
        else:
            self._fs.pipe_file(path, data)

    def put_file(self, local_path: str, path: str, compress: bool = False) -> None:
        """Copy a local file to `path`, gzip-compressing it when `compress`."""
        folder = os.path.dirname(path) if self.is_local else posixpath.dirname(path)
        self.makedirs(folder)
        target = path + ".tmp" if self.is_local else path
        opener = self.fs.open if not self.is_local else open
        with open(local_path, "rb") as source, opener(target, "wb") as raw:
            if compress:
                with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=5) as sink:
                    shutil.copyfileobj(source, sink, 1024 * 1024)
            else:
                shutil.copyfileobj(source, raw, 1024 * 1024)
        if self.is_local:
            os.replace(target, path)

    def delete(self, path: str) -> None:
        """Delete the file `path` if it exists."""
        if self.is_local:
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
        elif self._fs.exists(path):
            self._fs.rm_file(path)

    def rmtree(self, path: str) -> None:
        """Delete the folder `path` with everything in it, if it exists."""
        if self.is_local:
            shutil.rmtree(path, ignore_errors=True)
        elif self._fs.exists(path):
            self._fs.rm(path, recursive=True)
