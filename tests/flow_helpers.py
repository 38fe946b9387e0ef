"""Helpers for tests that run engagements on a real Temporal server with real activities."""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
from temporalio import activity
from temporalio.client import Client
from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput, Interceptor, Worker

from activities.executors.config import ExecutorConfig
from db.pool import tenant_transaction
from db.tenancy import EngagementRef
from domain.discovery.sample_inventory import generate_inventory, write_csv
from domain.flow_contracts import MasterStatus
from runtime import engagement_control as control
from runtime.answer_steps import answer_waiting_steps
from worker import WORKFLOWS, activities_for

T = TypeVar("T")


def inventory_file(directory: Path, servers: int, seed: int = 7) -> Path:
    path = directory / f"inventory-{servers}-{seed}.csv"
    write_csv(generate_inventory(servers, seed=seed), path)
    return path


def one_wave_inventory(directory: Path, servers: int = 12) -> Path:
    """The sample inventory's first `servers` rows (seed 7), every one production: with 12, one wave of eleven assets
    (rehost, replatform) and a retired server; as the sample has it, its staging Customer Portal would be a wave of its
    own before Payroll's production one (ADR-0020)."""
    path = directory / f"one-wave-{servers}.csv"
    write_csv([{**row, "Environment": "production"} for row in generate_inventory(servers, seed=7)], path)
    return path


@asynccontextmanager
async def running_worker(client: Client, pool: asyncpg.Pool, *, answer_steps: bool = True,
                         executors: ExecutorConfig | None = None) -> AsyncIterator[str]:
    """A worker on a task queue of its own; yields the queue name. With `answer_steps` the engagements' owners
    complete the manual steps and approve the approvals their waves wait for (runtime.answer_steps), so a test
    that is not about execution runs through it. `executors`: the runbooks' executor configuration (else the
    environment's)."""
    task_queue = f"tests-{uuid.uuid4().hex[:8]}"
    opened: set[EngagementRef] = set()  # the engagements whose waves this worker opened
    worker = Worker(client, task_queue=task_queue, workflows=WORKFLOWS, activities=activities_for(pool, executors),
                    interceptors=[_WavesOpened(opened)], graceful_shutdown_timeout=timedelta(seconds=30))
    async with worker, _answering(client, pool, opened, answer_steps):
        yield task_queue


@asynccontextmanager
async def _answering(client: Client, pool: asyncpg.Pool, opened: set[EngagementRef], answer: bool
                     ) -> AsyncIterator[None]:
    """While open (and `answer`): the owner of each engagement in `opened` answers what its waves wait for."""
    done = asyncio.Event()
    answering = asyncio.create_task(_answer_waves(client, pool, opened, done)) if answer else None
    try:
        yield
    finally:
        done.set()
        if answering:
            await answering


class _WavesOpened(Interceptor):
    """Notes the engagement of every wave runbook the worker opens (the time-skipping server lists no workflows)."""

    def __init__(self, opened: set[EngagementRef]) -> None:
        self._opened = opened

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        opened = self._opened

        class Noting(ActivityInboundInterceptor):
            async def execute_activity(self, input: ExecuteActivityInput) -> Any:
                if activity.info().activity_type == "execution.open_runbook":
                    tenant = input.args[0].step.tenant
                    opened.add(EngagementRef(tenant.engagement_id, tenant.client_account_id, ""))
                return await super().execute_activity(input)

        return Noting(next)


async def _answer_waves(client: Client, pool: asyncpg.Pool, opened: set[EngagementRef], done: asyncio.Event) -> None:
    """Until `done`: the owner of each engagement whose waves the worker opened answers what they wait for."""
    while not done.is_set():
        for ref in list(opened):
            owner = await fetchval(pool, ref, "SELECT user_id FROM migration.engagement_members"
                                              " WHERE role IN ('owner', 'approver') ORDER BY role DESC LIMIT 1")
            if owner is not None:
                await answer_waiting_steps(client, pool, ref, owner)
        try:
            await asyncio.wait_for(done.wait(), 0.3)
        except TimeoutError:
            pass


@asynccontextmanager
async def workflow_only_worker(client: Client, task_queue: str) -> AsyncIterator[None]:
    """A worker that runs the workflows but no activity: updates and signals are taken, and every activity
    they lead to waits for `activity_worker` (what happens in between becomes observable)."""
    async with Worker(client, task_queue=task_queue, workflows=WORKFLOWS):
        yield


@asynccontextmanager
async def activity_worker(client: Client, pool: asyncpg.Pool, task_queue: str, *, answer_steps: bool = True
                          ) -> AsyncIterator[None]:
    """A worker that runs the activities only, beside a `workflow_only_worker` on the same queue; it answers the
    waves' people steps as `running_worker` does."""
    opened: set[EngagementRef] = set()
    async with Worker(client, task_queue=task_queue, activities=activities_for(pool),
                      interceptors=[_WavesOpened(opened)]), _answering(client, pool, opened, answer_steps):
        yield


async def wait_for(
    client: Client, ref: EngagementRef, predicate: Callable[[MasterStatus], bool], timeout: float = 120.0
) -> MasterStatus:
    """Poll the status query until `predicate` holds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            st = await control.status(client, ref)
            if predicate(st):
                return st
        except control.ControlError:
            pass
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"engagement {ref.name} did not reach the expected state in {timeout}s")
        await asyncio.sleep(0.2)


async def fetchval(pool: asyncpg.Pool, ref: EngagementRef, query: str, *args):
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        return await conn.fetchval(query, *args)


async def fetch_rows(pool: asyncpg.Pool, ref: EngagementRef, query: str, *args) -> list[dict[str, Any]]:
    """The rows of `query` in the engagement's tenant context, as dicts."""
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        return [dict(r) for r in await conn.fetch(query, *args)]


ROOT = Path(__file__).resolve().parent.parent


async def run_starter(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """Run starter.py as a person would, stdout and stderr piped (not terminals): exit code, stdout, stderr.
    No traceback may reach its stderr, whatever the outcome."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "starter.py"), *args, env=env, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 300)
    assert b"Traceback" not in err, err
    return proc.returncode, out.decode(), err.decode()  # type: ignore[return-value]


async def eventually(probe: Callable[[], Awaitable[T]], what: str, timeout: float = 120.0) -> T:
    """Poll `probe` until it returns something truthy; fail naming `what` after `timeout` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        found = await probe()
        if found:
            return found
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{what}: not reached within {timeout:.0f} s (last seen: {found!r})")
        await asyncio.sleep(0.2)


async def rows(pool: asyncpg.Pool, ref: EngagementRef, query: str, *args: Any) -> list[dict[str, Any]]:
    """A query's rows in the engagement's tenant context, as dicts."""
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        return [dict(r) for r in await conn.fetch(query, *args)]
