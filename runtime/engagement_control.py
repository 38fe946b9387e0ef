"""Client side of the engagement workflows: launch, ask for status, decide, pause, cancel.

Used by the CLI, the demo, the tests and the benchmarks alike. Errors a person can act on are raised
as `ControlError` with one clear sentence.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.common import Priority, SearchAttributePair, TypedSearchAttributes, WorkflowIDConflictPolicy
from temporalio.exceptions import CancelledError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from db.import_files import delete_imports, engagement_asset_count, store_import_files
from db.people import record_request
from db.tenancy import EngagementRef
from domain.discovery.import_plan import inventory_needed
from domain.flow_contracts import (
    ApproveRequest,
    ControlRequest,
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
from workflows.failures import root_message
from workflows.ids import master_workflow_id, phase_workflow_id
from workflows.master_flow import MasterFlowWorkflow, situation
from workflows.phase_flows import DiscoveryFlowWorkflow


class ControlError(RuntimeError):
    """A request about an engagement that cannot be carried out as asked."""


class NoWorkerError(ControlError):
    """No worker answered in time: the workflow runs, but nothing executes it now."""


# How a closed master workflow ended, in words, with what a person may do next.
ENDED = {
    WorkflowExecutionStatus.COMPLETED: "the engagement has completed",
    WorkflowExecutionStatus.CANCELED: "the engagement was cancelled; `launch` starts it again",
    WorkflowExecutionStatus.TERMINATED: "the engagement's workflow was terminated; `launch` starts it again",
    WorkflowExecutionStatus.FAILED: "the engagement's workflow failed; `launch` starts it again",
    WorkflowExecutionStatus.TIMED_OUT: "the engagement's workflow timed out; `launch` starts it again",
}
# How long `cancel` waits for the workflow to end before it reports the cancellation as requested only.
CANCEL_WAIT_SECONDS = 30.0
# How long the status query waits for a worker's answer.
QUERY_TIMEOUT = timedelta(seconds=20)
# How long approve, reject and rollback wait for a worker to apply the decision.
UPDATE_TIMEOUT = timedelta(seconds=30)


def check_phase(phase: str) -> Phase:
    if phase not in PHASES:
        raise ControlError(f"unknown phase {phase!r}; phases are {', '.join(PHASES)}")
    return phase  # type: ignore[return-value]


def handle(client: Client, engagement: EngagementRef) -> WorkflowHandle[Any, Any]:
    return client.get_workflow_handle_for(MasterFlowWorkflow.run, master_workflow_id(engagement.id))


async def execution_status(client: Client, engagement: EngagementRef) -> WorkflowExecutionStatus | None:
    """The master workflow's execution status (running, completed, cancelled ...); None if never launched."""
    try:
        description = await handle(client, engagement).describe()
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            return None
        raise
    return description.status


async def is_running(client: Client, engagement: EngagementRef) -> bool:
    return await execution_status(client, engagement) == WorkflowExecutionStatus.RUNNING


async def _check_running(client: Client, engagement: EngagementRef, verb: str) -> None:
    """Refuse, in one sentence, to `verb` an engagement whose workflow is not running."""
    execution = await execution_status(client, engagement)
    if execution is None:
        raise ControlError(f"engagement {engagement.name!r} has not been launched; see `launch`")
    if execution != WorkflowExecutionStatus.RUNNING:
        ended = ENDED.get(execution, f"its workflow is {execution.name.lower()}")  # type: ignore[union-attr]
        raise ControlError(f"engagement {engagement.name!r}: nothing to {verb} — {ended}")


