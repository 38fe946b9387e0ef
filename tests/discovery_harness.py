"""Run the real discovery activities against the real database, without a Temporal server.

For tests of formats, merging and bad input, where the workflow around the steps adds nothing:
files are uploaded as one import exactly as `launch` does, then each step runs in Temporal's
`ActivityEnvironment` (heartbeats and activity info included).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from temporalio.testing import ActivityEnvironment

from activities.discovery import DiscoveryActivities
from activities.mapping import MappingActivities
from activities.transitions import TransitionActivities
from db.import_files import store_import_files
from db.pool import tenant_transaction
from db.tenancy import EngagementRef
from domain.discovery.header_embedding import HashedNgramEmbedder
from domain.flow_contracts import (
    MappingReviewInput,
    MappingReviewRequest,
    StepInput,
    StepResult,
    Tenant,
    TransitionRequest,
)


@dataclass
class MappingStage:
    """An import staged and mapped, waiting where a person would review it."""

    env: ActivityEnvironment
    step: StepInput
    mapping: MappingActivities
    summary: dict[str, Any]

    async def review(self, request: MappingReviewRequest) -> Any:
        return await self.env.run(self.mapping.apply_mapping_review, MappingReviewInput(step=self.step, request=request))


async def stage_and_map(pool: asyncpg.Pool, ref: EngagementRef, files: Sequence[Path]) -> MappingStage:
    """Upload `files` as one import, stage it and suggest its mappings (the first two steps)."""
    import_ids = await store_import_files(pool, ref.client_account_id, ref.id, files)
    tenant = Tenant(client_account_id=ref.client_account_id, engagement_id=ref.id)
    env = ActivityEnvironment()
    master, phase = await _flows(env, pool, tenant)
    step = StepInput(tenant=tenant, master_flow_id=master, phase_flow_id=phase, data_import_ids=tuple(import_ids))
    mapping = MappingActivities(pool, HashedNgramEmbedder())
    await env.run(DiscoveryActivities(pool).import_records, step)
    result = await env.run(mapping.map_attributes, step)
    return MappingStage(env, step, mapping, result.summary)


@dataclass
class DiscoveryRun:
    step: StepInput
    results: dict[str, StepResult]


async def run_discovery(
    pool: asyncpg.Pool,
    ref: EngagementRef,
    files: Sequence[Path],
    *,
    reviewer: uuid.UUID | None = None,
    batch_size: int = 5000,
) -> DiscoveryRun:
    """Upload `files` as one import and run every discovery step; with `reviewer`, columns waiting
    for review are accepted as suggested by that person (as `mappings approve` does)."""
    import_ids = await store_import_files(pool, ref.client_account_id, ref.id, files)
    tenant = Tenant(client_account_id=ref.client_account_id, engagement_id=ref.id)
    env = ActivityEnvironment()
    master, phase = await _flows(env, pool, tenant)
    step = StepInput(tenant=tenant, master_flow_id=master, phase_flow_id=phase, data_import_ids=tuple(import_ids))
    discovery = DiscoveryActivities(pool, batch_size=batch_size)
    mapping = MappingActivities(pool, HashedNgramEmbedder())
    results: dict[str, StepResult] = {}
    results["data_import"] = await env.run(discovery.import_records, step)
    results["attribute_mapping"] = await env.run(mapping.map_attributes, step)
    if reviewer is not None and results["attribute_mapping"].summary.get("needs_review"):
        request = MappingReviewRequest(client_account_id=ref.client_account_id, user=reviewer, accept_remaining=True)
        await env.run(mapping.apply_mapping_review, MappingReviewInput(step=step, request=request))
    results["data_cleansing"] = await env.run(discovery.cleanse_records, step)
    results["inventory"] = await env.run(discovery.build_inventory, step)
    results["dependency_analysis"] = await env.run(discovery.analyse_dependencies, step)
    results["tech_debt_analysis"] = await env.run(discovery.analyse_tech_debt, step)
    return DiscoveryRun(step, results)


async def _flows(env: ActivityEnvironment, pool: asyncpg.Pool, tenant: Tenant) -> tuple[uuid.UUID, uuid.UUID]:
    """A master flow and its discovery flow, recorded by the real transition activity. An earlier run
    of the engagement is marked completed first, as if it had finished (one live master per engagement)."""
    async with tenant_transaction(pool, tenant.client_account_id, tenant.engagement_id) as conn:
        await conn.execute("UPDATE migration.crewai_flow_state_extensions SET status = 'completed', completed_at = now()"
                           " WHERE status NOT IN ('completed', 'failed', 'cancelled')")
    master, discovery = uuid.uuid4(), uuid.uuid4()
    record = TransitionActivities(pool).record_transition
    now = datetime.now(UTC)
    await env.run(record, TransitionRequest(tenant=tenant, master_flow_id=master, flow_id=master, seq=1,
                                            event="flow_started", occurred_at=now, master_status="running",
                                            workflow_id=f"test-{master}", run_id="test"))
    await env.run(record, TransitionRequest(tenant=tenant, master_flow_id=master, flow_id=master, seq=2,
                                            event="phase_started", occurred_at=now, phase="discovery",
                                            phase_flow_id=discovery, master_status="running"))
    return master, discovery


async def rows(pool: asyncpg.Pool, ref: EngagementRef, query: str, *args: Any) -> list[dict[str, Any]]:
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        return [dict(r) for r in await conn.fetch(query, *args)]
