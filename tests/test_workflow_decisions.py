"""Approval waits, reminders, rejection, rollback and cancellation on the time-skipping test server,
with the real activities writing to PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowFailureError, WorkflowUpdateStage

from cli.flows import watch_exit_code
from db.people import record_request
from db.tenancy import approval_policy
from domain.flow_contracts import ApproveRequest, MasterStatus
from domain.vocabulary import PHASES
from runtime import engagement_control as control
from tests.conftest import make_engagement
from tests.flow_helpers import (
    activity_worker,
    fetchval,
    inventory_file,
    running_worker,
    wait_for,
    workflow_only_worker,
)
from workflows.master_flow import MasterFlowWorkflow


def _approve(e, phase: str, request_id: UUID | None = None) -> ApproveRequest:
    return ApproveRequest(client_account_id=e.ref.client_account_id, phase=phase, approver=e.owner_id,
                          request_id=request_id)


async def test_waits_for_approval_and_only_reminds(time_env, app_pool, tmp_path: Path) -> None:
    e = await make_engagement(app_pool, policy=approval_policy([], reminder_hours=1))
    async with running_worker(time_env.client, app_pool) as queue:
        await control.launch(time_env.client, app_pool, e.ref, [inventory_file(tmp_path, 12)], queue)
        await wait_for(time_env.client, e.ref, lambda st: st.awaiting_approval == "discovery")
        await time_env.sleep(timedelta(hours=5, minutes=30))
        st = await control.status(time_env.client, e.ref)
        assert st.awaiting_approval == "discovery" and st.phases_completed == ()
        history = await control.handle(time_env.client, e.ref).fetch_history()
        fired = [ev for ev in history.events if ev.event_type == EventType.EVENT_TYPE_TIMER_FIRED]
        assert len(fired) >= 5, "one reminder per hour of waiting"
        assert await fetchval(app_pool, e.ref,
                              "SELECT awaiting_approval_phase FROM migration.crewai_flow_state_extensions") == "discovery"
        await control.handle(time_env.client, e.ref).cancel()
        with pytest.raises(WorkflowFailureError):
            await asyncio.wait_for(control.handle(time_env.client, e.ref).result(), 120)
    assert await fetchval(app_pool, e.ref, "SELECT status FROM migration.crewai_flow_state_extensions") == "cancelled"
    assert await fetchval(app_pool, e.ref, "SELECT count(*) FROM migration.phase_approvals") == 0


async def test_a_rejected_phase_runs_again_and_waits_again(time_env, app_pool, tmp_path: Path) -> None:
    e = await make_engagement(app_pool, policy=approval_policy(["assessment", "planning", "execution"], 24))
    async with running_worker(time_env.client, app_pool) as queue:
        await control.launch(time_env.client, app_pool, e.ref, [inventory_file(tmp_path, 12)], queue)
        first = await wait_for(time_env.client, e.ref, lambda st: st.awaiting_approval == "discovery")
        handle = control.handle(time_env.client, e.ref)
        await control.reject(time_env.client, app_pool, e.ref, "discovery", e.owner_id,
                             "the CMDB export was missing the DMZ")
        second = await wait_for(time_env.client, e.ref, lambda st: st.awaiting_approval == "discovery"
                                and st.phase_flow_ids["discovery"] != first.phase_flow_ids["discovery"])
        assert second.phases_completed == ()
        await control.approve(time_env.client, app_pool, e.ref, "discovery", e.owner_id)
        result = await asyncio.wait_for(handle.result(), 300)
    assert result.status == "completed"
    assert await fetchval(app_pool, e.ref, "SELECT count(*) FROM migration.discovery_flows") == 2
    decisions = await fetchval(app_pool, e.ref, """
        SELECT string_agg(phase || ':' || decision, ',' ORDER BY decided_at, phase) FROM migration.phase_approvals""")
    assert decisions.split(",")[:2] == ["discovery:rejected", "discovery:approved"]


async def test_a_decision_signal_is_ignored(time_env, app_pool, tmp_path: Path) -> None:
    """A decision arrives only as an update naming a verified request: a signal, even one naming an approver,
    cannot answer for who sent it and is ignored."""
    e = await make_engagement(app_pool)
    async with running_worker(time_env.client, app_pool) as queue:
        await control.launch(time_env.client, app_pool, e.ref, [inventory_file(tmp_path, 12)], queue)
        await wait_for(time_env.client, e.ref, lambda st: st.awaiting_approval == "discovery")
        handle = control.handle(time_env.client, e.ref)
        await handle.signal(MasterFlowWorkflow.approve_phase_signal, _approve(e, "discovery"))
        await time_env.sleep(timedelta(minutes=5))
        st = await control.status(time_env.client, e.ref)
        assert st.awaiting_approval == "discovery" and st.phases_completed == ()
        await handle.cancel()
        with pytest.raises(WorkflowFailureError):
            await asyncio.wait_for(handle.result(), 120)


async def test_rollback_returns_to_an_earlier_phase(dev_env, app_pool, tmp_path: Path) -> None:
    e = await make_engagement(app_pool, policy=approval_policy(["discovery", "assessment", "execution"], 24))
    async with running_worker(dev_env.client, app_pool) as queue:
        await control.launch(dev_env.client, app_pool, e.ref, [inventory_file(tmp_path, 12)], queue)
        before = await wait_for(dev_env.client, e.ref, lambda st: st.awaiting_approval == "planning")
        with pytest.raises(control.ControlError, match="cannot roll back forward"):
            await control.rollback(dev_env.client, app_pool, e.ref, "execution", e.owner_id)
        st = await control.rollback(dev_env.client, app_pool, e.ref, "assessment", e.owner_id, "new cost model")
        assert st.phases_completed == ("discovery",)
        after = await wait_for(dev_env.client, e.ref, lambda st: st.awaiting_approval == "planning"
                               and st.phase_flow_ids["planning"] != before.phase_flow_ids["planning"])
        assert after.phase_flow_ids["assessment"] != before.phase_flow_ids["assessment"]
        assert after.phases_completed == ("discovery", "assessment")
        assert await fetchval(app_pool, e.ref, "SELECT phases_completed FROM migration.crewai_flow_state_extensions") \
            == ["discovery", "assessment"]
        await control.approve(dev_env.client, app_pool, e.ref, "planning", e.owner_id)
        result = await asyncio.wait_for(control.handle(dev_env.client, e.ref).result(), 300)
    assert result.status == "completed"
    assert await fetchval(app_pool, e.ref, "SELECT count(*) FROM migration.assessment_flows") == 2


async def test_pause_holds_the_next_step_until_resumed(dev_env, app_pool, tmp_path: Path) -> None:
    e = await make_engagement(app_pool, policy=approval_policy(list(("discovery", "assessment", "planning",
                                                                     "execution")), 24))
    async with running_worker(dev_env.client, app_pool) as queue:
        await control.launch(dev_env.client, app_pool, e.ref, [inventory_file(tmp_path, 12)], queue)
        assert (await control.pause(dev_env.client, app_pool, e.ref, e.owner_id)).startswith(f"{e.ref.name}: paused; ")
        paused = await wait_for(dev_env.client, e.ref, lambda st: st.paused)
        assert await control.pause(dev_env.client, app_pool, e.ref, e.owner_id) == f"{e.ref.name}: already paused; `resume` lets it go on"
        await asyncio.sleep(3)
        held = await control.status(dev_env.client, e.ref)
        assert held.paused and held.phases_completed == paused.phases_completed
        # Recorded where it holds: the running phase's flow row (or the master between phases).
        recorded = """SELECT (SELECT count(*) FROM migration.flows WHERE status = 'paused')
                           + (SELECT count(*) FROM migration.crewai_flow_state_extensions WHERE status = 'paused')"""
        for _ in range(100):
            if await fetchval(app_pool, e.ref, recorded) == 1:
                break
            await asyncio.sleep(0.2)
        assert await fetchval(app_pool, e.ref, recorded) == 1
        steps_done = await fetchval(app_pool, e.ref,
                                    "SELECT sum(jsonb_array_length(phases_completed)) FROM migration.flows")
        await asyncio.sleep(2)
        assert await fetchval(app_pool, e.ref,
                              "SELECT sum(jsonb_array_length(phases_completed)) FROM migration.flows") == steps_done
        assert await control.resume(dev_env.client, app_pool, e.ref, e.owner_id) == f"{e.ref.name}: resumed"
        result = await asyncio.wait_for(control.handle(dev_env.client, e.ref).result(), 300)
    assert result.status == "completed"


async def test_cancel_while_a_phase_runs_ends_cancelled(dev_env, app_pool, tmp_path: Path) -> None:
    e = await make_engagement(app_pool)
    async with running_worker(dev_env.client, app_pool) as queue:
        await control.launch(dev_env.client, app_pool, e.ref, [inventory_file(tmp_path, 3000)], queue)
        # The phase runs once its first step is done: its flow row exists and the child workflow runs. (Its name in
        # `status` comes first, before the row is written and the child started.)
        await wait_for(dev_env.client, e.ref, lambda st: st.phase == "discovery" and st.step is not None)
        assert await control.cancel(dev_env.client, app_pool, e.ref, e.owner_id, wait_seconds=120) == \
            f"{e.ref.name}: cancelled; its data is kept, and `launch` starts it again"
        with pytest.raises(WorkflowFailureError):
            await control.handle(dev_env.client, e.ref).result()
    assert await fetchval(app_pool, e.ref, "SELECT status FROM migration.crewai_flow_state_extensions") == "cancelled"
    assert await fetchval(app_pool, e.ref, "SELECT status FROM migration.discovery_flows") == "cancelled"


async def test_a_decision_being_applied_refuses_the_others_and_awaits_nothing(
    dev_env, app_pool, tmp_path: Path
) -> None:
    """Between a decision's acceptance and its recorded transition, further decisions are refused for what they
    are, and `status` no longer reports the phase as awaiting approval (so a watch started then goes on).
    A worker without activities holds the engagement in that window."""
    e = await make_engagement(app_pool)
    client = dev_env.client
    async with running_worker(client, app_pool) as queue:
        await control.launch(client, app_pool, e.ref, [inventory_file(tmp_path, 12)], queue, auto_approve=PHASES[1:])
        await wait_for(client, e.ref, lambda st: st.awaiting_approval == "discovery")
    async with workflow_only_worker(client, queue):
        first = await control.handle(client, e.ref).start_update(
            MasterFlowWorkflow.approve_phase_update,
            _approve(e, "discovery", await record_request(app_pool, e.ref, "approve", "discovery",
                                                          on_behalf_of=e.owner_id)),
            wait_for_stage=WorkflowUpdateStage.ACCEPTED)
        st = await control.status(client, e.ref)
        assert (st.status, st.awaiting_approval, watch_exit_code(st)) == ("awaiting_approval", None, None)
        others = await asyncio.gather(
            control.approve(client, app_pool, e.ref, "discovery", e.owner_id),
            control.approve(client, app_pool, e.ref, "discovery", e.owner_id),
            control.reject(client, app_pool, e.ref, "discovery", e.owner_id, "again"),
            control.rollback(client, app_pool, e.ref, "discovery", e.owner_id),
            return_exceptions=True)
        assert [str(err) for err in others] == \
            ["another decision for phase discovery is being applied; see `status`"] * 4
        async with activity_worker(client, app_pool, queue):
            assert (await first.result()).phases_completed == ("discovery",)
            result = await asyncio.wait_for(control.handle(client, e.ref).result(), 300)
    assert result.status == "completed"
    assert await fetchval(app_pool, e.ref, "SELECT count(*) FROM migration.phase_approvals WHERE phase = 'discovery'") == 1


async def test_decisions_sent_at_once_are_applied_once(dev_env, app_pool, tmp_path: Path) -> None:
    """Four approvals in flight together (some validated in the same workflow task): one is applied, the others
    are refused as pending, never with a contradiction."""
    e = await make_engagement(app_pool)
    client = dev_env.client
    async with running_worker(client, app_pool) as queue:
        await control.launch(client, app_pool, e.ref, [inventory_file(tmp_path, 12)], queue, auto_approve=PHASES[1:])
        await wait_for(client, e.ref, lambda st: st.awaiting_approval == "discovery")
    async with workflow_only_worker(client, queue):
        approvals = [asyncio.create_task(control.approve(client, app_pool, e.ref, "discovery", e.owner_id)) for _ in range(4)]
        refused = []
        for done in asyncio.as_completed(approvals[:]):
            try:
                await done
            except control.ControlError as err:
                refused.append(str(err))
            if len(refused) == 3:
                break
        assert refused == ["another decision for phase discovery is being applied; see `status`"] * 3
        async with activity_worker(client, app_pool, queue):
            applied = await asyncio.gather(*approvals, return_exceptions=True)
            assert sum(isinstance(st, MasterStatus) for st in applied) == 1, applied
            await asyncio.wait_for(control.handle(client, e.ref).result(), 300)
    assert await fetchval(app_pool, e.ref, "SELECT count(*) FROM migration.phase_approvals WHERE phase = 'discovery'") == 1
