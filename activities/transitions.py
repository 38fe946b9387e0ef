"""The one writer of flow state: each transition is one activity and one database transaction.

Idempotent by (flow id, sequence number): the journal row is claimed first, and a transition whose
row already exists changes nothing, so activity retries and workflow replays never double-apply.
"""

from __future__ import annotations

import asyncpg
from temporalio import activity

from db.pool import tenant_transaction
from db.queries import sql
from domain.flow_contracts import TransitionRequest, TransitionResult
from domain.vocabulary import PHASES
from workflows.ids import phase_workflow_id

# Transitions that change a phase flow row (the others only concern the master).
_PHASE_ROW_EVENTS = frozenset({"phase_started", "step_completed", "failed", "cancelled", "paused", "resumed"})


class TransitionActivities:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @activity.defn(name="record_transition")
    async def record_transition(self, req: TransitionRequest) -> TransitionResult:
        tenant = req.tenant
        actor = req.approval.user_id if req.approval else None
        async with tenant_transaction(self._pool, tenant.client_account_id, tenant.engagement_id, actor) as conn:
            if req.event == "flow_started":
                await conn.execute(
                    sql("master_flow_start"),
                    tenant.client_account_id, tenant.engagement_id, req.master_flow_id,
                    req.workflow_id, req.run_id, req.occurred_at, req.state,
                )
            transition_id = await conn.fetchval(
                sql("transition_claim"),
                tenant.client_account_id, tenant.engagement_id, req.master_flow_id, req.flow_id, req.seq,
                req.event, req.phase, req.step,
                req.model_dump(mode="json", include={"master_status", "phase_status", "progress", "rollback_to",
                                                     "approval", "state"}),
                req.occurred_at,
            )
            if transition_id is None:
                return TransitionResult(applied=False)
            if req.flow_id == req.master_flow_id:
                await conn.execute(
                    sql("master_flow_transition"),
                    req.master_flow_id, req.event, req.master_status, req.phase, req.phase_flow_id, req.seq,
                    req.progress, req.state, req.rollback_to, list(PHASES),
                    req.state.get("error"), req.occurred_at,
                )
            if req.phase and req.phase_flow_id and req.event in _PHASE_ROW_EVENTS:
                await conn.execute(
                    sql("phase_flow_transition"),
                    req.phase, req.event, tenant.client_account_id, tenant.engagement_id, req.master_flow_id,
                    req.phase_flow_id, req.step, req.phase_status, req.progress, req.state,
                    req.state.get("error"), req.occurred_at,
                    phase_workflow_id(tenant.engagement_id, req.phase),
                )
            if req.event == "failed" and req.phase == "discovery" and req.phase_flow_id:
                await conn.execute(sql("data_imports_fail_with_discovery"), req.phase_flow_id,
                                   req.state.get("error") or "discovery failed")
            if req.approval is not None:
                await conn.execute(
                    sql("phase_approval_record"),
                    tenant.client_account_id, tenant.engagement_id, req.master_flow_id, req.phase,
                    req.phase_flow_id, req.approval.decision, req.approval.user_id, req.approval.comment,
                    transition_id, req.occurred_at,
                )
        activity.logger.debug("transition %s seq %s of flow %s applied", req.event, req.seq, req.flow_id)
        return TransitionResult(applied=True)
