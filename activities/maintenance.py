"""Scheduled maintenance's activities: log partitions ahead, retention per client, archive of completed engagements.

Each is idempotent (a retried or overlapping run finds the work done and does nothing more): partitions are
created only where missing (migration.ensure_partitions, under its advisory lock), a dropped partition is gone
for the retry, an export is written to a temporary file and renamed, and an archived engagement is skipped.
"""

from __future__ import annotations

import asyncio
import gzip
import os
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import asyncpg
from temporalio import activity

from activities.heartbeat import heartbeating, progress
from db import archive, retention
from db.pool import tenant_transaction
from db.queries import sql
from db.tenancy import EngagementRef
from domain.maintenance import (
    LOG_TABLES,
    ArchiveInput,
    ArchiveResult,
    PartitionsInput,
    PartitionsResult,
    RetentionInput,
    RetentionResult,
    effective_retention,
    partition_cutoff,
)

EXPORT_BATCH_ROWS = 1000


class MaintenanceActivities:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @activity.defn(name="ensure_log_partitions")
    @heartbeating
    async def ensure_log_partitions(self, inp: PartitionsInput) -> PartitionsResult:
        """This period's partition and the next ones of each log, rows in the default partitions moved into them."""
        today = inp.now.date()
        ahead = {"llm_usage_log": inp.months_ahead, "agent_task_history": inp.weeks_ahead,
                 "security_audit_logs": inp.months_ahead}
        created = {}
        async with self._pool.acquire() as conn:
            for table in LOG_TABLES:
                created[table] = await conn.fetchval(sql("log_partitions_ensure"), table, today, ahead[table] + 1)
        activity.logger.info("partitions created: %s", created)
        return PartitionsResult(created=created)

    @activity.defn(name="apply_log_retention")
    @heartbeating
    async def apply_log_retention(self, inp: RetentionInput) -> RetentionResult:
        """Export and drop the partitions older than every client's retention, then delete each client's rows
        older than its own."""
        retentions = {client_id: effective_retention(inp.defaults, stored)
                      for client_id, (_, stored) in (await self._client_policies()).items()}
        dropped, exported = [], []
        for table in LOG_TABLES:
            cutoff = partition_cutoff(inp.now, table, [inp.defaults, *retentions.values()])
            async with self._pool.acquire() as conn:
                expired = await conn.fetch(sql("log_partitions_expired"), table, cutoff)
            for row in expired:
                if inp.export_dir:
                    exported.append(str(await self._export(row["partition"], Path(inp.export_dir))))
                async with self._pool.acquire() as conn:
                    if await conn.fetchval(sql("log_partition_drop"), row["partition"], cutoff):
                        dropped.append(row["partition"])
                progress(row["partition"])
        deleted = dict.fromkeys(LOG_TABLES, 0)
        for client_id, kept in retentions.items():
            for table in LOG_TABLES:
                async with tenant_transaction(self._pool, client_id) as conn:
                    deleted[table] += await conn.fetchval(
                        sql("log_rows_purge"), table, client_id, inp.now - timedelta(days=kept.days(table)))
        activity.logger.info("retention: dropped %s, rows deleted %s", dropped, deleted)
        return RetentionResult(rows_deleted=deleted, partitions_dropped=dropped, exported=exported)

    @activity.defn(name="archive_completed_engagements")
    @heartbeating
    async def archive_completed_engagements(self, inp: ArchiveInput) -> ArchiveResult:
        """Archive every engagement whose newest master flow completed longer ago than its client's delay."""
        archived = []
        for client_id, (slug, stored) in (await self._client_policies()).items():
            completed_before = inp.now - timedelta(days=stored["archive_after_days"] or inp.archive_after_days)
            async with tenant_transaction(self._pool, client_id) as conn:
                engagements = await conn.fetch(sql("engagements_unarchived"))
            for row in engagements:
                ref = EngagementRef(row["id"], client_id, row["name"])
                if await archive.archive_engagement(self._pool, ref, inp.now, completed_before):
                    archived.append(f"{slug}/{row['name']}")
        activity.logger.info("archived: %s", archived)
        return ArchiveResult(archived=archived)

    async def _client_policies(self) -> dict[UUID, tuple[str, dict[str, int | None]]]:
        """Every client's slug and stored retention policy, by client id."""
        async with self._pool.acquire() as conn:
            clients = await conn.fetch(sql("client_directory"))
        return {client["id"]: (client["slug"], await retention.stored_policy(self._pool, client["id"]))
                for client in clients}

    async def _export(self, partition: str, folder: Path) -> Path:
        """Write every row of `partition` to FOLDER/PARTITION.jsonl.gz (one JSON object a line), replacing a file
        a failed attempt left; returns its path once it is complete on disk."""
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{partition}.jsonl.gz"
        partial = target.with_name(target.name + ".partial")
        await asyncio.to_thread(_create_private, partial)  # it holds people's data: its owner alone reads it
        out = await asyncio.to_thread(gzip.open, partial, "wt", encoding="utf-8")
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                batch: list[str] = []
                async for record in conn.cursor(sql("log_partition_rows"), partition, prefetch=EXPORT_BATCH_ROWS):
                    batch.append(record["line"])
                    if len(batch) == EXPORT_BATCH_ROWS:
                        await asyncio.to_thread(out.write, "\n".join(batch) + "\n")
                        batch = []
                        progress(partition)
                if batch:
                    await asyncio.to_thread(out.write, "\n".join(batch) + "\n")
        finally:
            await asyncio.to_thread(out.close)
        await asyncio.to_thread(_fsync, partial)
        os.replace(partial, target)
        return target


def _create_private(path: Path) -> None:
    """Create (or empty) `path` readable and writable by its owner only (mode 0600, whatever the umask)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(descriptor, 0o600)
    finally:
        os.close(descriptor)


def _fsync(path: Path) -> None:
    with open(path, "rb") as written:
        os.fsync(written.fileno())
