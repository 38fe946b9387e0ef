"""Named SQL: every query lives in `db/queries/<name>.sql` and is looked up by that name."""

from __future__ import annotations

from functools import cache
from pathlib import Path

QUERY_DIR = Path(__file__).with_name("queries")


class UnknownQueryError(KeyError):
    """A query name with no matching file."""


@cache
def sql(name: str) -> str:
    """Return the text of `db/queries/<name>.sql`."""
    path = QUERY_DIR / f"{name}.sql"
    if not path.is_file():
        raise UnknownQueryError(f"no query file db/queries/{name}.sql")
    return path.read_text()
