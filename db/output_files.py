"""Files written for people (the plan and quarantine exports): complete or not there at all.

A file is written under a temporary name beside its target (`<name>.<random>.partial`, always a new file: never
one or a link that was there, nor one another export writes) and moved over the target once complete. Whatever
fails, the temporary file is removed; a file system error (no such folder, permission
denied, disk full) becomes one `OutputFileError` sentence naming the target.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

# The mode open() gives a new file (mkstemp's 0600 would hide an export from the people it is written for).
_UMASK = os.umask(0o077)
os.umask(_UMASK)
NEW_FILE_MODE = 0o666 & ~_UMASK


class OutputFileError(ValueError):
    """A file could not be written: `cannot write <path>: <why>`."""


@contextmanager
def replacing(path: Path, mode: str = "w", *, encoding: str | None = None,
              newline: str | None = None) -> Iterator[IO[Any]]:
    """`path` to write (`mode` "w" or "wb"), under its temporary name until the block ends without an error."""
    partial: Path | None = None
    try:
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".partial")
        partial = Path(name)
        with open(fd, mode, encoding=encoding, newline=newline) as handle:
            os.fchmod(handle.fileno(), NEW_FILE_MODE)
            yield handle
        partial.replace(path)
        partial = None
    except OSError as exc:
        if isinstance(exc, ConnectionError | TimeoutError):  # the database's, not the file's
            raise
        raise OutputFileError(f"cannot write {path}: {_why(exc)}") from None
    finally:
        if partial is not None:
            with suppress(OSError):
                partial.unlink()


def _why(exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    return reason[:1].lower() + reason[1:]
