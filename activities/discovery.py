"""Discovery steps: stage the uploaded file, map its columns, cleanse, build the inventory, link
dependencies, flag technical debt. Each step is idempotent: re-running it yields the same rows."""

from __future__ import annotations

import asyncio
import functools
import tempfile
from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
from temporalio import activity

from activities.asset_batches import jsonable, rewrite_assets
from activities.errors import bad_input
from activities.heartbeat import heartbeating, progress, resume_details
from db.cleanse_statement import cleanse_statement
from db.import_files import spool_import_file
from db.pool import tenant_transaction
from db.queries import sql
from domain.assessment.end_of_life import database_texts, tech_debt
from domain.asset_fields import ASSET_IMPORT_FIELDS
from domain.discovery.cleansing import (
    NO_IDENTIFIER,
    cleansed_one_by_one,
    is_date_column,
    may_change,
    stored_cell_outcome,
    stored_custom_outcome,
)
from domain.discovery.dependency_records import EdgeDropped, EdgeProblem, EdgeResult, edge_reader
from domain.discovery.field_mapping import MappingSuggestion
from domain.discovery.import_plan import InputFileError, inventory_needed
from domain.discovery.readers import Row
from domain.discovery.readers.isolated import FileHead, IsolatedImport, isolated_import
from domain.discovery.source_priority import source_priorities
from domain.flow_contracts import StepInput, StepResult, Tenant
from domain.wording import counted


