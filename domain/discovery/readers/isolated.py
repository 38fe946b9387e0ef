"""Read an import's files in a child process, so no file can stall or exhaust the worker that stages it.

Parsing is CPU work in Python and in C extensions that hold the GIL (calamine loading a sheet, ijson, the
csv module): run in the worker's process, even in a thread, it delays the asyncio loop that every
workflow task, heartbeat and other tenant's activity shares. The child (`python -m` this module) plans
the import (`domain.discovery.import_plan.planned_import`) under an address-space limit of
`READER_MEMORY_BYTES` and streams what the import step stages over its stdout, one pickled message at a
time; the worker reads them with asyncio (never blocking its loop) and kills the child when it has been
silent for `READER_SILENCE_SECONDS`. A pipe of bounded size between them keeps the child no more than a
batch ahead of the database.

Messages, in order, per file: `("file", FileHead)`, then `("rows", [(number, values, problems), ...])` while
its table has rows, then `("report", dict)`; at the end `("done",)`. A file the readers refuse ends the
stream with `("refused", sentence)`, in the child, where no traceback is formatted; a fault of the reader
itself with `("failed", line)`, which the worker raises as an error to retry. A child that dies without a word
was killed or aborted (its memory limit reached in native code): the file is refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import resource
import signal
import struct
import sys
import traceback
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from uuid import UUID

from domain.discovery.limits import READER_MEMORY_BYTES, READER_SILENCE_SECONDS, binary_size
from domain.discovery.readers.table import InputFileError, Row

_LENGTH = struct.Struct("!Q")
# Rows per message: unpickling one holds the worker's loop for a few milliseconds at most (5,000 rows: ~100 ms).
_MESSAGE_ROWS = 250


@dataclass
class FileHead:
    """One file of the import as the import step stages it; `headers` None: a supplement, nothing to stage."""

    import_id: UUID
    file_name: str
    role: str
    format_id: str
    headers: list[str] | None
    encoding: str | None
    delimiter: str | None
    report: dict[str, Any] | None = field(default=None)  # set once its rows have been read


def stream_import(paths: Mapping[UUID, Path], batch_size: int, send: Callable[[tuple], None]) -> None:
    """Plan the import of `paths` and send every file's head, rows and report (the child's whole work)."""
    from domain.discovery.import_plan import planned_import  # the child's import, not the worker's

    names = ", ".join(path.name for path in paths.values())
    try:
        with planned_import(paths) as plan:
            for planned in plan:
                table = planned.table
                send(("file", FileHead(planned.import_id, planned.file_name, planned.role, planned.format_id,
                                       list(table.headers) if table is not None else None,
                                       table.encoding if table is not None else None,
                                       table.delimiter if table is not None else None)))
                while table is not None and (batch := table.next_batch(batch_size)):
                    for start in range(0, len(batch), _MESSAGE_ROWS):
                        send(("rows", [(row.number, row.values, row.problems)
                                       for row in batch[start:start + _MESSAGE_ROWS]]))
                send(("report", planned.report()))
        send(("done",))
    except InputFileError as exc:
        send(("refused", str(exc)))
    except MemoryError:
        send(("refused", f"{names}: refused, reading needs more than the reader's {binary_size(READER_MEMORY_BYTES)} "
                         "of memory"))
    except RecursionError:
        send(("refused", f"{names}: refused, nested too deeply to read"))
    except Exception as exc:  # a fault of the reader, not of the file: the worker retries the step
        traceback.print_exc()  # to the child's stderr, for whoever fixes it
        send(("failed", f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"))


def _sender(out: BinaryIO) -> Callable[[tuple], None]:
    def send(message: tuple) -> None:
        body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        out.write(_LENGTH.pack(len(body)) + body)
        out.flush()

    return send


def _child() -> None:
    """The child's entry: limits first, then the request from stdin, messages to stdout."""
    resource.setrlimit(resource.RLIMIT_AS, (READER_MEMORY_BYTES, resource.getrlimit(resource.RLIMIT_AS)[1]))
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # nothing printed by accident, by Python or a C library, may corrupt the messages
    sys.stdout = sys.stderr
    paths, batch_size = pickle.load(sys.stdin.buffer)
    stream_import(paths, batch_size, _sender(out))


class IsolatedImport:
    """The worker's side: the files, rows and reports the child sends, read without blocking the loop."""

    def __init__(self, process: asyncio.subprocess.Process, names: str, batch_size: int) -> None:
        self._process = process
        self._names = names
        self._batch_size = batch_size
        self._file: FileHead | None = None

    @property
    def pid(self) -> int:
        """The reader child's process id."""
        return self._process.pid

    async def next_file(self) -> FileHead | None:
        """The next file's head; None once every file has been sent."""
        kind, *body = await self._receive()
        if kind == "done":
            return None
        if kind != "file":
            raise RuntimeError(f"the import reader sent {kind!r} where a file was due")
        self._file = body[0]
        return self._file

    async def next_batch(self) -> list[Row]:
        """The current file's next rows (up to the batch size); an empty list once its report has arrived."""
        rows: list[Row] = []
        while self._file is not None and self._file.report is None and len(rows) < self._batch_size:
            kind, *body = await self._receive()
            if kind == "report":
                self._file.report = body[0]
            elif kind == "rows":
                rows.extend(Row(number, values, problems) for number, values, problems in body[0])
            else:
                raise RuntimeError(f"the import reader sent {kind!r} where rows were due")
        return rows

    async def finish_file(self) -> dict[str, Any]:
        """The current file's report, once every row of it has been read."""
        if await self.next_batch():
            raise RuntimeError("the import reader sent rows of a file that stages none")
        assert self._file is not None and self._file.report is not None
        return self._file.report

    async def _receive(self) -> tuple:
        stdout = self._process.stdout
        assert stdout is not None
        try:
            async with asyncio.timeout(READER_SILENCE_SECONDS):
                length = _LENGTH.unpack(await stdout.readexactly(_LENGTH.size))[0]
                message = pickle.loads(await stdout.readexactly(length))
        except TimeoutError:
            raise InputFileError(f"{self._names}: refused, reading made no progress for {READER_SILENCE_SECONDS} "
                                 "seconds (the limit)") from None
        except asyncio.IncompleteReadError:
            code = await self._process.wait()
            if code >= 0:
                raise RuntimeError(f"the import reader of {self._names} exited with code {code}") from None
            raise InputFileError(f"{self._names}: refused, the reader was stopped ({signal.Signals(-code).name}) "
                                 f"before reading it to the end: the file needs more than "
                                 f"{binary_size(READER_MEMORY_BYTES)} of memory or is damaged") from None
        if message[0] == "refused":
            raise InputFileError(message[1])
        if message[0] == "failed":
            raise RuntimeError(f"the import reader of {self._names} failed: {message[1]}")
        return message


@asynccontextmanager
async def isolated_import(paths: Mapping[UUID, Path], batch_size: int) -> AsyncIterator[IsolatedImport]:
    """Start a child reading the import of `paths`; it is killed on leaving, whatever it was doing."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", __name__, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[3])
    try:
        assert process.stdin is not None
        process.stdin.write(pickle.dumps((dict(paths), batch_size)))
        await process.stdin.drain()
        process.stdin.close()
        yield IsolatedImport(process, ", ".join(path.name for path in paths.values()), batch_size)
    finally:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
        await process.wait()


if __name__ == "__main__":  # run as `-m`: the messages' classes must be this module's, not `__main__`'s
    from domain.discovery.readers.isolated import _child as child

    child()
