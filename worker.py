"""The worker: polls the task queue and runs the workflows and activities.

Stateless: run as many as needed. Stops gracefully on SIGTERM/SIGINT (running activities finish or
are handed back to Temporal). Exposes Prometheus metrics when MIGRATION_METRICS_PORT is set.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Sequence
from datetime import timedelta

import structlog
from temporalio.client import Client
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.worker import Worker

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


def build_worker(client: Client, pool, task_queue: str) -> Worker:
    return Worker(
        client,
        task_queue=task_queue,
        workflows=WORKFLOWS,
        activities=activities_for(pool),
        graceful_shutdown_timeout=timedelta(seconds=30),
    )


async def run(settings: Settings) -> None:
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
    await ensure_schedules(client, settings)  # the maintenance schedules, created or brought to the settings
    pool = await create_pool(endpoints.database_url, max_size=10, origin=endpoints.database_origin)
    worker = build_worker(client, pool, settings.task_queue)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    log.info("worker started", task_queue=settings.task_queue, temporal=endpoints.temporal_address)
    try:
        async with worker:
            await stop.wait()
            log.info("shutting down: finishing running tasks")
    finally:
        await pool.close()
    log.info("worker stopped")


def main() -> None:
    """Run until SIGTERM/SIGINT; a setting or server it cannot use is one line and exit code 1, as in the CLI."""
    try:
        settings = get_settings()
        configure_logging(settings.log_format, settings.log_level)
        asyncio.run(run(settings))
        code = 0
    except BaseException as exc:  # noqa: BLE001 - every outcome becomes one line and an exit code
        code = report_failure(exc)
    exit_now(code)


if __name__ == "__main__":
    main()
