"""Ingest: our whole discovery import of a CMDB export against raw `psql \\copy` of the same file.

Generates a ServiceNow-like export (`bench/cmdb_export.py`: 40 columns, messy values, 5 % repeated
servers), then, on an embedded PostgreSQL of its own (a temporary data directory, a free port;
`DATABASE_URL` / `DATABASE_OWNER_URL` when set), creates a client and an engagement, uploads the
file and runs the discovery import steps in-process through `temporalio.testing.ActivityEnvironment`:
import_records (staging, raw records), map_attributes, cleanse_records, build_inventory
(de-duplicated assets), timing each. Baseline, same run, same database: `psql \\copy` of the same
file into a fresh plain table of text columns, `BASELINE_RUNS` times (median). Temporal is not
involved: its round trips are what `bench/e2e.py` measures. Also measured in the same run: the floor
of the data model (`data_model_floor`), the least any import into this schema writes for the file.

    .venv/bin/python -m bench.ingest [--rows 100000] [--seed 7] [--keep-file] [--data-dir DIR] [--json-out PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import psutil

from bench.cmdb_export import ExportSummary, write_export
from bench.e2e import configure_environment

BASELINE_RUNS = 3
# The discovery steps of an import, by activity name (the names Temporal histories record).
STEPS = ("discovery.import_records", "discovery.map_attributes", "discovery.cleanse_records",
         "discovery.build_inventory")
# Reading PSS walks the page tables of every server process: sample sparingly, and count what it costs.
SAMPLE_SECONDS = 1.0


def memory() -> dict[str, float]:
    """This process's peak RSS (ru_maxrss, KiB on Linux) and current RSS, in MiB."""
    return {
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "current_rss_mib": psutil.Process().memory_info().rss / 2**20,
    }


class BenchError(RuntimeError):
    """The benchmark cannot run as asked (no owner connection for the baseline, psql failing ...)."""


class ServerMemory:
    """Peak memory of a local PostgreSQL server (postmaster and all its children), sampled in a thread.

    `peak_pss_mib` is the largest sum of proportional set sizes (shared buffers counted once);
    `peak_process_rss_mib` the largest resident set of any one of its processes; `cpu_seconds` what
    the sampling itself cost this process.
    """

    def __init__(self, postmaster_pid: int) -> None:
        self._root = psutil.Process(postmaster_pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="server-memory", daemon=True)
        self.peak_pss_mib = 0.0
        self.peak_process_rss_mib = 0.0
        self.cpu_seconds = 0.0

    def __enter__(self) -> ServerMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            pss = 0
            for process in [self._root, *self._root.children(recursive=True)]:
                try:
                    info = process.memory_full_info()
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
                pss += info.pss
                self.peak_process_rss_mib = max(self.peak_process_rss_mib, info.rss / 2**20)
            self.peak_pss_mib = max(self.peak_pss_mib, pss / 2**20)
            self.cpu_seconds = time.thread_time()


def psql_binary() -> Path:
    """The psql of the embedded server (its own version), else the one on PATH."""
    from runtime.embedded_postgres import postgres_bin_dir

    bundled = postgres_bin_dir() / "psql"
    if bundled.exists():
        return bundled
    found = shutil.which("psql")
    if found is None:
        raise BenchError("no psql found (neither the embedded server's nor on PATH) for the raw COPY baseline")
    return Path(found)