class DiscoveryActivities:
    def __init__(self, pool: asyncpg.Pool, batch_size: int = 5000) -> None:
        self._pool = pool
        self._batch_size = batch_size

    def _tx(self, tenant: Tenant):
        return tenant_transaction(self._pool, tenant.client_account_id, tenant.engagement_id)

    async def _imports(self, inp: StepInput, role: str | None = None) -> list[asyncpg.Record]:
        """The import's files (of one role when given), in upload order."""
        if not inp.data_import_ids:
            raise bad_input("no inventory file was given to this engagement's discovery")
        async with self._tx(inp.tenant) as conn:
            rows = [await conn.fetchrow(sql("data_import_get"), import_id) for import_id in inp.data_import_ids]
        missing = [str(i) for i, row in zip(inp.data_import_ids, rows) if row is None]
        if missing:
            raise bad_input(f"data import(s) {', '.join(missing)} do not exist in this engagement")
        return [row for row in rows if role is None or row["import_role"] == role]

    async def _fail_imports(self, inp: StepInput, message: str) -> None:
        async with self._tx(inp.tenant) as conn:
            for import_id in inp.data_import_ids:
                await conn.execute(sql("data_import_failed"), import_id, message, inp.master_flow_id,
                                   inp.phase_flow_id)

    @activity.defn(name="discovery.import_records")
    @heartbeating
    async def import_records(self, inp: StepInput) -> StepResult:
        """Recognise every file of the import and stage its rows (all files, or nothing). The files are read
        in a child process within the limits of `domain.discovery.limits` (`readers.isolated`)."""
        metas = await self._imports(inp)
        tenant = inp.tenant
        files: list[dict[str, Any]] = []
        with tempfile.TemporaryDirectory(prefix="import-") as tmp:
            paths: dict[UUID, Path] = {}
            for meta in metas:
                folder = Path(tmp) / str(meta["id"])
                folder.mkdir()
                paths[meta["id"]] = folder / Path(meta["file_name"]).name
                async with self._tx(tenant) as conn:
                    await spool_import_file(conn, meta["id"], paths[meta["id"]])
            try:
                async with isolated_import(paths, self._batch_size) as reader, self._tx(tenant) as conn:
                    while (head := await reader.next_file()) is not None:
                        files.append(await self._stage_file(conn, inp, head, reader))
            except InputFileError as exc:
                await self._fail_imports(inp, str(exc))
                raise bad_input(str(exc)) from exc
            except Exception as exc:
                if not _last_attempt():
                    raise
                names = ", ".join(path.name for path in paths.values())
                message = (f"{names}: not staged after {activity.info().attempt} attempts: "
                           f"{' '.join(str(exc).split())[:300] or type(exc).__name__}")
                await self._fail_imports(inp, message)  # never left `received` or `staging` by a final failure
                raise bad_input(message) from exc
        return StepResult(summary={"files": files, "rows": sum(f["rows"] for f in files)})

    async def _stage_file(self, conn: asyncpg.Connection, inp: StepInput, head: FileHead,
                          reader: IsolatedImport) -> dict[str, Any]:
        summary: dict[str, Any] = {"file": head.file_name, "format": head.format_id, "role": head.role}
        if head.headers is None:
            await conn.execute(sql("data_import_supplement_done"), head.import_id, inp.master_flow_id,
                               inp.phase_flow_id)
            rows = 0
        else:
            rows = await self._stage_rows(conn, inp, head, reader)
            summary.update(rows=rows, columns=len(head.headers), encoding=head.encoding, delimiter=head.delimiter)
        report = jsonable(await reader.finish_file())
        await conn.execute(sql("data_import_recognised"), head.import_id, head.format_id, head.role, report)
        summary.update({k: v for k, v in report.items() if k in ("skipped_tables", "joined_into")})
        if report.get("skipped_reasons"):
            summary["skipped"] = report["skipped_reasons"]
        if report.get("warnings"):
            summary["warnings"] = report["warnings"]
        for supplement in report.get("supplements", []):
            summary.setdefault("supplements", []).append(
                {k: supplement[k] for k in ("names", "rows", "machines", "unmatched_rows")})
        if report.get("edges"):
            summary["edges_from_rows"] = len(report["edges"])
        if report.get("dropped_edges"):
            summary["dropped_edges_from_rows"] = sum(report["dropped_edges"].values())
        return {**summary, "rows": rows}

    async def _stage_rows(self, conn: asyncpg.Connection, inp: StepInput, head: FileHead,
                          reader: IsolatedImport) -> int:
        total = 0
        import_id = head.import_id
        await conn.execute(sql("staging_raw_create"))
        while batch := await reader.next_batch():
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
            raise InputFileError(f"{head.file_name}: the file has a header row but no data rows")
        tenant = inp.tenant
        await conn.execute(sql("raw_records_delete"), import_id)
        await conn.execute(sql("raw_records_insert_staged"), tenant.client_account_id, tenant.engagement_id,
                           import_id)
        await conn.execute(sql("data_import_staged"), import_id, head.headers, total, inp.master_flow_id,
                           inp.phase_flow_id)
        await conn.execute("DROP TABLE staging_raw")
        return total

    @activity.defn(name="discovery.cleanse_records")
    @heartbeating
    async def cleanse_records(self, inp: StepInput) -> StepResult:
        """Apply the approved mappings and normalise values, set-based per inventory file (ADR-0013);
        rows of dependency files become edge records, in batches. Rows that cannot be used are
        quarantined. A retried attempt resumes at the file it reached (in a dependency file, at the row)."""
        metas = [m for m in await self._imports(inp) if m["import_role"] != "supplement"]
        details = resume_details()
        done_files, last_row = (int(details[0]), int(details[1])) if details else (0, 0)
        async with self._tx(inp.tenant) as conn:
            await conn.execute(sql("refresh_import_statistics"))  # the rows were just bulk-inserted
        summary: dict[str, Any] = {}
        for index, meta in enumerate(metas):
            if index < done_files:
                pass  # cleansed by an earlier attempt
            elif meta["import_role"] == "dependencies":
                start = last_row if index == done_files else 0
                read = edge_reader(meta["source_format"], list(meta["source_columns"]), meta["file_name"])
                await self._cleanse_import(inp, meta["id"], functools.partial(_edge_batch, read), index, start)
            else:
                await self._cleanse_rows(inp, meta)
            progress(index + 1, 0)
            async with self._tx(inp.tenant) as conn:
                counts = await conn.fetchrow(sql("data_import_counts"), meta["id"], "processing")
                summary[meta["file_name"]] = {"valid": counts["valid_records"],
                                              "quarantined": counts["quarantined_records"]}
                if meta["import_role"] == "dependencies":
                    dropped = await conn.fetchval(sql("data_import_dropped_edges"), meta["id"])
                    summary[meta["file_name"]]["dropped_edges"] = sum(dropped.values())
        return StepResult(summary={
            "valid": sum(c["valid"] for c in summary.values()),
            "quarantined": sum(c["quarantined"] for c in summary.values()),
            "dropped_edges": sum(c.get("dropped_edges", 0) for c in summary.values()),
            "files": summary,
        })

    async def _cleanse_rows(self, inp: StepInput, meta: asyncpg.Record) -> None:
        """Cleanse an import's rows set-based in one transaction: each distinct cell that cleansing may
        alter is cleansed once in Python (`domain.discovery.cleansing`), then one statement assembles and writes
        every row."""
        import_id = meta["id"]
        async with self._tx(inp.tenant) as conn:
            mappings = [_suggestion(r) for r in await conn.fetch(sql("field_mappings_approved"), import_id)]
            units = {m.target_field: m.unit for m in mappings}
            order = {target: index for index, target in enumerate(ASSET_IMPORT_FIELDS)}
            sources = {m.source_field for m in mappings}
            unmapped = [c for c in meta["source_columns"] if c not in sources]
            stripped, placeholder_keys = may_change()
            await conn.execute(sql("merge_work_mem"))
            await conn.execute(sql("cleanse_tables_create"))
            await conn.copy_records_to_table("cleanse_columns", columns=["target", "source", "ord"], records=[
                (m.target_field, m.source_field, order[m.target_field]) for m in mappings])
            changing: set[str] = set()  # targets and columns with cells not kept as written

            def cell(row: asyncpg.Record) -> tuple | None:
                outcome = stored_cell_outcome(row["target"], row["text"], units[row["target"]], row["os_version"])
                if outcome is None:
                    return None
                changing.add(row["target"])
                return (row["target"], row["text"], row["os_version"], outcome.values, list(outcome.changes),
                        outcome.error, outcome.placeholder)

            def custom(row: asyncpg.Record) -> tuple | None:
                outcome = stored_custom_outcome(row["column_name"], row["text"])
                if outcome is None:
                    return None
                changing.add(row["column_name"])
                return (row["column_name"], row["text"], *outcome)

            every_cell = [m.target_field for m in mappings if cleansed_one_by_one(m.target_field)]
            await self._copy_outcomes(conn, sql("cleanse_distinct_cells"), cell, "cleanse_cells",
                                      import_id, every_cell, stripped, placeholder_keys)
            await self._copy_outcomes(conn, sql("cleanse_distinct_custom"), custom, "cleanse_custom",
                                      import_id, unmapped, [c for c in unmapped if is_date_column(c)], stripped,
                                      placeholder_keys)
            await conn.execute(sql("cleanse_tables_analyze"))
            statement, columns = cleanse_statement(
                [(m.target_field, m.source_field) for m in mappings], unmapped, changing)
            await conn.execute(statement, import_id, NO_IDENTIFIER, *columns)

    async def _copy_outcomes(self, conn: asyncpg.Connection, query: str,
                             outcome: Callable[[asyncpg.Record], tuple | None], table: str, *args: Any) -> None:
        """Stream the distinct cells `query` finds, and COPY those whose outcome differs from their text to
        `table` (constant memory: a batch at a time)."""
        cursor = await conn.cursor(query, *args)
        while rows := await cursor.fetch(self._batch_size):
            records = [r for r in await asyncio.to_thread(lambda: [outcome(row) for row in rows]) if r is not None]
            if records:
                await conn.copy_records_to_table(table, records=records)

    async def _cleanse_import(self, inp: StepInput, import_id: UUID, convert: Any, index: int, last_row: int) -> None:
        while True:
            async with self._tx(inp.tenant) as conn:
                rows = await conn.fetch(sql("raw_records_batch"), import_id, last_row, self._batch_size)
                if not rows:
                    return
                results = await asyncio.to_thread(convert, rows)
                await conn.execute(sql("staging_cleansed_create"))
                await conn.copy_records_to_table(
                    "staging_cleansed", records=results,
                    columns=["row_number", "cleansed_data", "cleansing_changes", "natural_key", "status",
                             "validation_errors"],
                )
                await conn.execute(sql("raw_records_cleansed"), import_id)
            last_row = rows[-1]["row_number"]
            progress(index, last_row)

    @activity.defn(name="discovery.build_inventory")
    @heartbeating
    async def build_inventory(self, inp: StepInput) -> StepResult:
        """Merge each inventory file's valid records into de-duplicated assets, set-based, in upload order.

        An import that yields no asset fails here, in one sentence naming its files and why, unless it is a
        dependency export enriching an engagement that already has assets."""
        tenant = inp.tenant
        linked = 0
        empty: list[str] = []  # why each inventory file yielded no asset
        inventories = await self._imports(inp, "inventory")
        for meta in inventories:
            async with self._tx(tenant) as conn:
                # Cleansing just rewrote the raw records: without fresh statistics the merge is planned
                # as nested loops over the tenant index and grows with the square of the rows.
                await conn.execute(sql("refresh_inventory_statistics"))
            async with self._tx(tenant) as conn:
                await conn.execute(sql("merge_work_mem"))
                await conn.execute(sql("audit_bulk_import"), meta["id"])
                status = await conn.execute(
                    sql("assets_upsert_from_import"), meta["id"], tenant.client_account_id,
                    tenant.engagement_id, inp.master_flow_id, inp.phase_flow_id, source_priorities(),
                )
                await conn.execute(sql("assets_applications_from_import"), meta["id"], tenant.client_account_id,
                                   tenant.engagement_id, inp.master_flow_id, inp.phase_flow_id)
                await conn.execute(sql("assets_listed_from_import"), meta["id"], tenant.client_account_id,
                                   tenant.engagement_id, inp.master_flow_id, inp.phase_flow_id)
                counts = await conn.fetchrow(sql("data_import_counts"), meta["id"], "completed")
            linked += int(status.split()[-1])
            if counts["valid_records"] == 0:
                empty.append(f"{meta['file_name']}: all {counted(counts['total_records'], 'row')} were quarantined "
                             "(`imports quarantine` lists why)")
        async with self._tx(tenant) as conn:
            dependencies = await self._imports_in(conn, inp, "dependencies")
            for meta in dependencies:
                await conn.fetchrow(sql("data_import_counts"), meta["id"], "completed")
            assets = await conn.fetchval(sql("assets_count"))
        if linked == 0 and (inventories or assets == 0):
            if inventories:
                why = "; ".join(empty) or "no row of " + ", ".join(m["file_name"] for m in inventories) + \
                    " became an asset"
            else:  # dependency exports only (supplements come with an inventory)
                why = inventory_needed([(m["file_name"], m["import_role"]) for m in dependencies]) or ""
            message = f"discovery found no assets: {why}"
            await self._fail_imports(inp, message)
            raise bad_input(message)
        async with self._tx(tenant) as conn:
            await conn.execute(sql("refresh_inventory_statistics"))
        return StepResult(summary={"records_linked": linked, "assets": assets}, asset_count=assets)

    async def _imports_in(self, conn: asyncpg.Connection, inp: StepInput, role: str) -> list[asyncpg.Record]:
        rows = [await conn.fetchrow(sql("data_import_get"), import_id) for import_id in inp.data_import_ids]
        return [row for row in rows if row is not None and row["import_role"] == role]

    @activity.defn(name="discovery.analyse_dependencies")
    @heartbeating
    async def analyse_dependencies(self, inp: StepInput) -> StepResult:
        """Create edges from depends-on columns and dependency files; report references matching no asset."""
        tenant = inp.tenant
        totals = {"edges_added": 0, "references_resolved": 0, "dangling_references": 0}
        dangling: list[str] = []
        edges_total = 0
        queries = {"inventory": ("dependencies_from_import", "dependencies_from_edge_records"),
                   "dependencies": ("dependencies_from_edge_records",)}
        for meta in await self._imports(inp):
            found: list[str] = []
            for query in queries.get(meta["import_role"], ()):
                async with self._tx(tenant) as conn:
                    row = await conn.fetchrow(sql(query), meta["id"], tenant.client_account_id, tenant.engagement_id)
                totals["edges_added"] += row["inserted"]
                totals["references_resolved"] += row["resolved"]
                found.extend(row["dangling"])
                edges_total = row["total"]
            if found:
                async with self._tx(tenant) as conn:
                    await conn.execute(sql("data_import_dangling"), meta["id"], found)
            totals["dangling_references"] += len(found)
            dangling.extend(f"{meta['file_name']}: {ref}" for ref in found[:20])
        async with self._tx(tenant) as conn:
            await conn.execute(sql("refresh_inventory_statistics"))
        return StepResult(summary={**totals, "edges_total": edges_total, "dangling_sample": dangling[:20]})

    @activity.defn(name="discovery.analyse_tech_debt")
    @heartbeating
    async def analyse_tech_debt(self, inp: StepInput) -> StepResult:
        """Flag OS and databases past vendor support, old VM hardware, templates and powered-off machines."""
        flagged: dict[str, int] = {}
        today = date.today()

        def compute(rows: list[asyncpg.Record]) -> list[tuple[UUID, dict[str, Any]]]:
            out = []
            for row in rows:
                flags = tech_debt(
                    row["operating_system"], row["os_version"], row["power_state"], is_template=row["is_template"],
                    vm_hardware_version=row["vm_hardware_version"], as_of=today,
                    database_texts=database_texts(row["name"], row["description"], row["application_name"],
                                                  row["custom_attributes"]),
                )
                for flag in flags:
                    flagged[flag] = flagged.get(flag, 0) + 1
                out.append((row["id"], {"tech_debt_flags": flags}))
            return out

        assets = await rewrite_assets(
            self._pool, inp.tenant, compute, "assets_tech_debt_update", batch_size=self._batch_size
        )
        return StepResult(summary={"assets_checked": assets, "flags": flagged})


