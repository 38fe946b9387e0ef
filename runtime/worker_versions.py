"""The worker deployment's versions as an operator upgrading workers needs them (docs/operations.md, "Upgrading
workers"): which build is current or ramping, and how many workflows still run on each, so a build whose count is
zero can have its workers stopped."""

from __future__ import annotations

from dataclasses import dataclass

from temporalio.api.enums.v1 import VersionDrainageStatus, WorkerDeploymentVersionStatus
from temporalio.api.workflowservice.v1 import DescribeWorkerDeploymentRequest
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from runtime.engagement_control import ControlError


class NoDeploymentError(ControlError):
    """The server knows no worker deployment of that name: the workers run unversioned."""


@dataclass(frozen=True)
class VersionState:
    build_id: str
    status: str  # current, ramping, draining, drained, inactive (never current) or created
    ramp_percentage: float | None  # for the ramping version
    running: int  # workflows running on it (engagements, their phases and waves, maintenance runs)


async def running_on(client: Client, deployment: str, build_id: str) -> int:
    """How many workflows run pinned to `deployment`'s version `build_id`."""
    query = f"TemporalWorkerDeploymentVersion = '{deployment}:{build_id}' AND ExecutionStatus = 'Running'"
    return (await client.count_workflows(query)).count


async def deployment_versions(client: Client, deployment: str) -> list[VersionState]:
    """Every version of `deployment` the server knows, newest first."""
    try:
        described = await client.workflow_service.describe_worker_deployment(
            DescribeWorkerDeploymentRequest(namespace=client.namespace, deployment_name=deployment))
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise NoDeploymentError(
                f"no worker deployment {deployment!r} on this Temporal: workers are versioned only with "
                "MIGRATION_WORKER_BUILD_ID set (and MIGRATION_WORKER_DEPLOYMENT naming the same deployment)") from None
        raise
    info = described.worker_deployment_info
    ramp = info.routing_config.ramping_version_percentage
    summaries = sorted(info.version_summaries, key=lambda v: v.create_time.ToDatetime(), reverse=True)
    return [VersionState(
        build_id=v.deployment_version.build_id,
        status=_status(v.status, v.drainage_status),
        ramp_percentage=ramp if v.status == WorkerDeploymentVersionStatus.WORKER_DEPLOYMENT_VERSION_STATUS_RAMPING
        else None,
        running=await running_on(client, deployment, v.deployment_version.build_id),
    ) for v in summaries]


def _status(status: int, drainage: int) -> str:
    name = WorkerDeploymentVersionStatus.Name(status).removeprefix("WORKER_DEPLOYMENT_VERSION_STATUS_").lower()
    if name in ("unspecified", "inactive") and drainage != VersionDrainageStatus.VERSION_DRAINAGE_STATUS_UNSPECIFIED:
        return VersionDrainageStatus.Name(drainage).removeprefix("VERSION_DRAINAGE_STATUS_").lower()
    return name
