"""Bounded text of executors: the head and tail of any amount of output, and one-line errors.

Output is kept while it is read, so a program printing gigabytes costs a few kilobytes; NUL characters, which
PostgreSQL text cannot hold, become U+FFFD.
"""

from __future__ import annotations

import codecs

from domain import wording
from domain.execution.executor_specs import OUTPUT_LIMIT

ERROR_LIMIT = 300  # characters of a one-line error
_MARKER_ROOM = 48  # room kept for the "[... N characters dropped ...]" line


class Excerpt:
    """The first and last characters of a text fed in pieces, counting what was dropped between them."""

    def __init__(self, keep: int = OUTPUT_LIMIT) -> None:
        self._head_size = keep // 2
        self._tail_size = keep - self._head_size
        self._head = ""
        self._tail = ""
        self.dropped = 0
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def add_bytes(self, data: bytes, final: bool = False) -> None:
        self.add(self._decoder.decode(data, final))

    def add(self, text: str) -> None:
        text = text.replace("\x00", "\ufffd")
        if len(self._head) < self._head_size:
            room = self._head_size - len(self._head)
            self._head, text = self._head + text[:room], text[room:]
        tail = self._tail + text
        if len(tail) > self._tail_size:
            self.dropped += len(tail) - self._tail_size
            tail = tail[-self._tail_size:]
        self._tail = tail

    @property
    def empty(self) -> bool:
        return not self._head

    def last_line(self) -> str:
        """The last non-blank line kept (for a failed program's error)."""
        lines = (self._head + self._tail).splitlines() if not self.dropped else self._tail.splitlines()
        return next((line.strip() for line in reversed(lines) if line.strip()), "")

    def text(self, limit: int = OUTPUT_LIMIT) -> str:
        """The text kept, at most `limit` characters: all of it when it fits, else head, a marker, tail."""
        if not self.dropped and len(self._head) + len(self._tail) <= limit:
            return self._head + self._tail
        budget = max(limit - _MARKER_ROOM, 0)
        head = self._head[:budget // 2]
        tail_size = budget - len(head)
        tail = self._tail[-tail_size:] if tail_size else ""
        dropped = self.dropped + len(self._head) - len(head) + len(self._tail) - len(tail)
        return f"{head}\n[... {dropped} characters dropped ...]\n{tail}"[:limit]


def bounded(text: str, limit: int = OUTPUT_LIMIT) -> str:
    """`text` as an excerpt of at most `limit` characters."""
    excerpt = Excerpt(limit)
    excerpt.add(text)
    return excerpt.text(limit)


def one_line(text: str, limit: int = ERROR_LIMIT) -> str:
    """`text` on one line, cut to `limit` characters (an executor's error)."""
    return wording.one_line(text, limit)
