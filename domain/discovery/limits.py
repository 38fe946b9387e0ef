"""The bounds every inventory file is read within (docs/limits.md says why each is where it is).

A file beyond a file-level bound is refused with one sentence naming the file and the bound; a cell beyond
`MAX_CELL_CHARS` is cut and its row quarantined. The readers check each bound before the work it bounds
(depth before a recursive parse, line length before a line is held), so a hostile file costs linear time
and constant memory. The import step reads files in a child process held to `READER_MEMORY_BYTES` and
`READER_SILENCE_SECONDS`, so whatever no check foresaw cannot take the worker down.
"""

from __future__ import annotations

MAX_JSON_DEPTH = 64  # nested arrays and objects, the outermost counted: real exports nest under 12
MAX_COLUMNS = 2000  # per table; the widest real exports (ServiceNow, RVTools vInfo) have a few hundred
MAX_CELL_CHARS = 1 << 20  # 1 MiB of text per cell; longer cells are cut to a prefix, their row quarantined
MAX_ROW_CHARS = 16 << 20  # 16 MiB of text per row (or JSON Lines line); a longer row refuses the file
MAX_SHEETS = 100  # worksheets per workbook; RVTools has 27
MAX_UNCOMPRESSED_BYTES = 2 << 30  # a workbook's parts inflated together (zip bombs)
MAX_ENTRY_RATIO = 200  # compression ratio of one part, checked from RATIO_CHECKED_FROM_BYTES inflated
RATIO_CHECKED_FROM_BYTES = 50 * 1000 * 1000
READER_MEMORY_BYTES = 4 << 30  # address space of the child process that reads an import's files
READER_SILENCE_SECONDS = 300  # longest the reader may work without handing over a batch of rows


def binary_size(size: int) -> str:
    """A size as the limits' messages write it: `16 MiB`, `1.5 MiB`, `4 GiB`."""
    unit, scale = ("GiB", 1 << 30) if size >= 1 << 30 else ("MiB", 1 << 20)
    return f"{size / scale:,.1f}".removesuffix(".0") + f" {unit}"