async def check_import(pool: asyncpg.Pool, engagement: EngagementRef, roles: Sequence[tuple[str, str]]) -> None:
    """Refuse, before anything is uploaded or started, an import of (file name, role) pairs without an inventory
    file into an engagement that has no assets yet: its dependency exports would connect nothing. Into an
    engagement with assets it is an enrichment: discovery resolves its edges against them."""
    refusal = inventory_needed(roles)
    if refusal is not None and not await engagement_asset_count(pool, engagement.client_account_id, engagement.id):
        raise ControlError(refusal)


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
    # The launch itself is a recorded request (its right checked for a person; the phases it auto-approves kept
    # with it), which the workflow verifies before its first phase.
    request_id = await record_request(pool, engagement, "launch", payload={"auto_approve": list(auto_approve)},
                                      on_behalf_of=launched_by)
    import_ids = await store_import_files(pool, engagement.client_account_id, engagement.id, import_files,
                                          imported_by=launched_by)
    tenant = Tenant(client_account_id=engagement.client_account_id, engagement_id=engagement.id)
    master_flow_id = uuid.uuid4()
    try:
        await client.start_workflow(
            MasterFlowWorkflow.run,
            MasterFlowInput(tenant=tenant, master_flow_id=master_flow_id, data_import_ids=tuple(import_ids),
                            auto_approve=auto_approve, launched_by=launched_by, request_id=request_id),
            id=workflow_id,
            task_queue=task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            # its phases, waves and activities inherit the client as fairness key: one client's backlog on the task
            # queue cannot starve another client's engagements (on a server with fairness on: docs/operations.md)
            priority=Priority(fairness_key=str(engagement.client_account_id)),
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


async def status(client: Client, engagement: EngagementRef, timeout: timedelta = QUERY_TIMEOUT) -> MasterStatus:
    """The master's `status` query, answered by a worker."""
    try:
        return await handle(client, engagement).query(MasterFlowWorkflow.status, rpc_timeout=timeout)
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise ControlError(f"engagement {engagement.name!r} has not been launched; see `launch`") from None
        if err.status in (RPCStatusCode.CANCELLED, RPCStatusCode.DEADLINE_EXCEEDED) or _no_recent_poller(err):
            raise NoWorkerError(_no_worker(engagement, timeout)) from None
        raise


def _no_worker(engagement: EngagementRef, timeout: timedelta) -> str:
    return (f"engagement {engagement.name!r}: no worker answered within {timeout.total_seconds():.0f} s; "
            "check that `worker.py` runs on its task queue")


def _no_recent_poller(err: RPCError) -> bool:
    """The server's own word that no worker polls the task queue (it keeps no other sign of it than the message)."""
    return err.status == RPCStatusCode.FAILED_PRECONDITION and "no poller seen" in err.message


async def _update(client: Client, engagement: EngagementRef, verb: str, update: Any, request: Any,
                  timeout: timedelta) -> MasterStatus:
    """Send a decision and wait (at most `timeout`) until the workflow has applied it."""
    try:
        return await asyncio.wait_for(handle(client, engagement).execute_update(update, request),
                                      timeout.total_seconds())
    except WorkflowUpdateFailedError as err:
        raise ControlError(root_message(err)) from None
    except (asyncio.TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
        raise NoWorkerError(f"{_no_worker(engagement, timeout)}; the decision may still be applied when one starts, "
                            f"so check `status` before you {verb} again") from None
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            await _check_running(client, engagement, verb)  # says how it ended
            raise ControlError(f"engagement {engagement.name!r} runs, but its workflow did not receive the decision "
                               f"(it moved on meanwhile); check `status`, then {verb} again if it still applies") from None
        raise


# Decisions, reviews, pause, resume and cancel are first recorded as the acting person's request through `pool`
# (under their own login, where the database checks their right; `user` only says whom a service connection,
# such as the tests', acts for) and sent to the workflow by id, which acts only once the request is verified.
async def approve(client: Client, pool: asyncpg.Pool, engagement: EngagementRef, phase: Phase, user: UUID,
                  comment: str | None = None, *, timeout: timedelta = UPDATE_TIMEOUT) -> MasterStatus:
    request_id = await record_request(pool, engagement, "approve", phase, payload={"note": comment},
                                      on_behalf_of=user)
    return await _update(client, engagement, "approve", MasterFlowWorkflow.approve_phase_update, ApproveRequest(
        client_account_id=engagement.client_account_id, phase=phase, approver=user, comment=comment,
        request_id=request_id), timeout)


async def reject(client: Client, pool: asyncpg.Pool, engagement: EngagementRef, phase: Phase, user: UUID,
                 reason: str, *, timeout: timedelta = UPDATE_TIMEOUT) -> MasterStatus:
    request_id = await record_request(pool, engagement, "reject", phase, payload={"note": reason},
                                      on_behalf_of=user)
    return await _update(client, engagement, "reject", MasterFlowWorkflow.reject_phase_update, RejectRequest(
        client_account_id=engagement.client_account_id, phase=phase, approver=user, reason=reason,
        request_id=request_id), timeout)


async def rollback(client: Client, pool: asyncpg.Pool, engagement: EngagementRef, phase: Phase, user: UUID,
                   reason: str | None = None, *, timeout: timedelta = UPDATE_TIMEOUT) -> MasterStatus:
    request_id = await record_request(pool, engagement, "rollback", phase, payload={"note": reason},
                                      on_behalf_of=user)
    return await _update(client, engagement, "roll back", MasterFlowWorkflow.rollback_to, RollbackRequest(
        client_account_id=engagement.client_account_id, phase=phase, requested_by=user, reason=reason,
        request_id=request_id), timeout)


async def review_mappings(client: Client, pool: asyncpg.Pool, engagement: EngagementRef, user: UUID,
                          corrections: Sequence[MappingCorrection] = (), *,
                          accept_remaining: bool = False) -> MappingReviewStatus:
    """Send a person's mapping corrections (or acceptance) to the engagement's waiting discovery."""
    request_id = await record_request(pool, engagement, "mapping_review", on_behalf_of=user, payload={
        "corrections": [c.model_dump(mode="json") for c in corrections], "accept_remaining": accept_remaining})
    request = MappingReviewRequest(client_account_id=engagement.client_account_id, user=user,
                                   corrections=tuple(corrections), accept_remaining=accept_remaining,
                                   request_id=request_id)
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
    """Send a fire-and-forget signal (members_changed) to a running engagement."""
    await _check_running(client, engagement, "notify")
    await handle(client, engagement).signal(name)


async def _status_or_signal(client: Client, engagement: EngagementRef, name: str, request: ControlRequest,
                            timeout: timedelta) -> MasterStatus | None:
    """The running engagement's status; None, once `name` is signalled anyway, when no worker answers (the
    signal is durable: it takes effect when a worker runs)."""
    try:
        return await status(client, engagement, timeout)
    except NoWorkerError:
        await handle(client, engagement).signal(name, request)
        return None


async def _control_request(client: Client, pool: asyncpg.Pool, engagement: EngagementRef, kind: str,
                           user: UUID | None) -> ControlRequest:
    """The running engagement's recorded pause, resume or cancel request of the acting person."""
    await _check_running(client, engagement, kind)
    return ControlRequest(request_id=await record_request(pool, engagement, kind, on_behalf_of=user))


async def pause(client: Client, pool: asyncpg.Pool, engagement: EngagementRef, user: UUID | None = None, *,
                timeout: timedelta = QUERY_TIMEOUT) -> str:
    """Hold the engagement before its next step or phase; return what was done, in one line.

    A failed or ended engagement has nothing to pause (ControlError); a paused one stays paused.
    """
    request = await _control_request(client, pool, engagement, "pause", user)
    st = await _status_or_signal(client, engagement, "pause", request, timeout)
    if st is None:
        return f"{engagement.name}: pause requested; it takes effect when a worker runs"
    if st.status == "failed":
        raise ControlError(f"engagement {engagement.name!r}: nothing to pause — {situation(st)}")
    if st.paused:
        return f"{engagement.name}: already paused; `resume` lets it go on"
    await handle(client, engagement).signal(MasterFlowWorkflow.pause, request)
    if st.awaiting_approval:
        return (f"{engagement.name}: paused; phase {st.awaiting_approval} can still be approved or rejected, "
                "the next phase waits for `resume`")
    where = f"phase {st.phase} holds before its next step" if st.phase else "it holds before its first phase"
    return f"{engagement.name}: paused; {where} (a running step finishes first) until `resume`"


async def resume(client: Client, pool: asyncpg.Pool, engagement: EngagementRef, user: UUID | None = None, *,
                 timeout: timedelta = QUERY_TIMEOUT) -> str:
    """Let a paused engagement go on; return what was done, in one line (a running one is left as it is)."""
    request = await _control_request(client, pool, engagement, "resume", user)
    st = await _status_or_signal(client, engagement, "resume", request, timeout)
    if st is None:
        return f"{engagement.name}: resume requested; it takes effect when a worker runs"
    if not st.paused:
        return f"{engagement.name}: not paused, nothing to resume; {situation(st)}"
    await handle(client, engagement).signal(MasterFlowWorkflow.resume, request)
    return f"{engagement.name}: resumed" + (f"; {situation(st)}" if st.status == "failed" else "")


async def cancel(client: Client, pool: asyncpg.Pool, engagement: EngagementRef, user: UUID | None = None,
                 wait_seconds: float = CANCEL_WAIT_SECONDS) -> str:
    """Cancel the engagement's workflow and wait (a while) until it has ended; return what happened, in one line.

    The request is recorded (and the person's right checked) first; Temporal's cancellation itself carries no
    payload, so a cancel sent straight to Temporal is Temporal's authorisation to refuse (docs/operations.md)."""
    await _control_request(client, pool, engagement, "cancel", user)
    master = handle(client, engagement)
    await master.cancel()
    try:
        await asyncio.wait_for(master.result(), wait_seconds)
    except WorkflowFailureError as err:
        if not isinstance(err.cause, CancelledError):
            return f"{engagement.name}: ended before the cancellation took effect: {root_message(err)}"
    except asyncio.TimeoutError:
        return (f"{engagement.name}: cancellation requested, but the engagement has not ended within "
                f"{wait_seconds:.0f} s (no worker runs, or it is busy); `status` shows when it has")
    else:
        return f"{engagement.name}: completed before the cancellation took effect"
    return f"{engagement.name}: cancelled; its data is kept, and `launch` starts it again"