async def raw_copy(owner_url: str, csv_path: Path) -> dict[str, Any]:
    """`psql \\copy` of the file into a fresh plain table of one text column per header (dropped after)."""
    with csv_path.open(newline="", encoding="utf-8-sig") as fh:
        width = len(next(csv.reader(fh)))
    table = f"migration.bench_raw_copy_{uuid.uuid4().hex[:8]}"
    command = f"\\copy {table} FROM '{str(csv_path).replace(chr(39), chr(39) * 2)}' WITH (FORMAT csv, HEADER true)"
    conn = await asyncpg.connect(owner_url)
    try:
        await conn.execute(f"CREATE TABLE {table} ({', '.join(f'c{i:02d} text' for i in range(1, width + 1))})")
        start = time.perf_counter()
        process = await asyncio.create_subprocess_exec(
            str(psql_binary()), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", owner_url, "-c", command,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        _, err = await process.communicate()
        seconds = time.perf_counter() - start
        if process.returncode != 0:
            raise BenchError(f"psql \\copy failed (exit {process.returncode}): {err.decode().strip()}")
        return {"seconds": seconds, "rows": await conn.fetchval(f"SELECT count(*) FROM {table}")}
    finally:
        await conn.execute(f"DROP TABLE IF EXISTS {table}")
        await conn.close()


async def upload(pool: asyncpg.Pool, client_id: UUID, engagement_id: UUID, path: Path) -> UUID:
    """The file stored as the engagement's data import, as `starter.py launch --import` stores it."""
    from db.import_files import store_import_files

    return (await store_import_files(pool, client_id, engagement_id, [path]))[0]


def step_input(tenant: Any, master_flow_id: UUID, phase_flow_id: UUID, import_id: UUID) -> Any:
    """The discovery steps' input for one uploaded file (the one place that knows how StepInput names imports)."""
    from domain.flow_contracts import StepInput

    return StepInput(tenant=tenant, master_flow_id=master_flow_id, phase_flow_id=phase_flow_id,
                     data_import_ids=(import_id,))


def import_steps(pool: asyncpg.Pool) -> list[tuple[str, Any]]:
    """(short name, activity) of each of `STEPS`, bound as the worker binds them."""
    from worker import activities_for

    by_name = {getattr(fn, "__temporal_activity_definition").name: fn for fn in activities_for(pool)}
    return [(name.removeprefix("discovery."), by_name[name]) for name in STEPS]


async def start_discovery(env: Any, pool: asyncpg.Pool, tenant: Any) -> tuple[UUID, UUID]:
    """A master flow and its discovery phase flow, recorded as the workflows record them."""
    from activities.transitions import TransitionActivities
    from domain.flow_contracts import TransitionRequest

    master, phase_flow = uuid.uuid4(), uuid.uuid4()
    common = {"tenant": tenant, "master_flow_id": master, "occurred_at": datetime.now(timezone.utc)}
    record = TransitionActivities(pool).record_transition
    await env.run(record, TransitionRequest(**common, flow_id=master, seq=1, event="flow_started",
                                            master_status="running", workflow_id=f"bench-ingest-{master}"))
    await env.run(record, TransitionRequest(**common, flow_id=master, seq=2, event="phase_started", phase="discovery",
                                            phase_flow_id=phase_flow, master_status="running"))
    return master, phase_flow


class _RollBack(Exception):
    """Ends the floor's transaction without keeping what it wrote."""


async def data_model_floor(pool: asyncpg.Pool, client_id: UUID, engagement_id: UUID, path: Path) -> dict[str, float]:
    """The least any import into this schema writes, timed step by step: the file COPYed server-side into
    a temporary table, one raw record (a JSON object by header) per row, one update of each raw record,
    and one asset per row, audited per statement. No mapping, cleansing, matching or lineage. Run in a
    transaction that is rolled back, on an upload of its own that is deleted after."""
    from db.import_files import delete_imports
    from db.pool import tenant_transaction
    from db.queries import sql

    with path.open(newline="", encoding="utf-8-sig") as fh:
        headers = next(csv.reader(fh))
    columns = [f"c{i:02d}" for i in range(1, len(headers) + 1)]
    import_id = await upload(pool, client_id, engagement_id, path)
    steps: dict[str, float] = {}

    async def step(name: str, conn: asyncpg.Connection, *statement: Any) -> None:
        start = time.perf_counter()
        await conn.execute(*statement)
        steps[name] = time.perf_counter() - start

    try:
        async with tenant_transaction(pool, client_id, engagement_id) as conn:
            await conn.execute(f"CREATE TEMP TABLE bench_floor (row_number integer GENERATED ALWAYS AS IDENTITY, "
                               f"{', '.join(c + ' text' for c in columns)}) ON COMMIT DROP")
            start = time.perf_counter()
            await conn.copy_to_table("bench_floor", source=str(path), columns=columns, format="csv", header=True)
            steps["COPY into a temporary table"] = time.perf_counter() - start
            await step("raw records (JSON object per row)", conn,
                       "INSERT INTO migration.raw_import_records (client_account_id, engagement_id, data_import_id,"
                       f" row_number, raw_data) SELECT $1, $2, $3, row_number, jsonb_object($4::text[],"
                       f" ARRAY[{', '.join(columns)}]) FROM bench_floor", client_id, engagement_id, import_id, headers)
            await step("one update of each raw record", conn,
                       "UPDATE migration.raw_import_records SET cleansed_data = raw_data, status = 'valid'"
                       " WHERE data_import_id = $1", import_id)
            await conn.execute(sql("audit_bulk_import"), import_id)
            await step("one asset per row", conn,
                       "INSERT INTO migration.assets (client_account_id, engagement_id, name, natural_key, raw_data,"
                       " data_import_id, source_row_number) SELECT $1, $2, raw_data ->> 'name',"
                       " 'row:' || row_number, raw_data, $3, row_number FROM migration.raw_import_records"
                       " WHERE data_import_id = $3", client_id, engagement_id, import_id)
            raise _RollBack
    except _RollBack:
        pass
    finally:
        await delete_imports(pool, client_id, engagement_id, [import_id])
    return steps


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


async def timed(stages: dict[str, dict[str, Any]], name: str, work: Any) -> Any:
    """Await `work`, recording its wall time and this process's CPU time under `name`."""
    wall, cpu = time.perf_counter(), cpu_seconds()
    result = await work
    stages[name] = {"seconds": time.perf_counter() - wall, "process_cpu_seconds": cpu_seconds() - cpu}
    return result


async def run(args: argparse.Namespace, export: ExportSummary) -> dict[str, Any]:
    """Start the database, measure the raw COPY baseline, then our import of the same file."""
    from temporalio.testing import ActivityEnvironment

    from db import tenancy
    from db.pool import create_pool, tenant_transaction
    from db.queries import sql
    from domain.flow_contracts import Tenant
    from runtime.devstack import embedded_postgres, ensure_database
    from runtime.logging import configure_logging
    from runtime.settings import get_settings

    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)
    report: dict[str, Any] = {"export": {k: str(v) if isinstance(v, Path) else v for k, v in vars(export).items()}}
    start = time.perf_counter()
    database_url, owner_url, started = await ensure_database(settings)
    report["database_start_seconds"] = time.perf_counter() - start
    if owner_url is None:
        raise BenchError("the raw COPY baseline needs an owner connection: set DATABASE_OWNER_URL too")
    postmaster = None if settings.database_url else embedded_postgres(settings).status().pid
    pool = await create_pool(database_url, max_size=4)
    try:
        async with pool.acquire() as conn:
            report["postgres_version"] = await conn.fetchval("SHOW server_version")
        copies = [await raw_copy(owner_url, export.path) for _ in range(BASELINE_RUNS)]
        report["baseline"] = {"runs": [c["seconds"] for c in copies], "rows": copies[0]["rows"],
                              "median_seconds": statistics.median(c["seconds"] for c in copies)}

        suffix = uuid.uuid4().hex[:8]
        client_id = await tenancy.create_client(pool, f"Bench ingest {suffix}")
        engagement_id = await tenancy.create_engagement(pool, client_id, f"ingest {export.rows} rows {suffix}",
                                                        start_date=date.today())
        tenant = Tenant(client_account_id=client_id, engagement_id=engagement_id)
        env = ActivityEnvironment()
        master, phase_flow = await start_discovery(env, pool, tenant)
        steps = import_steps(pool)
        report["memory_before"] = memory()
        stages: dict[str, dict[str, Any]] = {}
        summaries: dict[str, dict[str, Any]] = {}
        sampler = ServerMemory(postmaster) if postmaster else None
        with sampler or contextlib.nullcontext():
            import_id = await timed(stages, "upload", upload(pool, client_id, engagement_id, export.path))
            inp = step_input(tenant, master, phase_flow, import_id)
            for name, step in steps:
                result = await timed(stages, name, env.run(step, inp))
                summaries[name] = result.summary
        report["memory_after"] = memory()
        report["server_memory"] = (
            {"peak_pss_mib": sampler.peak_pss_mib, "peak_process_rss_mib": sampler.peak_process_rss_mib,
             "sampler_cpu_seconds": sampler.cpu_seconds}
            if sampler else None
        )
        async with tenant_transaction(pool, client_id, engagement_id) as conn:
            report["assets"] = await conn.fetchval(sql("assets_count"))
            counts = await conn.fetchrow(sql("data_import_get"), import_id)
        report["records"] = {k: counts[k] for k in ("total_records", "valid_records", "quarantined_records")}
        report["floor"] = await data_model_floor(pool, client_id, engagement_id, export.path)
    finally:
        await pool.close()
        if started:
            embedded_postgres(settings).stop()

    total = sum(s["seconds"] for s in stages.values())
    baseline = report["baseline"]["median_seconds"]
    report["stages"] = stages
    report["summaries"] = summaries
    report["total_seconds"] = total
    report["ratio_to_copy"] = total / baseline
    report["ratio_to_copy_without_upload"] = (total - stages["upload"]["seconds"]) / baseline
    report["floor_seconds"] = sum(report["floor"].values())
    report["ratio_to_floor_without_upload"] = (total - stages["upload"]["seconds"]) / report["floor_seconds"]
    return report


