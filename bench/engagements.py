"""Many engagements at once: N engagements of generated servers from M tenants, launched together on real worker
processes, auto-approved through all four phases; how long each takes to finish, and afterwards no cross-tenant row.

Runs on an embedded PostgreSQL + Temporal of its own (a temporary data directory, free ports), with `--workers`
`worker.py` processes on a task queue of their own; stops what it started at the end. Each engagement gets its own
inventory (domain/discovery/sample_inventory.py, seed = its number), so each has its own expected counts. The
engagements' owners answer the steps that wait for a person as they come (runtime.answer_steps); the waves run as
soon as they may. Afterwards, as the superuser: the cross-tenant check (db/tenant_isolation.py) over every foreign
key between tenant tables, and each engagement's rows (counted through row-level security) against its inventory.

    .venv/bin/python -m bench.engagements [--engagements 20] [--tenants 10] [--servers 2000] [--workers 2]
                                          [--json-out PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bench.e2e import (
    POLL_SECONDS,
    TERMINAL,
    PeakMemory,
    configure_environment,
    cpu_seconds,
    keep_answering,
    machine,
    server_cpu_seconds,
)

ROOT = Path(__file__).resolve().parent.parent
WORKER_STOP_SECONDS = 40


@dataclass
class Engagement:
    """One engagement of the run: who it belongs to, what its inventory implies, and when it finished."""

    ref: Any  # db.tenancy.EngagementRef
    owner: uuid.UUID
    csv_path: Path
    expected: dict[str, int]
    finished_at: float | None = None
    status: str = "not started"


def expected_counts(rows: list[dict[str, str]]) -> dict[str, int]:
    """What an inventory implies once imported: a raw record per row, an asset per row but the deliberately invalid
    ones (quarantined), a dependency per distinct `Depends On` edge between two of its assets."""
    from domain.discovery.sample_inventory import BAD_VALUE_NOTE

    assets = {r["Server Name"] for r in rows if not r["Notes"].startswith(BAD_VALUE_NOTE)}
    edges = {(r["Server Name"], target.strip()) for r in rows if r["Server Name"] in assets
             for target in r["Depends On"].split(";") if target.strip() in assets}
    return {"raw_records": len(rows), "assets": len(assets), "dependencies": len(edges)}


def start_workers(count: int, endpoints: Any, task_queue: str, log_dir: Path) -> list[subprocess.Popen]:
    """`count` real `worker.py` processes (workflows and activities) against the given servers and task queue."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "TEMPORAL_", "MIGRATION_", "PG"))}
    env.update(DATABASE_URL=endpoints.database_url, TEMPORAL_ADDRESS=endpoints.temporal_address,
               TEMPORAL_NAMESPACE=endpoints.temporal_namespace, MIGRATION_TASK_QUEUE=task_queue,
               LOG_FORMAT="json", LOG_LEVEL="WARNING")
    return [subprocess.Popen([sys.executable, str(ROOT / "worker.py")], env=env, cwd=ROOT,
                             stdout=(log_dir / f"worker-{i}.log").open("ab"), stderr=subprocess.STDOUT)
            for i in range(count)]


