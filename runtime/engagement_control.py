"""Client side of the engagement workflows: launch, ask for status, decide, pause, cancel.

Used by the CLI, the demo, the tests and the benchmarks alike. Errors a person can act on are raised
as `ControlError` with one clear sentence.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.common import SearchAttributePair, TypedSearchAttributes, WorkflowIDConflictPolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from db.import_files import delete_imports, store_import_files
from db.tenancy import EngagementRef
from domain.flow_contracts import (
    ApproveRequest,
    MappingCorrection,
    MappingReviewRequest,
    MappingReviewStatus,
    MasterFlowInput,
    MasterStatus,
    Phase,
    RejectRequest,
    RollbackRequest,
    Tenant,
)
from domain.vocabulary import PHASES
from workflows import search_attributes as sa
from workflows.ids import master_workflow_id, phase_workflow_id
from workflows.master_flow import MasterFlowWorkflow, root_message
from workflows.phase_flows import DiscoveryFlowWorkflow


class ControlError(RuntimeError):
    """A request about an engagement that cannot be carried out as asked."""


def check_phase(phase: str) -> Phase:
    if phase not in PHASES:
        raise ControlError(f"unknown phase {phase!r}; phases are {', '.join(PHASES)}")
    return phase  # type: ignore[return-value]


def handle(client: Client, engagement: EngagementRef) -> WorkflowHandle[Any, Any]:
    return client.get_workflow_handle_for(MasterFlowWorkflow.run, master_workflow_id(engagement.id))


async def is_running(client: Client, engagement: EngagementRef) -> bool:
    try:
        description = await handle(client, engagement).describe()
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            return False
        raise
    return description.status == WorkflowExecutionStatus.RUNNING


async def launch(
    client: Client,
    pool: asyncpg.Pool,
    engagement: EngagementRef,
    import_files: Sequence[Path],
    task_queue: str,
    *,
    auto_approve: tuple[Phase, ...] = (),
    launched_by: UUID | None = None,
) -> tuple[str, UUID]:
    """Upload the inventory files (one import) and start the engagement's master workflow.

    A second launch of a running engagement is refused; the upload is removed when the start fails.
    """
    workflow_id = master_workflow_id(engagement.id)
    if await is_running(client, engagement):
        raise ControlError(f"engagement {engagement.name!r} is already running ({workflow_id}); see `status`")
    import_ids = await store_import_files(pool, engagement.client_account_id, engagement.id, import_files,
                                          imported_by=launched_by)
    tenant = Tenant(client_account_id=engagement.client_account_id, engagement_id=engagement.id)
    master_flow_id = uuid.uuid4()
    try:
        await client.start_workflow(
            MasterFlowWorkflow.run,
            MasterFlowInput(tenant=tenant, master_flow_id=master_flow_id, data_import_ids=tuple(import_ids),
                            auto_approve=auto_approve, launched_by=launched_by),
            id=workflow_id,
            task_queue=task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            search_attributes=TypedSearchAttributes([
                SearchAttributePair(sa.CLIENT_ACCOUNT_ID, str(engagement.client_account_id)),
                SearchAttributePair(sa.ENGAGEMENT_ID, str(engagement.id)),
                SearchAttributePair(sa.AWAITING_APPROVAL, False),
            ]),
            static_summary=f"Engagement {engagement.name}",
            static_details=(
                f"Client {engagement.client_account_id}, engagement {engagement.id}, master flow {master_flow_id}, "
                f"inventory {', '.join(path.name for path in import_files)}"
            ),
        )
    except WorkflowAlreadyStartedError:
        await delete_imports(pool, engagement.client_account_id, engagement.id, import_ids)
        raise ControlError(f"engagement {engagement.name!r} is already running ({workflow_id}); see `status`") from None
    except BaseException:
        await delete_imports(pool, engagement.client_account_id, engagement.id, import_ids)
        raise
    return workflow_id, master_flow_id


async def status(client: Client, engagement: EngagementRef) -> MasterStatus:
    try:
        return await handle(client, engagement).query(MasterFlowWorkflow.status)
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise ControlError(f"engagement {engagement.name!r} has not been launched") from None
        raise


async def _update(client: Client, engagement: EngagementRef, update: Any, request: Any) -> MasterStatus:
    try:
        return await handle(client, engagement).execute_update(update, request)
    except WorkflowUpdateFailedError as err:
        raise ControlError(root_message(err)) from None
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise ControlError(f"engagement {engagement.name!r} is not running") from None
        raise


async def approve(client: Client, engagement: EngagementRef, phase: Phase, user: UUID,
                  comment: str | None = None) -> MasterStatus:
    return await _update(client, engagement, MasterFlowWorkflow.approve_phase_update, ApproveRequest(
        client_account_id=engagement.client_account_id, phase=phase, approver=user, comment=comment))


async def reject(client: Client, engagement: EngagementRef, phase: Phase, user: UUID, reason: str) -> MasterStatus:
    return await _update(client, engagement, MasterFlowWorkflow.reject_phase_update, RejectRequest(
        client_account_id=engagement.client_account_id, phase=phase, approver=user, reason=reason))


async def rollback(client: Client, engagement: EngagementRef, phase: Phase, user: UUID,
                   reason: str | None = None) -> MasterStatus:
    return await _update(client, engagement, MasterFlowWorkflow.rollback_to, RollbackRequest(
        client_account_id=engagement.client_account_id, phase=phase, requested_by=user, reason=reason))


async def review_mappings(client: Client, engagement: EngagementRef, user: UUID,
                          corrections: Sequence[MappingCorrection] = (), *,
                          accept_remaining: bool = False) -> MappingReviewStatus:
    """Send a person's mapping corrections (or acceptance) to the engagement's waiting discovery."""
    request = MappingReviewRequest(client_account_id=engagement.client_account_id, user=user,
                                   corrections=tuple(corrections), accept_remaining=accept_remaining)
    discovery = client.get_workflow_handle_for(DiscoveryFlowWorkflow.run, phase_workflow_id(engagement.id, "discovery"))
    try:
        return await discovery.execute_update(DiscoveryFlowWorkflow.review_mappings, request)
    except WorkflowUpdateFailedError as err:
        raise ControlError(root_message(err)) from None  # the activity's own error, not "activity failed"
    except WorkflowUpdateRPCTimeoutOrCancelledError:
        raise ControlError(f"engagement {engagement.name!r}: no worker answered the mapping review in time; "
                           "check that a worker runs on the task queue") from None
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise ControlError(f"engagement {engagement.name!r}: discovery is not waiting for a mapping review "
                               "(it is not running)") from None
        raise


async def signal(client: Client, engagement: EngagementRef, name: str) -> None:
    """Send a fire-and-forget signal (pause, resume, members_changed) to a running engagement."""
    if not await is_running(client, engagement):
        raise ControlError(f"engagement {engagement.name!r} is not running")
    await handle(client, engagement).signal(name)


async def cancel(client: Client, engagement: EngagementRef) -> None:
    if not await is_running(client, engagement):
        raise ControlError(f"engagement {engagement.name!r} is not running")
    await handle(client, engagement).cancel()
