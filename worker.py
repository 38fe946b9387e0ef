"""The worker: polls the task queue and runs the workflows and activities.

Stateless: run as many as needed, all on one task queue; `--workflows-only` / `--activities-only` (or
MIGRATION_WORKER_ROLE) split the roles so each can be scaled on its own. With MIGRATION_WORKER_BUILD_ID set the
worker is versioned (MIGRATION_WORKER_DEPLOYMENT): an engagement stays pinned to the build it started on. Stops
gracefully on SIGTERM/SIGINT (running activities finish or are handed back to Temporal). Exposes Prometheus metrics
when MIGRATION_METRICS_PORT is set.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
from collections.abc import Sequence
from datetime import timedelta

import structlog
import typer
from temporalio.client import Client
from temporalio.common import VersioningBehavior, WorkerDeploymentVersion
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.worker import Worker, WorkerDeploymentConfig

from activities.agents import AgentActivities
from activities.assessment import AssessmentActivities
from activities.discovery import DiscoveryActivities
from activities.engagement_context import EngagementActivities
from activities.execution import ExecutionActivities
from activities.executors.config import ExecutorConfig
from activities.maintenance import MaintenanceActivities
from activities.mapping import MappingActivities
from activities.planning import PlanningActivities
from activities.runbooks import RunbookActionActivities, RunbookActivities, RunbookCloseActivities
from activities.transitions import TransitionActivities
from agents.config import agent_settings
from cli.common import exit_now, report_failure
from db.pool import create_pool
from domain.discovery.header_embedding import embedder_from_settings
from runtime.devstack import ensure_stack
from runtime.logging import configure_logging
from runtime.schedules import ensure_schedules
from runtime.settings import Settings, get_settings
from runtime.temporal_client import connect_client, ensure_search_attributes, tls_config
from workflows.maintenance import MAINTENANCE_WORKFLOWS
from workflows.master_flow import MasterFlowWorkflow
from workflows.phase_flows import PHASE_WORKFLOWS, WaveExecutionWorkflow
from workflows.wave_runbook import WaveRunbookWorkflow

WORKFLOWS = [MasterFlowWorkflow, *PHASE_WORKFLOWS.values(), WaveRunbookWorkflow, WaveExecutionWorkflow,
             *MAINTENANCE_WORKFLOWS]

log = structlog.get_logger("worker")


def activities_for(pool, executors: ExecutorConfig | None = None) -> Sequence:
    """Every activity, bound to one database pool; executors as the operator configured them (the environment's
    MIGRATION_EXECUTOR_COMMANDS and MIGRATION_EXECUTORS_FILE unless given)."""
    embedder = embedder_from_settings(get_settings().embedder)
    instances = [
        TransitionActivities(pool),
        EngagementActivities(pool),
        DiscoveryActivities(pool),
        MappingActivities(pool, embedder),
        AgentActivities(pool, embedder),
        AssessmentActivities(pool),
        PlanningActivities(pool),
        ExecutionActivities(pool),
        RunbookActivities(pool, executors or ExecutorConfig.from_environment()),
        RunbookActionActivities(pool),
        RunbookCloseActivities(pool),
        MaintenanceActivities(pool),
    ]
    return [
        getattr(instance, name)
        for instance in instances
        for name in dir(instance)
        if hasattr(getattr(instance, name), "__temporal_activity_definition")
    ]


def build_worker(client: Client, pool, task_queue: str, *, role: str = "all", identity: str | None = None,
                 deployment: WorkerDeploymentConfig | None = None) -> Worker:
    """A worker of `task_queue` running the workflows, the activities (bound to `pool`, unused for "workflows") or
    both, as `role` says; `identity` is what histories record of it; versioned when `deployment` is given."""
    return Worker(
        client,
        task_queue=task_queue,
        workflows=WORKFLOWS if role != "activities" else [],
        activities=activities_for(pool) if role != "workflows" else [],
        identity=identity,
        deployment_config=deployment,
        graceful_shutdown_timeout=timedelta(seconds=30),
        # Heartbeats reach the server at least every 10 s, not every 24 s (0.8 x the steps' 30 s heartbeat timeout):
        # with 24 s a worker stalled 6 s by a busy machine lost its step to a heartbeat timeout (bench/e2e at 100k).
        max_heartbeat_throttle_interval=timedelta(seconds=10),
    )


def worker_identity(role: str, build_id: str | None) -> str:
    """pid@host, role and build: the identity each workflow and activity task's history event names."""
    return f"{os.getpid()}@{socket.gethostname()} {role}" + (f" build={build_id}" if build_id else "")