def stop_workers(workers: list[subprocess.Popen]) -> None:
    """SIGTERM (the workers' graceful stop), then SIGKILL what is left after WORKER_STOP_SECONDS."""
    for proc in workers:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in workers:
        try:
            proc.wait(WORKER_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            proc.kill()


async def prepare(args: argparse.Namespace, pool: Any, work: Path) -> list[Engagement]:
    """The tenants, their engagements (round robin), an owner each, and each engagement's inventory file."""
    from db import tenancy
    from domain.discovery.sample_inventory import generate_inventory, write_csv

    suffix = uuid.uuid4().hex[:6]
    clients = [await tenancy.create_client(pool, f"Bench tenant {i} {suffix}") for i in range(args.tenants)]
    engagements = []
    for number in range(args.engagements):
        client_id = clients[number % args.tenants]
        name = f"parallel {number} {suffix}"
        engagement_id = await tenancy.create_engagement(
            pool, client_id, name, start_date=date.today(),
            execution={"honour_planned_dates": False, "wave_concurrency": args.wave_concurrency})
        ref = tenancy.EngagementRef(engagement_id, client_id, name)
        owner = await tenancy.ensure_user(pool, f"owner-{number}-{suffix}@bench.example")
        await tenancy.add_member(pool, ref, owner, "owner")
        rows = generate_inventory(args.servers, seed=number)
        csv_path = work / f"inventory-{number}.csv"
        write_csv(rows, csv_path)
        engagements.append(Engagement(ref, owner, csv_path, expected_counts(rows)))
    return engagements


async def watch_all(client: Any, engagements: list[Engagement], timeout: float) -> list[str]:
    """Poll every unfinished engagement's status until all are terminal (or the timeout); note when each ends."""
    from temporalio.client import WorkflowQueryFailedError
    from temporalio.service import RPCError

    from runtime import engagement_control as control

    errors: list[str] = []
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        waiting = [e for e in engagements if e.finished_at is None]
        if not waiting:
            break
        for engagement in waiting:
            try:
                status = await control.status(client, engagement.ref)
            except (RPCError, WorkflowQueryFailedError, control.ControlError) as err:
                errors.append(f"{engagement.ref.name}: {type(err).__name__}: {err}")
                continue
            engagement.status = status.status
            if status.status in TERMINAL:
                engagement.finished_at = time.perf_counter()
        await asyncio.sleep(POLL_SECONDS * 4)
    return errors


async def check_rows(settings: Any, pool: Any, engagements: list[Engagement]) -> dict[str, Any]:
    """As the superuser: the cross-tenant check. Through row-level security: each engagement's counts against its
    inventory."""
    from db.pool import connect, tenant_transaction
    from db.queries import sql
    from db.tenant_isolation import cross_tenant_rows, violations
    from runtime.devstack import EMBEDDED_DATABASE, embedded_postgres

    # the platform's database as a superuser: DATABASE_SUPERUSER_URL's with real servers, else the embedded one's
    superuser_url = os.environ.get("DATABASE_SUPERUSER_URL") or embedded_postgres(settings).superuser_url(
        EMBEDDED_DATABASE)
    conn = await connect(superuser_url)
    try:
        checks = await cross_tenant_rows(conn)
    finally:
        await conn.close()
    mismatches = {}
    counts = []
    for engagement in engagements:
        async with tenant_transaction(pool, engagement.ref.client_account_id, engagement.ref.id) as tx:
            found = dict(await tx.fetchrow(sql("engagement_row_counts")))
        counts.append(found)
        # the inventory's rows are final once discovery is done; every wave's asset migrated, once execution is
        wrong = {k: (v, found[k]) for k, v in engagement.expected.items() if found[k] != v}
        if engagement.status == "completed" and found["wave_assets"] != found["migrated"]:
            wrong["migrated"] = (found["wave_assets"], found["migrated"])
        if wrong:
            mismatches[engagement.ref.name] = wrong
    return {"foreign_keys_checked": len(checks), "cross_tenant_violations": [vars(v) for v in violations(checks)],
            "count_mismatches": mismatches, "completed": sum(e.status == "completed" for e in engagements),
            "totals": {k: sum(c[k] for c in counts) for k in counts[0]} if counts else {}}


async def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    from db.pool import create_pool
    from domain.vocabulary import PHASES
    from runtime import engagement_control as control
    from runtime.devstack import embedded_postgres, embedded_temporal, ensure_stack
    from runtime.logging import configure_logging
    from runtime.settings import get_settings
    from runtime.temporal_client import connect_client, ensure_search_attributes

    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)
    endpoints = await ensure_stack(settings)
    client = await connect_client(endpoints.temporal_address, endpoints.temporal_namespace)
    await ensure_search_attributes(client)
    pool = await create_pool(endpoints.database_url, max_size=10)
    queue = f"bench-engagements-{uuid.uuid4().hex[:8]}"
    workers = start_workers(args.workers, endpoints, queue, work)
    report: dict[str, Any] = {"engagements": args.engagements, "tenants": args.tenants, "servers": args.servers,
                              "workers": args.workers, "wave_concurrency": args.wave_concurrency}
    try:
        engagements = await prepare(args, pool, work)
        trees = {"postgres": embedded_postgres(settings).status().pid if endpoints.embedded_postgres else None,
                 "temporal": embedded_temporal(settings).status().pid if endpoints.embedded_temporal else None}
        trees |= {f"worker_{i}": proc.pid for i, proc in enumerate(workers)}
        load_before = os.getloadavg()[0]
        cpu_before, servers_before = cpu_seconds(), server_cpu_seconds(trees)
        async with PeakMemory(trees) as peak:
            launched = time.perf_counter()
            await asyncio.gather(*(control.launch(client, pool, e.ref, [e.csv_path], queue, auto_approve=PHASES)
                                   for e in engagements))
            report["launch_seconds"] = time.perf_counter() - launched
            answered = asyncio.Event()
            answer_errors: list[str] = []
            people = [asyncio.create_task(keep_answering(client, pool, e.ref, e.owner, answered, answer_errors,
                                                         interval=1.0)) for e in engagements]
            errors = await watch_all(client, engagements, args.timeout)
            answered.set()
            await asyncio.gather(*people)
            errors += answer_errors
        cpu_after, servers_after = cpu_seconds(), server_cpu_seconds(trees)
        finished = [e.finished_at - launched for e in engagements if e.finished_at is not None]
        report["finish_seconds"] = {"min": min(finished, default=None),
                                    "median": statistics.median(finished) if finished else None,
                                    "max": max(finished, default=None), "each": sorted(finished)}
        report["statuses"] = {s: sum(e.status == s for e in engagements) for s in {e.status for e in engagements}}
        report["peak_memory"] = {**peak.peak, "samples": peak.samples}
        report["cpu"] = {"machine_busy_seconds": cpu_after[1] - cpu_before[1],
                         "machine_capacity_seconds": (max(finished, default=0)) * (os.cpu_count() or 1),
                         "load_average_1min": [load_before, os.getloadavg()[0]],
                         "processes_seconds": {k: servers_after[k] - servers_before.get(k, 0.0)
                                               for k in servers_after}}
        report["poll_errors"] = errors[:20]
        for e in engagements:
            if e.status not in TERMINAL and await control.is_running(client, e.ref):
                await control.cancel(client, pool, e.ref)
        report["rows"] = await check_rows(settings, pool, engagements)
    finally:
        stop_workers(workers)
        await pool.close()
    return report


