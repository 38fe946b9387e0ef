"""A client's Temporal executions, for its erasure: found, terminated when running, deleted (workflow inputs,
memos, search attributes and histories go with them). The namespace's retention says how long a closed
execution's history is kept otherwise (docs/privacy.md)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DeleteWorkflowExecutionRequest, DescribeNamespaceRequest
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from domain.privacy import client_workflows_query


@dataclass(frozen=True)
class Execution:
    workflow_id: str
    run_id: str
    running: bool


async def client_executions(client: Client, client_id: UUID | None,
                            engagement_ids: Iterable[UUID]) -> list[Execution]:
    """Every execution (each run) of the client's engagements: masters, phases and waves (none when neither the
    client's id nor an engagement is known)."""
    query = client_workflows_query(client_id, engagement_ids)
    if not query:  # an empty query would list every execution of the namespace
        return []
    return [Execution(w.id, w.run_id, w.status == WorkflowExecutionStatus.RUNNING)
            async for w in client.list_workflows(query)]


async def terminate(client: Client, executions: Sequence[Execution], reason: str) -> int:
    """Terminate the running ones (a child ends with its master anyway); how many were terminated."""
    ended = 0
    for execution in executions:
        if not execution.running:
            continue
        try:
            await client.get_workflow_handle(execution.workflow_id, run_id=execution.run_id).terminate(reason=reason)
            ended += 1
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND:  # closed meanwhile (a child with its master)
                raise
    return ended


async def delete(client: Client, executions: Sequence[Execution]) -> int:
    """Delete the executions with their histories; how many the server accepted (it deletes asynchronously)."""
    deleted = 0
    for execution in executions:
        try:
            await client.workflow_service.delete_workflow_execution(DeleteWorkflowExecutionRequest(
                namespace=client.namespace,
                workflow_execution=WorkflowExecution(workflow_id=execution.workflow_id, run_id=execution.run_id)))
            deleted += 1
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND:
                raise
    return deleted


async def retention(client: Client) -> timedelta | None:
    """How long the namespace keeps a closed execution's history (None: the server does not say)."""
    described = await client.workflow_service.describe_namespace(DescribeNamespaceRequest(namespace=client.namespace))
    period = described.config.workflow_execution_retention_ttl
    return period.ToTimedelta() if period.seconds or period.nanos else None
