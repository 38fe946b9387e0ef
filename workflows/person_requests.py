"""Decisions act as the person the database says asked for them, never as a person an update names.

A person's CLI records what they ask (approve, reject, roll back, pause, resume, a mapping review) in
`person_requests` under their own login, where row-level security checks their right; the update or signal
then carries only the request's id. Before acting, a workflow has the worker verify the request (what it asks,
of which engagement, by whom, their role now, its age) and claim it for the workflow run, and acts as the person
and on what the request records (comment, reason, corrections, phases to approve), not on what the update
repeats. Each request acts once, in one run.
Behind a patch, so histories recorded before replay as they ran.
"""

from __future__ import annotations

from uuid import UUID

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, ApplicationErrorCategory

with workflow.unsafe.imports_passed_through():
    from activities.engagement_context import EngagementActivities
    from domain.flow_contracts import Phase, RequestCheck, Tenant, VerifiedRequest
    from workflows.activity_options import TRANSITION_OPTIONS

PATCH = "verified-person-requests"


def verification_applies() -> bool:
    """Whether this run verifies person requests (every run started since the patch)."""
    return workflow.patched(PATCH)


def refused(message: str) -> ApplicationError:
    """A request refused: answered to whoever sent it, and never a failure of the workflow."""
    return ApplicationError(message, type="RequestRefused", non_retryable=True,
                            category=ApplicationErrorCategory.BENIGN)


def this_run() -> str:
    """The claimant of the requests this workflow run acts on: its id and run id."""
    info = workflow.info()
    return f"{info.workflow_id}/{info.run_id}"


def parent_run() -> str:
    """The claimant of a phase child's requests: its master's run, which verified them first."""
    parent = workflow.info().parent
    assert parent is not None, "a phase runs as a child of its master"
    return f"{parent.workflow_id}/{parent.run_id}"


async def verified_request(tenant: Tenant, request_id: UUID | None, kind: str, phase: Phase | None,
                           used: set[UUID], claimant: str) -> VerifiedRequest:
    """The recorded request, once the database confirms it and claims it for `claimant`; `used` holds the
    requests this workflow has acted on (each acts once)."""
    if request_id is None:
        raise refused(f"a request to {kind.replace('_', ' ')} must name the person's recorded request; "
                      "use the CLI")
    if request_id in used:
        raise refused(f"request {request_id} has been acted on already; ask again")
    used.add(request_id)
    try:
        return await workflow.execute_activity_method(
            EngagementActivities.verify_person_request,
            RequestCheck(tenant=tenant, request_id=request_id, kind=kind, phase=phase, claimant=claimant),
            summary=f"verify {kind} request", **TRANSITION_OPTIONS,
        )
    except ActivityError as err:
        cause = err.cause
        raise refused(cause.message if isinstance(cause, ApplicationError) else str(err)) from None
