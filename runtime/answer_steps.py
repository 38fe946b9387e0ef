"""The people of a rehearsal: completes the manual steps and approves the approvals a wave waits for, as one
person, through the same recorded requests and update as `execution complete` / `execution approve`.

The demo acts so as the local user (its runbooks are dry runs), the end-to-end benchmark and the tests that run
an engagement through execution as its owner. A real engagement's people use the CLI.
"""

from __future__ import annotations

import asyncio
from uuid import UUID

import asyncpg
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError

from db.people import record_request
from db.pool import tenant_transaction
from db.queries import sql
from db.tenancy import EngagementRef
from domain.execution.contracts import ACTION_REQUEST_KINDS, ExecutionActionRequest
from workflows.ids import wave_workflow_id

NOTE = "rehearsal: done by the walk-through"


async def answer_waiting_steps(client: Client, pool: asyncpg.Pool, engagement: EngagementRef, *,
                               on_behalf_of: UUID | None = None, change_reference: str = "REHEARSAL") -> int:
    """Complete every manual step and approve every approval now waiting in the engagement's waves; returns how
    many actions were accepted. `on_behalf_of` names the person on a service connection."""
    async with tenant_transaction(pool, engagement.client_account_id, engagement.id) as conn:
        waiting = await conn.fetch(sql("execution_steps_waiting_for_people"))
    by_wave: dict[int, list[asyncpg.Record]] = {}
    for row in waiting:
        by_wave.setdefault(row["wave_number"], []).append(row)

    async def answer_wave(rows: list[asyncpg.Record]) -> int:
        """One wave's steps in order (its updates are applied one at a time anyway)."""
        answered = 0
        for row in rows:
            action = "complete" if row["status"] == "awaiting_person" else "approve"
            payload = {"action": action, "wave": row["wave_number"], "step": row["step_key"],
                       "selection": {"all": True}, "note": NOTE,
                       "change_reference": change_reference if action == "approve" else None}
            request_id = await record_request(pool, engagement, ACTION_REQUEST_KINDS[action], payload=payload,
                                              on_behalf_of=on_behalf_of)
            handle = client.get_workflow_handle(wave_workflow_id(engagement.id, row["wave_number"]))
            try:
                await handle.execute_update("execution_action", ExecutionActionRequest(
                    client_account_id=engagement.client_account_id, action=action, request_id=request_id))
                answered += 1
            except (WorkflowUpdateFailedError, RPCError):
                continue  # the wave moved on meanwhile (another answer, an abort): the next look sees it
        return answered

    # the waves' people act side by side, as a wave's team would
    return sum(await asyncio.gather(*(answer_wave(rows) for rows in by_wave.values())))


async def answer_until(client: Client, pool: asyncpg.Pool, engagement: EngagementRef, done: asyncio.Event, *,
                       on_behalf_of: UUID | None = None, interval: float = 0.5) -> None:
    """Answer the engagement's waiting steps every `interval` seconds until `done` is set."""
    while not done.is_set():
        await answer_waiting_steps(client, pool, engagement, on_behalf_of=on_behalf_of)
        try:
            await asyncio.wait_for(done.wait(), interval)
        except TimeoutError:
            pass