def deployment_config(settings: Settings) -> WorkerDeploymentConfig | None:
    """Worker versioning, on only with a build id: engagements start on the deployment's current version and stay
    pinned to it (with their phases and waves) until they end, so a new build never replays an old engagement."""
    if settings.worker_build_id is None:
        return None
    return WorkerDeploymentConfig(
        version=WorkerDeploymentVersion(deployment_name=settings.worker_deployment,
                                        build_id=settings.worker_build_id),
        use_worker_versioning=True,
        default_versioning_behavior=VersioningBehavior.PINNED,
    )


async def run(settings: Settings, role: str) -> None:
    agent_settings()  # invalid agent settings stop the worker at start, in one line, not a crew later
    endpoints = await ensure_stack(settings)
    if settings.metrics_port:
        Runtime.set_default(
            Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=f"0.0.0.0:{settings.metrics_port}"))),
            error_if_already_set=True,
        )
    client = await connect_client(endpoints.temporal_address, endpoints.temporal_namespace,
                                  embedded=endpoints.embedded_temporal, tls=tls_config(settings))
    await ensure_search_attributes(client)
    if role != "activities":  # the maintenance schedules, created or brought to the settings
        await ensure_schedules(client, settings)
    pool = None
    if role != "workflows":  # workflows never touch the database: a workflow-only worker opens no pool
        pool = await create_pool(endpoints.database_url, max_size=settings.db_pool_size, origin=endpoints.database_origin,
                                 statement_cache_size=settings.db_statement_cache_size)
    identity = worker_identity(role, settings.worker_build_id)
    worker = build_worker(client, pool, settings.task_queue, role=role, identity=identity,
                          deployment=deployment_config(settings))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    log.info("worker started", role=role, identity=identity, task_queue=settings.task_queue,
             temporal=endpoints.temporal_address, deployment=settings.worker_deployment if settings.worker_build_id
             else None, build_id=settings.worker_build_id)
    try:
        async with worker:
            await stop.wait()
            log.info("shutting down: finishing running tasks")
    finally:
        if pool is not None:
            await pool.close()
    log.info("worker stopped")


cli = typer.Typer(add_completion=False)


@cli.command()
def serve(
    workflows_only: bool = typer.Option(False, "--workflows-only", help="Run the workflows only (no database pool)."),
    activities_only: bool = typer.Option(False, "--activities-only", help="Run the activities only."),
) -> None:
    """Run a worker until SIGTERM/SIGINT: workflows and activities, or one role (flags win over
    MIGRATION_WORKER_ROLE)."""
    if workflows_only and activities_only:
        raise typer.BadParameter("--workflows-only and --activities-only exclude each other: give one, or neither "
                                 "to run both roles")
    settings = get_settings()
    role = "workflows" if workflows_only else "activities" if activities_only else settings.worker_role
    configure_logging(settings.log_format, settings.log_level)
    asyncio.run(run(settings, role))


def main() -> None:
    """Run until SIGTERM/SIGINT; a bad flag, a setting or server it cannot use is one line and exit code 2 or 1, as in
    the CLI."""
    try:
        cli(standalone_mode=False, prog_name="worker.py")
        code = 0
    except BaseException as exc:  # noqa: BLE001 - every outcome becomes one line and an exit code
        code = report_failure(exc)
    exit_now(code)


if __name__ == "__main__":
    main()
