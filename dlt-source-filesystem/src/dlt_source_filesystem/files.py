"""Listing files with fsspec: `FileItem` records and `FileItemDict`, which can open its file."""

from __future__ import annotations

import mimetypes
import os
import posixpath
from datetime import datetime, timezone
from typing import Any, Iterator, TypedDict
from urllib.parse import urlparse


class FileItem(TypedDict, total=False):
    """One listed file, as dlt 1.31 describes it (and loads it, when the listing is a table)."""

    file_name: str
    relative_path: str
    file_url: str
    mime_type: str
    encoding: str | None
    modification_date: datetime
    size_in_bytes: int
    file_content: bytes


def _split_url(bucket_url: str) -> tuple[str, str]:
    """(protocol, path inside the filesystem) of a bucket URL or a plain local path."""
    parsed = urlparse(bucket_url)
    if parsed.scheme in ("", "file") or (len(parsed.scheme) == 1 and os.name == "nt"):
        path = parsed.path if parsed.scheme == "file" else bucket_url
        if parsed.scheme == "file" and parsed.netloc:
            path = f"{parsed.netloc}{parsed.path}"
        return "file", os.path.abspath(os.path.expanduser(path)).replace(os.sep, "/")
    return parsed.scheme, f"{parsed.netloc}{parsed.path}".rstrip("/")


def fsspec_filesystem(bucket_url: str, credentials: Any = None, kwargs: dict[str, Any] | None = None,
                      client_kwargs: dict[str, Any] | None = None) -> tuple[Any, str]:
    """The fsspec filesystem for `bucket_url` and the bucket's path inside it.

    `credentials` may be an fsspec `AbstractFileSystem` (used as it is) or a mapping of storage
    options; `kwargs` are passed to the filesystem, `client_kwargs` to its native client.
    """
    import fsspec

    protocol, path = _split_url(bucket_url)
    if isinstance(credentials, fsspec.AbstractFileSystem):
        return credentials, path
    options: dict[str, Any] = dict(kwargs or {})
    if client_kwargs:
        options["client_kwargs"] = client_kwargs
    if credentials is not None and hasattr(credentials, "items"):
        options.update({k: v for k, v in credentials.items() if v is not None})
    try:
        return fsspec.filesystem(protocol, **options), path
    except (ImportError, ValueError) as exc:
        raise ValueError(
            f"No fsspec filesystem for the protocol '{protocol}' of bucket_url"
            f" {_redacted(bucket_url)}: {exc}. Install the fsspec implementation for it"
            " (e.g. s3fs, gcsfs, adlfs).") from exc


def _redacted(url: str) -> str:
    parsed = urlparse(url)
    if parsed.password:
        return url.replace(f":{parsed.password}@", ":***@")
    return url


def _modification_date(info: dict[str, Any]) -> datetime:
    for key in ("mtime", "LastModified", "last_modified", "updated", "modified", "created", "ctime"):
        value = info.get(key)
        if value is None:
            continue
        if isinstance(value, (int, float)):
            return datetime.fromtimestamp(value, tz=timezone.utc)
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                continue
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    return datetime.now(timezone.utc)


def guess_mime_type(file_name: str) -> tuple[str, str | None]:
    """(MIME type, encoding) from the file name; unknown types are `application/<extension>`."""
    mime, encoding = mimetypes.guess_type(posixpath.basename(file_name), strict=False)
    if not mime:
        mime = "application/" + (posixpath.splitext(file_name)[1][1:] or "octet-stream")
    return mime, encoding


def glob_files(fs_client: Any, bucket_url: str, file_glob: str = "*") -> Iterator[FileItem]:
    """The files (not folders) under `bucket_url` matching `file_glob`, sorted by path."""
    protocol, root = _split_url(bucket_url)
    pattern = posixpath.join(root, file_glob) if file_glob else root
    found = fs_client.glob(pattern, detail=True)
    root_stripped = root.rstrip("/")
    for path in sorted(found):
        info = found[path]
        if info.get("type") == "directory":
            continue
        relative = posixpath.relpath(path, root_stripped) if root_stripped else path
        if protocol == "file":
            file_url = "file://" + (path if path.startswith("/") else "/" + path)
        else:
            file_url = f"{protocol}://{path}"
        mime, encoding = guess_mime_type(relative)
        yield FileItem(
            file_name=posixpath.basename(path), relative_path=relative, file_url=file_url,
            mime_type=mime, encoding=encoding, modification_date=_modification_date(info),
            size_in_bytes=int(info.get("size") or 0),
        )


class FileItemDict(dict):  # type: ignore[type-arg]
    """A `FileItem` that can read its file through the filesystem that listed it."""

    def __init__(self, item: FileItem | dict[str, Any], fs_client: Any = None) -> None:
        super().__init__(item)
        self._fs_client = fs_client

    @property
    def fsspec(self) -> Any:
        """The fsspec filesystem of the file (made from its URL when none was given)."""
        if self._fs_client is None:
            self._fs_client = fsspec_filesystem(self["file_url"])[0]
        return self._fs_client

    @property
    def local_file_path(self) -> str | None:
        """The file's path on the local disk, or None for a remote file."""
        protocol, path = _split_url(self["file_url"])
        return path if protocol == "file" else None

    def _path(self) -> str:
        protocol, path = _split_url(self["file_url"])
        return path

    def open(self, mode: str = "rb", compression: str = "auto", **kwargs: Any) -> Any:
        """The file opened for reading: `compression` "auto" (gzip when its encoding says so),
        "enable" or "disable"; text modes take `encoding=` and friends in `kwargs`."""
        if compression not in ("auto", "enable", "disable"):
            raise ValueError(
                f"compression={compression!r} is not known; use 'auto', 'enable' or 'disable'.")
        gzip = compression == "enable" or (compression == "auto" and self.get("encoding") == "gzip")
        return self.fsspec.open(self._path(), mode, compression="gzip" if gzip else None, **kwargs)

    def read_bytes(self) -> bytes:
        """The file's bytes (the extracted `file_content` when there is one)."""
        content = self.get("file_content")
        if content is not None:
            return content
        return self.fsspec.read_bytes(self._path())
