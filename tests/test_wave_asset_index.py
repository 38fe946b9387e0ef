"""Execution's per-wave statements reach a wave's assets through an index range (schema 0034), whatever the size
of the engagement: without one each scanned every asset of the engagement, so a wave's cost grew with it
(at 100,000 assets a wave was 1.6 times slower than at 10,000 for the same ~54 assets; bench/e2e).

The planner is kept off sequential scans, as it is on a large engagement, and each statement's plan must find the
wave's assets by an index condition on the wave number rather than filter the engagement's assets for it."""

from __future__ import annotations

import uuid
from typing import Any

from db.pool import tenant_transaction
from db.queries import sql
from tests.conftest import make_engagement

WAVES, PER_WAVE = 120, 50  # a wave is a small part of the engagement, as at scale
RUNBOOK, FLOW = uuid.uuid4(), uuid.uuid4()
# each statement that finds a wave's assets, with arguments of its own parameters' types
WAVE_STATEMENTS: dict[str, tuple[Any, ...]] = {
    "step_runs_create": (RUNBOOK, 3, "engagement/wave-3.run-1"),
    "wave_strategies": (3,),
    "wave_migrate_batch": (3, FLOW, 500),
    "wave_complete": (3,),
    "wave_runbook_workloads": (RUNBOOK, 3),
}


def _nodes(node: dict[str, Any]) -> list[dict[str, Any]]:
    return [node] + [n for child in node.get("Plans", []) for n in _nodes(child)]


async def test_every_per_wave_statement_finds_the_waves_assets_by_index(app_pool, superuser_conn) -> None:
    engagement = await make_engagement(app_pool)
    ref = engagement.ref
    async with tenant_transaction(app_pool, ref.client_account_id, ref.id) as conn:
        await conn.execute(
            "INSERT INTO migration.assets (client_account_id, engagement_id, name, asset_type, six_r_strategy,"
            " wave_number) SELECT $1, $2, 'srv-' || i, 'server', 'rehost', i % $3 FROM generate_series(1, $4) i",
            ref.client_account_id, ref.id, WAVES, WAVES * PER_WAVE)
    await superuser_conn.execute("ANALYZE migration.assets")

    plans = {}
    async with tenant_transaction(app_pool, ref.client_account_id, ref.id) as conn:
        await conn.execute("SET LOCAL enable_seqscan = off")
        for name, args in WAVE_STATEMENTS.items():
            plans[name] = (await conn.fetchval(f"EXPLAIN (FORMAT JSON) {sql(name)}", *args))[0]["Plan"]

    for name, plan in plans.items():
        scans = [n for n in _nodes(plan) if n.get("Relation Name") == "assets"]
        assert not [s for s in scans if "wave_number" in s.get("Filter", "")], f"{name} filters the engagement's assets"
        by_wave = [s for s in scans if "wave_number" in s.get("Index Cond", "") + s.get("Recheck Cond", "")]
        assert by_wave, f"{name}: {[(s['Node Type'], s.get('Index Name')) for s in scans]}"
