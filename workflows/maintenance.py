"""Maintenance workflows, started by Temporal Schedules (runtime/schedules.py) or by `ops schedules run NAME`.

Each run is one activity given the run's time (workflow.now(), so a time-skipping test controls it); the
activities are idempotent and the schedules skip a run while the previous one is still going.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.errors import BAD_INPUT
    from activities.maintenance import MaintenanceActivities
    from domain.maintenance import (
        ArchiveInput,
        ArchiveResult,
        PartitionsInput,
        PartitionsResult,
        RetentionInput,
        RetentionResult,
    )

# Long (a dropped partition may be exported first), heartbeating, retried until the database answers.
MAINTENANCE_OPTIONS = {
    "start_to_close_timeout": timedelta(hours=6),
    "heartbeat_timeout": timedelta(minutes=2),
    "retry_policy": RetryPolicy(initial_interval=timedelta(seconds=5), maximum_interval=timedelta(minutes=5),
                                maximum_attempts=10, non_retryable_error_types=[BAD_INPUT]),
}


@workflow.defn(name="MaintenancePartitionsWorkflow")
class MaintenancePartitionsWorkflow:
    """Create the log partitions ahead and move rows out of the default partitions."""

    @workflow.run
    async def run(self, inp: PartitionsInput) -> PartitionsResult:
        return await workflow.execute_activity_method(
            MaintenanceActivities.ensure_log_partitions, inp.model_copy(update={"now": workflow.now()}),
            **MAINTENANCE_OPTIONS)


@workflow.defn(name="MaintenanceRetentionWorkflow")
class MaintenanceRetentionWorkflow:
    """Drop (and export) log partitions older than every client's retention, then delete each client's old rows."""

    @workflow.run
    async def run(self, inp: RetentionInput) -> RetentionResult:
        return await workflow.execute_activity_method(
            MaintenanceActivities.apply_log_retention, inp.model_copy(update={"now": workflow.now()}),
            **MAINTENANCE_OPTIONS)


@workflow.defn(name="MaintenanceArchiveWorkflow")
class MaintenanceArchiveWorkflow:
    """Archive the engagements completed longer ago than their client's archive delay."""

    @workflow.run
    async def run(self, inp: ArchiveInput) -> ArchiveResult:
        return await workflow.execute_activity_method(
            MaintenanceActivities.archive_completed_engagements, inp.model_copy(update={"now": workflow.now()}),
            **MAINTENANCE_OPTIONS)


MAINTENANCE_WORKFLOWS = [MaintenancePartitionsWorkflow, MaintenanceRetentionWorkflow, MaintenanceArchiveWorkflow]