def print_report(r: dict[str, Any]) -> None:
    f, rows, m = r["finish_seconds"], r["rows"], r["peak_memory"]
    print(f"\n{r['engagements']} engagements of {r['servers']:,} servers from {r['tenants']} tenants on "
          f"{r['workers']} worker processes (wave concurrency {r['wave_concurrency']} each)")
    print(f"statuses: {r['statuses']}; launched all in {r['launch_seconds']:.1f} s")
    if f["each"]:
        print(f"time to finish, from the launch: min {f['min']:.1f} s, median {f['median']:.1f} s, "
              f"max {f['max']:.1f} s")
    print(f"cross-tenant check: {rows['foreign_keys_checked']} foreign keys between tenant tables, "
          f"violations: {rows['cross_tenant_violations'] or 'none'}")
    print(f"counts against each inventory (and migrated = in waves for the {rows['completed']} completed): "
          f"{rows['count_mismatches'] or 'all equal'}; totals {rows['totals']}")
    trees = ", ".join(f"{k.removesuffix('_pss_mib')} {v:.0f} MiB" for k, v in m.items() if k.endswith("_pss_mib"))
    print(f"peak memory (PSS of each process tree, summed): {trees}; this driver {m['worker_rss_mib']:.0f} MiB RSS")
    c = r["cpu"]
    print(f"CPU: machine busy {c['machine_busy_seconds']:.0f} of {c['machine_capacity_seconds']:.0f} core-s "
          f"(1-min load {c['load_average_1min'][0]:.2f} before, {c['load_average_1min'][1]:.2f} after); "
          + ", ".join(f"{k} {v:.0f} s" for k, v in c["processes_seconds"].items()))
    if r["poll_errors"]:
        print(f"status query errors ({len(r['poll_errors'])}): {r['poll_errors'][:3]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.engagements", description=__doc__.splitlines()[0])
    parser.add_argument("--engagements", type=int, default=20, help="engagements launched at once")
    parser.add_argument("--tenants", type=int, default=10, help="clients the engagements belong to (round robin)")
    parser.add_argument("--servers", type=int, default=2000, help="servers in each engagement's inventory")
    parser.add_argument("--workers", type=int, default=2, help="worker.py processes")
    parser.add_argument("--wave-concurrency", type=int, default=10, help="waves executed side by side, each")
    parser.add_argument("--timeout", type=float, default=3600.0, help="give up after this many seconds")
    parser.add_argument("--json-out", type=Path, help="also write the numbers as JSON to this file")
    args = parser.parse_args(argv)
    if args.engagements < 1 or not 1 <= args.tenants <= args.engagements or args.workers < 1:
        parser.error("give at least one engagement and one worker, and between 1 and --engagements tenants")

    work = Path(tempfile.mkdtemp(prefix="bench-engagements-"))
    configure_environment(work / "data")
    from runtime.devstack import stop_stack  # only now: settings are read once, from this environment
    from runtime.settings import get_settings

    try:
        report = asyncio.run(run(args, work))
    finally:
        stop_stack(get_settings())
        shutil.rmtree(work, ignore_errors=True)
    report["machine"] = machine()
    print_report(report)
    if args.json_out:
        args.json_out.write_text(json.dumps(report, indent=2, default=str))
    clean = not report["rows"]["cross_tenant_violations"] and not report["rows"]["count_mismatches"]
    return 0 if clean and report["statuses"] == {"completed": args.engagements} else 1


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # skip interpreter teardown, which can abort with a live Temporal client (sdk-python #300)