def _last_attempt() -> bool:
    """Whether this attempt of the activity is the last its retry policy allows."""
    policy = activity.info().retry_policy
    return policy is not None and 0 < policy.maximum_attempts <= activity.info().attempt


def _suggestion(row: asyncpg.Record) -> MappingSuggestion:
    transformation = row["transformation"] or {}
    return MappingSuggestion(
        source_field=row["source_field"], target_field=row["target_field"], confidence=row["confidence"],
        source=row["source"], reason=row["reason"] or "", unit=transformation.get("unit"),
    )


def _edge_batch(read: Callable[[Row], EdgeResult], rows: list[asyncpg.Record]) -> list[tuple]:
    """Dependency-file rows as edge records (`domain.discovery.dependency_records`), with no cleansing changes (an empty
    list: the column is NOT NULL); unusable rows are quarantined; loop-back and self edges are dropped: processed,
    with no edge record and their kind and reason as the cleansing change."""
    out = []
    for row in rows:
        import_problems = (row["validation_errors"] or {}).get("import", [])
        result = read(Row(row["row_number"], row["raw_data"]))
        if isinstance(result, EdgeDropped) and not import_problems:
            out.append((row["row_number"], None, [{"dropped": result.kind, "reason": result.reason}], None,
                        "processed", None))
            continue
        if import_problems or isinstance(result, EdgeProblem):
            errors = {"import": import_problems} if import_problems else {}
            if isinstance(result, EdgeProblem):
                errors["edge"] = [result.reason]
            out.append((row["row_number"], None, [], None, "quarantined", errors))
        else:
            out.append((row["row_number"], jsonable(asdict(result)), [], None, "valid", None))
    return out
