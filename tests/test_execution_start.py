"""A person starts a wave before its planned date; others may not, and a wave not waiting cannot be started."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from pathlib import Path

import pytest
from temporalio.client import WorkflowExecutionStatus
from temporalio.service import RPCError

from domain.vocabulary import PHASES
from runtime import engagement_control as control
from runtime.execution_control import start_wave
from tests.conftest import make_engagement
from tests.flow_helpers import fetchval, inventory_file, running_worker, wait_for
from workflows.ids import wave_workflow_id


async def _runs(client, workflow_id: str) -> bool:
    try:
        return (await client.get_workflow_handle(workflow_id).describe()).status == WorkflowExecutionStatus.RUNNING
    except RPCError:
        return False


async def test_a_wave_started_early_runs_while_the_others_keep_their_dates(dev_env, app_pool, tmp_path: Path) -> None:
    e = await make_engagement(app_pool, start_date=date.today() + timedelta(days=60),
                              execution={"honour_planned_dates": True})
    client = dev_env.client
    async with running_worker(client, app_pool, answer_steps=False) as queue:
        await control.launch(client, app_pool, e.ref, [inventory_file(tmp_path, 30)], queue, auto_approve=PHASES,
                             launched_by=e.owner_id)
        await wait_for(client, e.ref, lambda st: st.phase == "execution" and st.step == "runbook_preparation")
        await asyncio.sleep(1)  # the execution flow is now waiting for its waves' planned dates
        first = await fetchval(app_pool, e.ref, "SELECT min(wave_number) FROM migration.migration_waves")
        assert first == 0  # the foundation: the inventory's shared services, which every other wave needs first
        assert not await _runs(client, wave_workflow_id(e.ref.id, first))

        with pytest.raises(control.ControlError, match="may not|role viewer"):
            await start_wave(client, app_pool, e.ref, first, e.viewer_id)
        with pytest.raises(control.ControlError, match="wave 99 is not waiting to start"):
            await start_wave(client, app_pool, e.ref, 99, e.owner_id)
        answer = await start_wave(client, app_pool, e.ref, first, e.owner_id)
        assert answer == f"wave {first} starts as soon as the waves it depends on have completed"
        deadline = asyncio.get_running_loop().time() + 60
        while not await _runs(client, wave_workflow_id(e.ref.id, first)):
            assert asyncio.get_running_loop().time() < deadline, f"wave {first} did not start"
            await asyncio.sleep(0.3)
        assert not await _runs(client, wave_workflow_id(e.ref.id, first + 1)), "the next wave keeps its planned date"
        with pytest.raises(control.ControlError, match=f"wave {first} is not waiting to start"):
            await start_wave(client, app_pool, e.ref, first, e.owner_id)
        await control.cancel(client, app_pool, e.ref, e.owner_id)
