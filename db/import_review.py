"""What a person reviews about an engagement's newest import: its files, mappings and quarantine."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg

from db.output_files import replacing
from db.pool import tenant_transaction
from db.queries import sql
from db.tenancy import EngagementRef
from domain.spreadsheet_safety import neutralise_cell


async def latest_imports(pool: asyncpg.Pool, ref: EngagementRef) -> list[dict[str, Any]]:
    """The files of the engagement's newest launched import (empty before the first launch)."""
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        return [dict(r) for r in await conn.fetch(sql("data_imports_of_flow"))]


async def mapping_rows(pool: asyncpg.Pool, ref: EngagementRef, import_ids: Sequence[UUID]) -> list[dict[str, Any]]:
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        return [dict(r) for r in await conn.fetch(sql("field_mappings_review"), list(import_ids))]


async def asset_detail(pool: asyncpg.Pool, ref: EngagementRef, asset: str) -> dict[str, Any]:
    """One asset by id or name with its lineage (file name added), cleansing changes and merge conflicts.

    Raises LookupError when no asset or several assets have that name.
    """
    try:
        asset_id: UUID | None = UUID(asset.strip())
    except ValueError:
        asset_id = None
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        rows = await conn.fetch(sql("asset_detail"), asset_id, asset)
        if not rows:
            raise LookupError(f"no asset {asset!r} in engagement {ref.name!r}")
        if len(rows) > 1:
            raise LookupError(f"several assets are named {asset!r}; give one of their ids: "
                              + ", ".join(str(r["id"]) for r in rows))
        detail = dict(rows[0])
        detail["conflicts"] = [dict(r) for r in await conn.fetch(sql("asset_conflicts"), detail["id"])]
        files = {str(r["id"]): r["file_name"] for r in await conn.fetch(sql("data_import_names"))}
    detail["field_lineage"] = {field: {**source, "file_name": files.get(str(source.get("data_import_id")
                                                                          or source.get("chosen_from_import_id")))}
                               for field, source in (detail["field_lineage"] or {}).items()}
    return detail


def _reasons(errors: dict[str, list[str]] | None) -> str:
    return "; ".join(f"{stage}: {problem}" for stage, problems in (errors or {}).items() for problem in problems)


async def export_quarantine(pool: asyncpg.Pool, ref: EngagementRef, import_ids: Sequence[UUID], target: Path) -> int:
    """Write the quarantined rows as CSV (file, row, reasons, then the row's own columns); return the count.

    Every cell is neutralised against formula injection, so the file is safe to open in a
    spreadsheet. Rows are streamed with a cursor; the file is written whole or not at all
    (`db.output_files`).
    """
    count = 0
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        columns: list[str] = []
        async for row in conn.cursor(sql("raw_records_quarantined"), list(import_ids)):
            columns.extend(c for c in row["raw_data"] if c not in columns)
        with replacing(target, newline="", encoding="utf-8-sig") as fh:
            writer = csv.writer(fh)
            writer.writerow(["file", "row", "reasons", *columns])
            async for row in conn.cursor(sql("raw_records_quarantined"), list(import_ids)):
                data = row["raw_data"]
                writer.writerow([neutralise_cell(v) for v in (
                    row["file_name"], row["row_number"], _reasons(row["validation_errors"]),
                    *(data.get(c, "") for c in columns),
                )])
                count += 1
    return count
