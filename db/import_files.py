"""Inventory files uploaded into PostgreSQL, so any worker on any machine can read them.

The CLI stores the file's bytes in 1 MiB chunks together with its `data_imports` row in one
transaction: an upload is either complete or absent. Workers spool it back chunk by chunk.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from uuid import UUID

import asyncpg

from db.pool import tenant_transaction
from db.queries import sql

CHUNK_SIZE = 1 << 20


class ImportFileError(ValueError):
    """The file cannot be uploaded (missing, not a file, empty)."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(CHUNK_SIZE):
            digest.update(block)
    return digest.hexdigest()


def _check_file(path: Path) -> None:
    if not path.exists():
        raise ImportFileError(f"{path}: no such file")
    if not path.is_file():
        raise ImportFileError(f"{path}: not a regular file")
    if path.stat().st_size == 0:
        raise ImportFileError(f"{path}: the file is empty")


async def store_import_files(
    pool: asyncpg.Pool,
    client_id: UUID,
    engagement_id: UUID,
    paths: Sequence[Path],
    *,
    imported_by: UUID | None = None,
) -> list[UUID]:
    """Upload the files of one import (e.g. vmInfo.csv + diskInfo.csv) together: all of them or none.

    Returns one data import id per file, in the order given. The format is recognised later, by
    the discovery step that reads the files.
    """
    if not paths:
        raise ImportFileError("no inventory file was given")
    names = [path.name for path in paths]
    if len(set(names)) != len(names):
        raise ImportFileError(f"two files of one import have the same name: {', '.join(sorted(names))}")
    for path in paths:
        _check_file(path)
    ids: list[UUID] = []
    async with tenant_transaction(pool, client_id, engagement_id, imported_by) as conn:
        for path in paths:
            import_id = await conn.fetchval(
                sql("data_import_insert"), client_id, engagement_id, path.name, None, _sha256(path),
                path.stat().st_size, imported_by,
            )
            with path.open("rb") as fh:
                chunk_no = 0
                while block := fh.read(CHUNK_SIZE):
                    await conn.execute(
                        sql("import_file_chunk_insert"), client_id, engagement_id, import_id, chunk_no, block
                    )
                    chunk_no += 1
            ids.append(import_id)
    return ids


async def delete_imports(pool: asyncpg.Pool, client_id: UUID, engagement_id: UUID, import_ids: Sequence[UUID]) -> None:
    """Remove uploads that will not be used (their chunks and records cascade)."""
    async with tenant_transaction(pool, client_id, engagement_id) as conn:
        for import_id in import_ids:
            await conn.execute(sql("data_import_delete"), import_id)


async def spool_import_file(conn: asyncpg.Connection, import_id: UUID, target: Path) -> int:
    """Write the uploaded bytes to `target` in constant memory; return the byte count."""
    written = 0
    with target.open("wb") as out:
        async for record in conn.cursor(sql("import_file_chunks_read"), import_id, prefetch=4):
            out.write(record["content"])
            written += len(record["content"])
    return written


async def engagement_asset_count(pool: asyncpg.Pool, client_account_id: UUID, engagement_id: UUID) -> int:
    """How many assets the engagement's earlier imports brought (what a dependency export alone can connect)."""
    async with tenant_transaction(pool, client_account_id, engagement_id) as conn:
        return await conn.fetchval(sql("assets_count"))