def git_revision() -> str:
    """The commit measured, marked when the working tree had uncommitted changes."""
    def git(*argv: str) -> str:
        here = Path(__file__).parent
        return subprocess.run(["git", "-C", str(here), *argv], capture_output=True, text=True).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD")
    if not commit:
        return "unknown (not a git checkout)"
    return commit + (" (+ uncommitted changes)" if git("status", "--porcelain") else "")


def print_report(r: dict[str, Any]) -> None:
    e, b, rows = r["export"], r["baseline"], r["export"]["rows"]
    print(f"\nexport: {rows} rows x 40 columns, {e['size_bytes'] / 2**20:.1f} MiB ({e['servers']} servers, "
          f"{e['duplicate_rows']} repeated, {e['bad_rows']} with a bad value), generated in "
          f"{r['generation_seconds']:.1f} s (not counted)")
    print(f"baseline: psql \\copy into a plain table of text columns, {len(b['runs'])} runs: median "
          f"{b['median_seconds']:.2f} s ({', '.join(f'{s:.2f}' for s in b['runs'])}), {rows / b['median_seconds']:,.0f} rows/s")
    total = r["total_seconds"]
    print(f"\n{'stage':<20}{'seconds':>9}{'share':>8}{'rows/s':>11}{'x COPY':>8}{'CPU here':>10}")
    for name, s in r["stages"].items():
        print(f"{name:<20}{s['seconds']:>9.2f}{s['seconds'] / total:>8.1%}{rows / s['seconds']:>11,.0f}"
              f"{s['seconds'] / b['median_seconds']:>8.2f}{s['process_cpu_seconds']:>10.2f}")
    print(f"{'total':<20}{total:>9.2f}{1:>8.0%}{rows / total:>11,.0f}{r['ratio_to_copy']:>8.2f}")
    print(f"\nratio total / raw COPY: {r['ratio_to_copy']:.2f}x ({r['ratio_to_copy_without_upload']:.2f}x without the "
          f"upload); target for 100k rows: <= 3x")
    print("\nfloor of the data model (same run, same file; the least any import into this schema writes):")
    for name, seconds in r["floor"].items():
        print(f"  {name:<36}{seconds:>7.2f} s{seconds / b['median_seconds']:>8.2f}x COPY")
    print(f"  {'floor':<36}{r['floor_seconds']:>7.2f} s{r['floor_seconds'] / b['median_seconds']:>8.2f}x COPY;"
          f" our import (without the upload) is {r['ratio_to_floor_without_upload']:.2f}x the floor")
    records = r["records"]
    print(f"result: {records['valid_records']} valid rows, {records['quarantined_records']} quarantined, "
          f"{r['assets']} assets (the export holds {e['servers']} servers; {e['bad_rows']} rows carry a bad value)")
    before, after = r["memory_before"], r["memory_after"]
    print(f"this process (worker code + driver): peak RSS {after['peak_rss_mib']:.0f} MiB "
          f"({before['peak_rss_mib']:.0f} before the import); current RSS {before['current_rss_mib']:.0f} -> "
          f"{after['current_rss_mib']:.0f} MiB")
    if r["server_memory"]:
        m = r["server_memory"]
        print(f"PostgreSQL during the import: peak {m['peak_pss_mib']:.0f} MiB PSS summed over its processes, "
              f"largest single process {m['peak_process_rss_mib']:.0f} MiB RSS (sampled every {SAMPLE_SECONDS:g} s; "
              f"the sampling cost this process {m['sampler_cpu_seconds']:.1f} s CPU, included in 'CPU here')")
    machine = r["machine"]
    print(f"machine: {machine['nproc']} cores, {machine['ram_gib']:.1f} GiB RAM, {machine['platform']}, Python "
          f"{machine['python']}, PostgreSQL {r['postgres_version']}, commit {machine['commit']}, "
          f"load {machine['load_average_1min']:.2f}, {machine['date']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="data rows of the generated export")
    parser.add_argument("--seed", type=int, default=7, help="seed of the generated export")
    parser.add_argument("--keep-file", action="store_true", help="keep the generated CSV (its path is printed)")
    parser.add_argument("--data-dir", type=Path, help="embedded PostgreSQL's data (kept); default a temporary folder")
    parser.add_argument("--json-out", type=Path, help="also write the numbers as JSON to this file")
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be at least 1")

    revision = git_revision()  # the code measured, before anything is committed meanwhile
    work = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    configure_environment((args.data_dir or work / "data").resolve())  # before settings are first read
    csv_dir = Path(tempfile.mkdtemp(prefix="bench-ingest-file-")) if args.keep_file else work
    try:
        start = time.perf_counter()
        export = write_export(csv_dir / f"cmdb_ci_server_{args.rows}.csv", args.rows, args.seed)
        generation = time.perf_counter() - start
        report = asyncio.run(run(args, export))
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report["generation_seconds"] = generation
    report["machine"] = {"nproc": os.cpu_count(), "ram_gib": psutil.virtual_memory().total / 2**30,
                         "python": platform.python_version(), "platform": platform.platform(),
                         "commit": revision, "load_average_1min": os.getloadavg()[0],
                         "date": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    print_report(report)
    if args.keep_file:
        print(f"kept {export.path}")
    if args.json_out:
        args.json_out.write_text(json.dumps(report, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
