"""The maintenance schedules: created or updated at worker start-up, listed and triggered by `ops schedules`.

One Temporal Schedule per maintenance workflow (workflows/maintenance.py), id `maintenance-<name>`; each run is a
workflow `maintenance-<name>-<time>` on the worker's task queue. A run that would overlap the previous one is
skipped, and missed runs are not caught up beyond an hour (the next one does the same work).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleUpdate,
    WorkflowExecutionStatus,
)
from temporalio.service import RPCError, RPCStatusCode

from domain.maintenance import ArchiveInput, LogRetention, PartitionsInput, RetentionInput
from runtime.settings import Settings
from workflows.maintenance import (
    MaintenanceArchiveWorkflow,
    MaintenancePartitionsWorkflow,
    MaintenanceRetentionWorkflow,
)

SCHEDULE_NAMES = ("partitions", "retention", "archive")
CATCHUP_WINDOW = timedelta(hours=1)


class ScheduleError(ValueError):
    """A schedule name that is not one of ours, a schedule not created yet, or a caller who may not run one."""


@dataclass(frozen=True)
class ScheduleView:
    name: str
    spec: str  # the cron expression
    last_run: datetime | None
    last_result: str | None  # the last run's workflow status (running, completed, failed ..., expired) and id
    next_run: datetime | None


def schedule_id(name: str) -> str:
    return f"maintenance-{name}"


def maintenance_schedules(settings: Settings) -> dict[str, Schedule]:
    """The schedules as the settings describe them, by name: cron spec (UTC) and the run's input."""
    runs = {
        "partitions": (settings.schedule_partitions, MaintenancePartitionsWorkflow.run,
                       PartitionsInput(months_ahead=settings.partition_months_ahead,
                                       weeks_ahead=settings.partition_weeks_ahead)),
        "retention": (settings.schedule_retention, MaintenanceRetentionWorkflow.run,
                      RetentionInput(defaults=LogRetention(llm_usage_log=settings.retention_llm_usage_days,
                                                           agent_task_history=settings.retention_agent_tasks_days,
                                                           security_audit_logs=settings.retention_audit_days),
                                     export_dir=str(settings.retention_export_dir)
                                     if settings.retention_export_dir else None)),
        "archive": (settings.schedule_archive, MaintenanceArchiveWorkflow.run,
                    ArchiveInput(archive_after_days=settings.archive_after_days)),
    }
    return {
        name: Schedule(
            action=ScheduleActionStartWorkflow(run, arg, id=schedule_id(name), task_queue=settings.task_queue),
            spec=ScheduleSpec(cron_expressions=[cron]),
            policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=CATCHUP_WINDOW),
        )
        for name, (cron, run, arg) in runs.items()
    }


async def ensure_schedules(client: Client, settings: Settings) -> None:
    """Create the schedules, or bring existing ones to the settings' spec and input (idempotent); an existing
    schedule keeps its state (paused or not, and its note)."""
    for name, schedule in maintenance_schedules(settings).items():
        try:
            await client.create_schedule(schedule_id(name), schedule)
        except ScheduleAlreadyRunningError:
            await client.get_schedule_handle(schedule_id(name)).update(
                lambda current, schedule=schedule: ScheduleUpdate(
                    schedule=replace(schedule, state=current.description.schedule.state)))


def checked_name(name: str) -> str:
    if name not in SCHEDULE_NAMES:
        raise ScheduleError(f"no schedule {name!r}; the schedules are {', '.join(SCHEDULE_NAMES)}")
    return name


async def describe_schedules(client: Client) -> list[ScheduleView]:
    """Each schedule's spec, last run (time and the status of its workflow) and next run."""
    views = []
    for name in SCHEDULE_NAMES:
        try:
            described = await client.get_schedule_handle(schedule_id(name)).describe()
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND:
                raise
            raise ScheduleError(f"schedule {schedule_id(name)} does not exist yet: a worker creates the schedules "
                                "when it starts") from None
        last_run = last_result = None
        if described.info.recent_actions:
            last = described.info.recent_actions[-1]
            last_run = last.started_at
            action = last.action
            last_result = await _run_result(client, action.workflow_id, action.first_execution_run_id)
        upcoming = described.info.next_action_times
        views.append(ScheduleView(name, cron_text(described.schedule.spec), last_run, last_result,
                                  upcoming[0] if upcoming else None))
    return views


async def _run_result(client: Client, workflow_id: str, run_id: str) -> str:
    """A run's workflow status and id; "expired" once its workflow is past the namespace's retention."""
    try:
        run = await client.get_workflow_handle(workflow_id, run_id=run_id).describe()
    except RPCError as err:
        if err.status != RPCStatusCode.NOT_FOUND:
            raise
        return f"expired ({workflow_id})"
    status = run.status or WorkflowExecutionStatus.RUNNING
    return f"{status.name.lower()} ({workflow_id})"


def cron_text(spec: ScheduleSpec) -> str:
    """A schedule's spec as cron text: the server keeps a cron expression as calendars, which read back as one."""
    if spec.cron_expressions:
        return " | ".join(spec.cron_expressions)
    return " | ".join(" ".join(_ranges_text(ranges, full) for ranges, full in (
        (c.minute, None), (c.hour, None), (c.day_of_month, (1, 31)), (c.month, (1, 12)), (c.day_of_week, (0, 6))))
        for c in spec.calendars)


def _ranges_text(ranges: Sequence[ScheduleRange], full: tuple[int, int] | None) -> str:
    spans = [(r.start, max(r.start, r.end), r.step) for r in ranges]
    if full is not None and len(spans) == 1 and spans[0][:2] == full and spans[0][2] <= 1:
        return "*"
    return ",".join((str(start) if end == start else f"{start}-{end}") + (f"/{step}" if step > 1 else "")
                    for start, end, step in spans)


async def trigger_schedule(client: Client, name: str) -> None:
    """Start a run of the schedule now (skipped if one is still running)."""
    try:
        await client.get_schedule_handle(schedule_id(checked_name(name))).trigger()
    except RPCError as err:
        if err.status != RPCStatusCode.NOT_FOUND:
            raise
        raise ScheduleError(f"schedule {schedule_id(name)} does not exist yet: a worker creates the schedules "
                            "when it starts") from None
