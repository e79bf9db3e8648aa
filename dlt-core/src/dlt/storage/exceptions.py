"""Errors of the pipeline's files on disk: state, schemas and load packages."""

from __future__ import annotations

from pathlib import Path

from dlt.utils.exceptions import DltException, TerminalException


class CorruptedFileError(DltException, TerminalException):
    """A file of the pipeline's working dir (state, a schema, a load package file) cannot be read:
    it was cut short by a full disk or a crash, or edited by hand. The message names the file and
    what to do; retrying does not help."""

    def __init__(self, path: Path, problem: str, advice: str) -> None:
        self.path = Path(path)
        self.problem = problem
        self.advice = advice
        super().__init__(f"The file {self.path} is corrupted: {problem}. {advice}")


def package_file_advice(path: Path) -> str:
    """What to do about a corrupted file of a load package (`.../packages/<state>/<load_id>/...`)."""
    parts = Path(path).parts
    if "packages" in parts:
        index = parts.index("packages")
        if len(parts) > index + 2:
            folder = Path(*parts[: index + 3])
            if Path(path).name in ("package.json", "schema.json"):
                # the package cannot even be opened: abort_packages() needs these files
                return (f"Load package {parts[index + 2]} cannot be processed: restore the file,"
                        f" or delete the folder {folder} to give the package up (its data is"
                        " then not loaded) and run again.")
            return (f"Load package {parts[index + 2]} cannot be processed: restore the file, or"
                    " give the package up with pipeline.abort_packages() (its data is then not"
                    " loaded) and run again.")
    return "Restore the file or delete it, and run again."


class StorageFullError(DltException, OSError):
    """The disk holding the pipeline's working dir is full. A step that fails this way keeps
    nothing half-written: retry after freeing space. Still an `OSError`, so existing
    `except OSError` handlers catch it."""

    def __init__(self, working_dir: Path, error: OSError) -> None:
        self.working_dir = Path(working_dir)
        self.error = error
        where = f" while writing {error.filename}" if getattr(error, "filename", None) else ""
        DltException.__init__(self, (
            f"The disk holding the pipeline working dir {self.working_dir} is full (No space left on"
            f" device{where}). Free space there, or point pipelines_dir (DLT_PIPELINES_DIR) at a"
            " bigger disk, and run again: the step that failed wrote nothing that counts, and"
            " pending load packages and the state are as they were before it."
        ))


def explain_os_error(error: BaseException, working_dir: Path) -> BaseException:
    """A clearer error for a full disk (`ENOSPC`, `EDQUOT`); any other error unchanged."""
    import errno

    cause: BaseException | None = error
    seen: set[int] = set()
    while cause is not None and id(cause) not in seen:  # also a full disk under a wrapper
        seen.add(id(cause))
        if isinstance(cause, StorageFullError):
            return error
        if isinstance(cause, OSError) and cause.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            full = StorageFullError(working_dir, cause)
            full.__cause__ = cause
            return full
        cause = cause.__cause__ or cause.__context__
    return error
