"""Discovery steps: stage the uploaded file, map its columns, cleanse, build the inventory, link
dependencies, flag technical debt. Each step is idempotent: re-running it yields the same rows."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
from temporalio import activity

from activities.asset_batches import jsonable, rewrite_assets
from activities.errors import bad_input
from activities.heartbeat import heartbeating, progress, resume_details
from db.import_files import spool_import_file
from db.pool import tenant_transaction
from db.queries import sql
from domain.cleansing import cleanse_record, natural_key
from domain.csv_reader import InputFileError, open_csv
from domain.end_of_life import tech_debt
from domain.field_mapping import MappingSuggestion, suggest_mappings
from domain.flow_contracts import StepInput, StepResult, Tenant

# Suggestions at least this confident are applied without a person's review.
AUTO_APPROVE_CONFIDENCE = 0.8


class DiscoveryActivities:
    def __init__(self, pool: asyncpg.Pool, batch_size: int = 5000) -> None:
        self._pool = pool
        self._batch_size = batch_size

    def _tx(self, tenant: Tenant):
        return tenant_transaction(self._pool, tenant.client_account_id, tenant.engagement_id)

    async def _import_row(self, inp: StepInput) -> asyncpg.Record:
        if inp.data_import_id is None:
            raise bad_input("no inventory file was given to this engagement's discovery")
        async with self._tx(inp.tenant) as conn:
            row = await conn.fetchrow(sql("data_import_get"), inp.data_import_id)
        if row is None:
            raise bad_input(f"data import {inp.data_import_id} does not exist in this engagement")
        return row

    async def _fail_import(self, inp: StepInput, message: str) -> None:
        async with self._tx(inp.tenant) as conn:
            await conn.execute(sql("data_import_failed"), inp.data_import_id, message)

    @activity.defn(name="discovery.import_records")
    @heartbeating
    async def import_records(self, inp: StepInput) -> StepResult:
        """Stage every row of the uploaded file as a raw record (all of it, or nothing)."""
        meta = await self._import_row(inp)
        tenant = inp.tenant
        with tempfile.TemporaryDirectory(prefix="import-") as tmp:
            path = Path(tmp) / Path(meta["file_name"]).name
            async with self._tx(tenant) as conn:
                await spool_import_file(conn, inp.data_import_id, path)
            try:
                table = await asyncio.to_thread(open_csv, path)
                try:
                    total = await self._stage(inp, table)
                finally:
                    table.close()
            except InputFileError as exc:
                await self._fail_import(inp, str(exc))
                raise bad_input(str(exc)) from exc
        return StepResult(summary={
            "file": meta["file_name"], "rows": total, "columns": len(table.headers),
            "encoding": table.encoding, "delimiter": table.delimiter,
        })

    async def _stage(self, inp: StepInput, table: Any) -> int:
        tenant = inp.tenant
        total = 0
        async with self._tx(tenant) as conn:
            await conn.execute(sql("staging_raw_create"))
            while batch := await asyncio.to_thread(table.next_batch, self._batch_size):
                await conn.copy_records_to_table(
                    "staging_raw",
                    records=[
                        (row.number, row.values, "quarantined" if row.problems else "pending",
                         {"import": list(row.problems)} if row.problems else None)
                        for row in batch
                    ],
                    columns=["row_number", "raw_data", "status", "validation_errors"],
                )
                total += len(batch)
                progress(total)
            if total == 0:
                raise InputFileError(f"{table.path.name}: the file has a header row but no data rows")
            await conn.execute(sql("raw_records_delete"), inp.data_import_id)
            await conn.execute(sql("raw_records_insert_staged"), tenant.client_account_id, tenant.engagement_id,
                               inp.data_import_id)
            await conn.execute(sql("data_import_staged"), inp.data_import_id, table.headers, total,
                               inp.master_flow_id, inp.phase_flow_id)
        return total

    @activity.defn(name="discovery.map_attributes")
    @heartbeating
    async def map_attributes(self, inp: StepInput) -> StepResult:
        """Suggest a target asset column for every source column; confident ones are approved."""
        meta = await self._import_row(inp)
        suggestions = suggest_mappings(list(meta["source_columns"]))
        rows = [
            {
                "source_field": s.source_field,
                "target_field": s.target_field,
                "confidence": s.confidence,
                "source": s.source,
                "status": "approved" if s.target_field and s.confidence >= AUTO_APPROVE_CONFIDENCE else "suggested",
                "reason": s.reason,
                "transformation": {"unit": s.unit} if s.unit else None,
            }
            for s in suggestions
        ]
        tenant = inp.tenant
        async with self._tx(tenant) as conn:
            await conn.execute(sql("field_mapping_upsert"), tenant.client_account_id, tenant.engagement_id,
                               inp.data_import_id, rows)
        mapped = [r for r in rows if r["status"] == "approved"]
        return StepResult(summary={
            "columns": len(rows),
            "mapped": len(mapped),
            "unmapped": [r["source_field"] for r in rows if r["target_field"] is None][:50],
            "needs_review": [r["source_field"] for r in rows if r["target_field"] and r["status"] != "approved"][:50],
        })

    @activity.defn(name="discovery.cleanse_records")
    @heartbeating
    async def cleanse_records(self, inp: StepInput) -> StepResult:
        """Apply the approved mappings and normalise values; quarantine rows that cannot be used."""
        await self._import_row(inp)
        async with self._tx(inp.tenant) as conn:
            mappings = [_suggestion(r) for r in await conn.fetch(sql("field_mappings_approved"), inp.data_import_id)]
        if not any(m.target_field in ("name", "hostname", "fqdn", "external_id") for m in mappings):
            message = "no column maps to an identifying field (name, hostname, fqdn or external_id)"
            await self._fail_import(inp, message)
            raise bad_input(message)
        details = resume_details()
        last_row = int(details[0]) if details else 0
        while True:
            async with self._tx(inp.tenant) as conn:
                rows = await conn.fetch(sql("raw_records_batch"), inp.data_import_id, last_row, self._batch_size)
                if not rows:
                    break
                results = await asyncio.to_thread(_cleanse_batch, rows, mappings)
                await conn.execute(sql("staging_cleansed_create"))
                await conn.copy_records_to_table(
                    "staging_cleansed", records=results,
                    columns=["row_number", "cleansed_data", "cleansing_changes", "natural_key", "status",
                             "validation_errors"],
                )
                await conn.execute(sql("raw_records_cleansed"), inp.data_import_id)
            last_row = rows[-1]["row_number"]
            progress(last_row)
        async with self._tx(inp.tenant) as conn:
            counts = await conn.fetchrow(sql("data_import_counts"), inp.data_import_id, "processing")
        return StepResult(summary={"valid": counts["valid_records"], "quarantined": counts["quarantined_records"]})

    @activity.defn(name="discovery.build_inventory")
    @heartbeating
    async def build_inventory(self, inp: StepInput) -> StepResult:
        """Upsert the valid records into de-duplicated assets, set-based."""
        await self._import_row(inp)
        tenant = inp.tenant
        async with self._tx(tenant) as conn:
            linked = await conn.execute(
                sql("assets_upsert_from_import"), inp.data_import_id, tenant.client_account_id,
                tenant.engagement_id, inp.master_flow_id, inp.phase_flow_id,
            )
            counts = await conn.fetchrow(sql("data_import_counts"), inp.data_import_id, "completed")
            assets = await conn.fetchval(sql("assets_count"))
        async with self._tx(tenant) as conn:
            await conn.execute(sql("refresh_inventory_statistics"))
        return StepResult(
            summary={"records_linked": int(linked.split()[-1]), "valid": counts["valid_records"],
                     "quarantined": counts["quarantined_records"], "assets": assets},
            asset_count=assets,
        )

    @activity.defn(name="discovery.analyse_dependencies")
    @heartbeating
    async def analyse_dependencies(self, inp: StepInput) -> StepResult:
        """Create dependency edges from the import; report references that match no asset."""
        await self._import_row(inp)
        tenant = inp.tenant
        async with self._tx(tenant) as conn:
            row = await conn.fetchrow(sql("dependencies_from_import"), inp.data_import_id,
                                      tenant.client_account_id, tenant.engagement_id)
            if row["dangling"]:
                await conn.execute(sql("data_import_dangling"), inp.data_import_id, row["dangling"])
        async with self._tx(tenant) as conn:
            await conn.execute(sql("refresh_inventory_statistics"))
        return StepResult(summary={
            "edges_added": row["inserted"], "edges_total": row["total"], "references_resolved": row["resolved"],
            "dangling_references": len(row["dangling"]), "dangling_sample": row["dangling"][:20],
        })

    @activity.defn(name="discovery.analyse_tech_debt")
    @heartbeating
    async def analyse_tech_debt(self, inp: StepInput) -> StepResult:
        """Flag operating systems past vendor support and powered-off machines on every asset."""
        flagged: dict[str, int] = {}

        def compute(rows: list[asyncpg.Record]) -> list[tuple[UUID, dict[str, Any]]]:
            out = []
            for row in rows:
                flags = tech_debt(row["operating_system"], row["os_version"], row["power_state"])
                for flag in flags:
                    flagged[flag] = flagged.get(flag, 0) + 1
                out.append((row["id"], {"tech_debt_flags": flags}))
            return out

        assets = await rewrite_assets(
            self._pool, inp.tenant, compute, "assets_tech_debt_update", batch_size=self._batch_size
        )
        return StepResult(summary={"assets_checked": assets, "flags": flagged})


def _suggestion(row: asyncpg.Record) -> MappingSuggestion:
    transformation = row["transformation"] or {}
    return MappingSuggestion(
        source_field=row["source_field"], target_field=row["target_field"], confidence=row["confidence"],
        source=row["source"], reason=row["reason"] or "", unit=transformation.get("unit"),
    )


def _cleanse_batch(rows: list[asyncpg.Record], mappings: list[MappingSuggestion]) -> list[tuple]:
    out = []
    for row in rows:
        previous = row["validation_errors"] or {}
        import_problems = previous.get("import", [])
        cleansed = cleanse_record(row["raw_data"], mappings)
        errors: dict[str, list[str]] = {}
        if import_problems:
            errors["import"] = import_problems
        if cleansed.errors:
            errors["cleansing"] = list(cleansed.errors)
        values = jsonable(cleansed.values)
        key = None if errors else natural_key(cleansed.values)
        out.append((
            row["row_number"], values, jsonable(cleansed.changes), key,
            "quarantined" if errors else "valid", errors or None,
        ))
    return out
