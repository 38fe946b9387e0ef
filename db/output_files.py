"""Files written for people (the plan and quarantine exports): complete or not there at all.

A file is written under a temporary name beside its target (`<name>.partial`) and moved over the target once
complete. Whatever fails, the temporary file is removed; a file system error (no such folder, permission
denied, disk full) becomes one `OutputFileError` sentence naming the target.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any


class OutputFileError(ValueError):
    """A file could not be written: `cannot write <path>: <why>`."""


@contextmanager
def replacing(path: Path, mode: str = "w", *, encoding: str | None = None,
              newline: str | None = None) -> Iterator[IO[Any]]:
    """`path` to write (`mode` "w" or "wb"), under its temporary name until the block ends without an error."""
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open(mode, encoding=encoding, newline=newline) as handle:
            yield handle
        partial.replace(path)
    except OSError as exc:
        if isinstance(exc, ConnectionError | TimeoutError):  # the database's, not the file's
            raise
        raise OutputFileError(f"cannot write {path}: {_why(exc)}") from None
    finally:
        with suppress(OSError):
            partial.unlink(missing_ok=True)


def _why(exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    return reason[:1].lower() + reason[1:]
