"""What a person's own login costs: the same reads as a member under row-level security by membership, against
the service role (tenant context only) in the same run, on the same database.

An engagement of `--servers` generated servers is imported through the real discovery activities
(`tests/discovery_harness.run_discovery`) on an embedded PostgreSQL of its own (temporary data directory, free
ports). Then each read the CLI makes (`assets list`, an asset's detail, the report's portfolio and waves,
`imports list`) runs `--runs` times alternately through a pool of the service role (the baseline: what every
read cost before ADR-0017) and through a pool of an owner's own login; medians and their ratio are printed.

    .venv/bin/python -m bench.person_reads [--servers 5000] [--runs 9]
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from bench.e2e import configure_environment
from bench.ingest import git_revision

Read = Callable[[asyncpg.Pool], Awaitable[Any]]


async def _person_pool(pg: Any, database_url: str, user_id: uuid.UUID) -> asyncpg.Pool:
    """A pool under a new login of the person `user_id` (made by the superuser, as `db add-admin` would)."""
    from db.pool import create_pool, without_credentials
    from runtime.devstack import EMBEDDED_DATABASE

    login, password = f"bench_{uuid.uuid4().hex[:10]}", secrets.token_hex(12)
    conn = await asyncpg.connect(pg.superuser_url(EMBEDDED_DATABASE))
    try:
        await conn.execute(f"CREATE ROLE {login} LOGIN PASSWORD '{password}' IN ROLE migration_person")
        await conn.execute("UPDATE migration.users SET login_role = $1 WHERE id = $2", login, user_id)
    finally:
        await conn.close()
    return await create_pool(without_credentials(database_url), max_size=2, user=login, password=password)


async def _elapsed_ms(read: Read, pool: asyncpg.Pool) -> float:
    start = time.perf_counter()
    await read(pool)
    return (time.perf_counter() - start) * 1000


async def run(servers: int, runs: int) -> list[tuple[str, float, float]]:
    from db import import_review, report_data, tenancy
    from db.asset_list import AssetFilters, list_assets
    from db.pool import create_pool
    from runtime.devstack import embedded_postgres, ensure_database
    from runtime.settings import get_settings
    from tests.discovery_harness import run_discovery
    from tests.flow_helpers import inventory_file

    settings = get_settings()
    database_url, _, started = await ensure_database(settings)
    service = await create_pool(database_url, max_size=2)
    work = Path(tempfile.mkdtemp(prefix="bench-person-reads-"))
    try:
        client_id = await tenancy.create_client(service, f"Bench {uuid.uuid4().hex[:8]}")
        owner_email = f"owner-{uuid.uuid4().hex[:8]}@example.com"
        engagement_id = await tenancy.create_engagement(service, client_id, "reads", owner=owner_email)
        ref = tenancy.EngagementRef(engagement_id, client_id, "reads")
        owner = await tenancy.find_user(service, owner_email)
        await run_discovery(service, ref, [inventory_file(work, servers)], reviewer=owner)
        person = await _person_pool(embedded_postgres(settings), database_url, owner)
        some_asset = (await list_assets(service, ref, AssetFilters()))[servers // 2]["name"]
        reads: dict[str, Read] = {
            "assets list (all)": lambda pool: list_assets(pool, ref, AssetFilters()),
            "assets show": lambda pool: import_review.asset_detail(pool, ref, some_asset),
            "imports list": lambda pool: import_review.latest_imports(pool, ref),
            "report (all its reads)": lambda pool: report_data.load_report(pool, ref),
            "engagement lookup by id": lambda pool: tenancy.resolve_engagement(pool, str(ref.id)),
        }
        results = []
        for name, read in reads.items():
            times: dict[str, list[float]] = {"service": [], "person": []}
            await read(service), await read(person)  # warm both: plans, caches
            for _ in range(runs):
                times["service"].append(await _elapsed_ms(read, service))
                times["person"].append(await _elapsed_ms(read, person))
            results.append((name, statistics.median(times["service"]), statistics.median(times["person"])))
        await person.close()
        return results
    finally:
        shutil.rmtree(work, ignore_errors=True)
        await service.close()
        if started:
            embedded_postgres(settings).stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.person_reads", description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args(argv)
    revision = git_revision()
    work = Path(tempfile.mkdtemp(prefix="bench-person-reads-data-"))
    configure_environment(work / "data")  # before settings are first read
    try:
        results = asyncio.run(run(args.servers, args.runs))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{'read':32} {'service ms':>11} {'person ms':>10} {'ratio':>6}")
    for name, service_ms, person_ms in results:
        print(f"{name:32} {service_ms:11.1f} {person_ms:10.1f} {person_ms / service_ms:6.2f}")
    print(f"{args.servers} servers, median of {args.runs} alternating runs; commit {revision}, "
          f"{datetime.now(UTC).isoformat(timespec='seconds')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
