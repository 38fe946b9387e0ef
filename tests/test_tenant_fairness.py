"""Fairness between tenants on one task queue: a client with a backlog of engagements does not starve a small
engagement of another client started after them. One activity slot serves both; the order in which the server
dispatched their activity tasks (ActivityTaskStarted, across every history) shows who waited for whom. On a server
without fairness the same run serves the small engagement only after the backlog it queued behind (the control)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from temporalio.client import Client
from temporalio.worker import Worker

from db import tenancy
from runtime import engagement_control as control
from tests.conftest import make_engagement
from tests.flow_helpers import inventory_file, wait_for, workflow_only_worker
from tests.worker_history import embedded_temporal, engagement_workflow_ids, task_starts
from worker import activities_for

BACKLOGGED_ENGAGEMENTS = 8  # the large client's engagements, launched at once


@pytest.fixture
async def fair_server(tmp_path: Path) -> AsyncIterator[Client]:
    async with embedded_temporal(tmp_path / "temporal") as client:
        yield client


async def _dispatch_order(client: Client, app_pool, tmp_path: Path) -> list[str]:
    """Launch the large client's engagements, then the small client's one, all served by one activity slot, and
    run them to their discovery approval: the owner ("large" or "small") of every discovery activity task in the
    order the server dispatched them, from the small engagement's launch on."""
    queue = f"fair-{uuid.uuid4().hex[:8]}"
    file = inventory_file(tmp_path, 30)
    large_client = await tenancy.create_client(app_pool, f"large client {uuid.uuid4().hex[:8]}")
    large = [await make_engagement(app_pool, large_client) for _ in range(BACKLOGGED_ENGAGEMENTS)]
    small = await make_engagement(app_pool)
    async with workflow_only_worker(client, queue), Worker(client, task_queue=queue, activities=activities_for(app_pool),
                                                           max_concurrent_activities=1):
        for e in large:
            await control.launch(client, app_pool, e.ref, [file], queue)
        await wait_for(client, large[-1].ref, lambda st: st.phase == "discovery", timeout=120)
        await control.launch(client, app_pool, small.ref, [file], queue)
        await asyncio.gather(*(wait_for(client, e.ref, lambda st: st.awaiting_approval == "discovery", timeout=300)
                               for e in [*large, small]))
    owners = {}
    for owner, engagements in (("large", large), ("small", [small])):
        for e in engagements:
            owners.update(dict.fromkeys(await engagement_workflow_ids(client, e.ref.id), owner))
    starts = [s for s in await task_starts(client, list(owners)) if s.kind == "activity"]
    small_launch = next(s.time for s in starts if owners[s.workflow_id] == "small")
    return [owners[s.workflow_id] for s in starts if s.time >= small_launch and s.workflow_id.endswith("/discovery")]


def _served_after_small(order: list[str]) -> int:
    """How many of the large client's tasks were dispatched after the small engagement's last one."""
    last_small = max(i for i, owner in enumerate(order) if owner == "small")
    return order[last_small:].count("large")


async def test_a_small_tenant_is_served_between_a_large_tenants_backlog(fair_server: Client, app_pool,
                                                                      tmp_path: Path) -> None:
    order = await _dispatch_order(fair_server, app_pool, tmp_path)
    print("with fairness:", " ".join(owner[0] for owner in order))
    assert order.index("small") <= BACKLOGGED_ENGAGEMENTS, "the small engagement's first task jumps the backlog"
    assert _served_after_small(order) > order.count("large") // 2, "it ends while most of the backlog still waits"


async def test_without_fairness_the_small_tenant_waits_behind_the_backlog(dev_env, app_pool, tmp_path: Path) -> None:
    """The control: the same run on a dev server started without fairness (tests' own fixture)."""
    order = await _dispatch_order(dev_env.client, app_pool, tmp_path)
    print("without fairness:", " ".join(owner[0] for owner in order))
    assert order.index("small") > BACKLOGGED_ENGAGEMENTS, "its first task waits behind the backlog"
    assert _served_after_small(order) < order.count("large") // 4, "it ends with the backlog, not before"
