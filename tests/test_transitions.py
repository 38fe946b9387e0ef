"""The transition activity: one transaction per change, and applying it twice changes nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
from temporalio.testing import ActivityEnvironment

from activities.transitions import TransitionActivities
from domain.flow_contracts import ApprovalRecord, Tenant, TransitionRequest
from tests.conftest import EngagementFixture, make_engagement


async def _snapshot(conn: asyncpg.Connection, engagement_id: uuid.UUID) -> dict[str, Any]:
    """Every row the transitions touch, as the superuser sees them."""
    out = {}
    for table in ("crewai_flow_state_extensions", "discovery_flows", "flow_transitions", "phase_approvals",
                  "security_audit_logs"):
        rows = await conn.fetch(
            f"SELECT to_jsonb(t) AS r FROM migration.{table} t WHERE engagement_id = $1 ORDER BY id", engagement_id
        )
        out[table] = [r["r"] for r in rows]
    return out


def _requests(e: EngagementFixture, master: uuid.UUID, phase_flow: uuid.UUID) -> list[TransitionRequest]:
    tenant = Tenant(client_account_id=e.ref.client_account_id, engagement_id=e.ref.id)
    at = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    common = {"tenant": tenant, "master_flow_id": master, "occurred_at": at}
    return [
        TransitionRequest(**common, flow_id=master, seq=1, event="flow_started", master_status="running",
                          workflow_id=f"engagement-{e.ref.id}", run_id="run-1"),
        TransitionRequest(**common, flow_id=master, seq=2, event="phase_started", phase="discovery",
                          phase_flow_id=phase_flow, master_status="running"),
        TransitionRequest(**common, flow_id=phase_flow, seq=1, event="step_completed", phase="discovery",
                          phase_flow_id=phase_flow, step="data_import", phase_status="running", progress=16.7,
                          state={"data_import": {"rows": 3}}),
        TransitionRequest(**common, flow_id=master, seq=3, event="awaiting_approval", phase="discovery",
                          master_status="awaiting_approval"),
        TransitionRequest(**common, flow_id=master, seq=4, event="approved", phase="discovery",
                          master_status="running",
                          approval=ApprovalRecord(decision="approved", user_id=e.owner_id, comment="looks right")),
    ]


async def test_same_transitions_twice_leave_an_identical_database(app_pool, superuser_conn) -> None:
    e = await make_engagement(app_pool)
    master, phase_flow = uuid.uuid4(), uuid.uuid4()
    activities = TransitionActivities(app_pool)
    env = ActivityEnvironment()
    first = [await env.run(activities.record_transition, r) for r in _requests(e, master, phase_flow)]
    assert all(result.applied for result in first)
    before = await _snapshot(superuser_conn, e.ref.id)

    second = [await env.run(activities.record_transition, r) for r in _requests(e, master, phase_flow)]
    assert not any(result.applied for result in second)
    assert await _snapshot(superuser_conn, e.ref.id) == before

    master_row = before["crewai_flow_state_extensions"][0]
    assert master_row["status"] == "running"
    assert master_row["phases_completed"] == ["discovery"]
    assert master_row["phase_flow_ids"] == {"discovery": str(phase_flow)}
    assert master_row["awaiting_approval_phase"] is None
    assert master_row["transition_seq"] == 4
    phase_row = before["discovery_flows"][0]
    assert phase_row["data_import_completed"] is True
    assert phase_row["attribute_mapping_completed"] is False
    assert phase_row["phases_completed"] == ["data_import"]
    assert phase_row["crew_ai_state"] == {"data_import": {"rows": 3}}
    [approval] = before["phase_approvals"]
    assert (approval["decision"], approval["decided_by"], approval["comment"]) == (
        "approved", str(e.owner_id), "looks right")
    assert len(before["flow_transitions"]) == 5


async def test_a_transition_for_an_unknown_step_is_refused_whole(app_pool, superuser_conn) -> None:
    e = await make_engagement(app_pool)
    master, phase_flow = uuid.uuid4(), uuid.uuid4()
    activities = TransitionActivities(app_pool)
    env = ActivityEnvironment()
    for request in _requests(e, master, phase_flow)[:2]:
        await env.run(activities.record_transition, request)
    bad = _requests(e, master, phase_flow)[2].model_copy(update={"step": "teleportation", "seq": 2})
    with pytest.raises(asyncpg.InvalidParameterValueError, match="phase discovery has no step teleportation"):
        await env.run(activities.record_transition, bad)
    journal = await superuser_conn.fetchval(
        "SELECT count(*) FROM migration.flow_transitions WHERE flow_id = $1", phase_flow)
    assert journal == 0, "the journal row of a failed transition must roll back with it"


async def test_a_failed_discovery_leaves_no_import_in_between(app_pool, tmp_path) -> None:
    """Whatever step failed for good (cleansing, the inventory ...), the imports it staged end `failed` with the
    phase's error, in the transaction that records the failure; another engagement's imports are untouched."""
    from tests.discovery_harness import rows, stage_and_map
    from tests.flow_helpers import inventory_file

    e, other = await make_engagement(app_pool), await make_engagement(app_pool)
    stage = await stage_and_map(app_pool, e.ref, [inventory_file(tmp_path, 5)])
    await stage_and_map(app_pool, other.ref, [inventory_file(tmp_path, 5)])
    query = "SELECT status, error_summary FROM migration.data_imports"
    assert [r["status"] for r in await rows(app_pool, e.ref, query)] != ["failed"]
    await ActivityEnvironment().run(TransitionActivities(app_pool).record_transition, TransitionRequest(
        tenant=stage.step.tenant, master_flow_id=stage.step.master_flow_id, flow_id=stage.step.master_flow_id,
        seq=3, event="failed", occurred_at=datetime.now(UTC), phase="discovery",
        phase_flow_id=stage.step.phase_flow_id, master_status="failed", phase_status="failed",
        state={"error": "cleansing gave up"}))
    assert await rows(app_pool, e.ref, query) == [{"status": "failed", "error_summary": {"error": "cleansing gave up"}}]
    assert [r["status"] for r in await rows(app_pool, other.ref, query)] != ["failed"]
