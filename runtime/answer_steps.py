"""The people of a rehearsal: completes the manual steps and approves the approvals a wave waits for, as one
person, through the same checks, recorded requests and update as `execution complete` / `execution approve`.

The demo acts so as the local user (its runbooks are dry runs), the end-to-end benchmark and the tests that run
an engagement through execution as its owner. A real engagement's people use the CLI.
"""

from __future__ import annotations

import asyncio
from uuid import UUID

import asyncpg
from temporalio.client import Client

from db.pool import tenant_transaction
from db.queries import sql
from db.tenancy import EngagementRef
from runtime.engagement_control import ControlError
from runtime.execution_control import act, action_request

NOTE = "rehearsal: done by the walk-through"


async def answer_waiting_steps(client: Client, pool: asyncpg.Pool, engagement: EngagementRef, person: UUID, *,
                               change_reference: str = "REHEARSAL") -> int:
    """Complete every manual step and approve every approval now waiting in the engagement's waves, as `person`
    (through `pool`: their own login, or a service connection acting for them), with the checks of the CLI;
    returns how many actions were accepted."""
    async with tenant_transaction(pool, engagement.client_account_id, engagement.id) as conn:
        waiting = await conn.fetch(sql("execution_steps_waiting_for_people"))
    by_wave: dict[int, list[asyncpg.Record]] = {}
    for row in waiting:
        by_wave.setdefault(row["wave_number"], []).append(row)

    async def answer_wave(rows: list[asyncpg.Record]) -> int:
        """One wave's steps in order (its updates are applied one at a time anyway)."""
        answered = 0
        for row in rows:
            approve = row["status"] == "pending_approval"
            request = action_request("approve" if approve else "complete", row["wave_number"], step=row["step_key"],
                                     all_workloads=True, note=NOTE, change_reference=change_reference if approve
                                     else None)
            try:
                await act(client, pool, engagement, request, person)
                answered += 1
            except ControlError:
                continue  # the wave moved on meanwhile (another answer, an abort): the next look sees it
        return answered

    # the waves' people act side by side, as a wave's team would
    return sum(await asyncio.gather(*(answer_wave(rows) for rows in by_wave.values())))


async def answer_until(client: Client, pool: asyncpg.Pool, engagement: EngagementRef, person: UUID,
                       done: asyncio.Event, *, interval: float = 0.5) -> None:
    """Answer the engagement's waiting steps as `person` every `interval` seconds until `done` is set."""
    while not done.is_set():
        await answer_waiting_steps(client, pool, engagement, person)
        try:
            await asyncio.wait_for(done.wait(), interval)
        except TimeoutError:
            pass
