"""Helpers for tests about worker processes: the embedded dev server as the platform configures it, `worker.py` in
a role, and, from an engagement's workflow histories, which worker ran what in the order the server dispatched it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from uuid import UUID

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from runtime.embedded_temporal import EmbeddedTemporal
from runtime.temporal_client import connect_client
from tests.conftest import free_port
from workflows.ids import master_workflow_id

ROOT = Path(__file__).resolve().parent.parent


def start_worker(env: dict[str, str], log: Path, *flags: str, **overrides: str) -> subprocess.Popen:
    """`worker.py` with `flags` (e.g. --activities-only) as its own process, the environment `env` with
    `overrides`, its output appended to `log`."""
    return subprocess.Popen([sys.executable, str(ROOT / "worker.py"), *flags], env={**env, **overrides}, cwd=ROOT,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT)


def process_identity_prefix(proc: subprocess.Popen) -> str:
    """The start of the identity the worker process `proc` gives Temporal (worker.worker_identity)."""
    return f"{proc.pid}@"


@dataclass(frozen=True)
class TaskStart:
    """A workflow or activity task a worker took, as the history records it."""

    workflow_id: str
    kind: str  # "workflow" or "activity"
    name: str  # the activity type, or the workflow type for a workflow task
    identity: str
    time: datetime
    attempt: int
    build_id: str | None  # the worker version a workflow task ran on, when versioned (from its completion)
    last_failure: str = ""  # why the attempt before this one failed (an activity retried)


async def engagement_workflow_ids(client: Client, engagement_id: UUID | str) -> list[str]:
    """The master workflow of the engagement and every phase and wave workflow under it."""
    master = master_workflow_id(engagement_id)
    return [wf.id async for wf in client.list_workflows(f"WorkflowId STARTS_WITH '{master}'")]


async def task_starts(client: Client, workflow_ids: list[str]) -> list[TaskStart]:
    """Every workflow and activity task started in the workflows (all runs), ordered by the time it started."""
    found: list[TaskStart] = []
    for workflow_id in workflow_ids:
        history = await client.get_workflow_handle(workflow_id).fetch_history()
        workflow_type, scheduled = "", {}
        for event in history.events:
            if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
                workflow_type = event.workflow_execution_started_event_attributes.workflow_type.name
            elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
                scheduled[event.event_id] = event.activity_task_scheduled_event_attributes.activity_type.name
            elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
                attrs = event.activity_task_started_event_attributes
                found.append(TaskStart(workflow_id, "activity", scheduled[attrs.scheduled_event_id], attrs.identity,
                                       event.event_time.ToDatetime(), attrs.attempt, None,
                                       attrs.last_failure.message))
            elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED:
                attrs = event.workflow_task_started_event_attributes
                found.append(TaskStart(workflow_id, "workflow", workflow_type, attrs.identity,
                                       event.event_time.ToDatetime(), 1, None))
            elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
                attrs = event.workflow_task_completed_event_attributes
                build = attrs.deployment_version.build_id or None
                if build and found and found[-1].kind == "workflow" and found[-1].workflow_id == workflow_id:
                    found[-1] = replace(found[-1], build_id=build)
    return sorted(found, key=lambda start: start.time)


@asynccontextmanager
async def embedded_temporal(root: Path) -> AsyncIterator[Client]:
    """The embedded dev server under `root` exactly as `starter.py dev up` starts it (its dynamic config included),
    on free ports; yields a client of it and stops it afterwards."""
    server = EmbeddedTemporal(root, free_port(), free_port(), "default")
    server.ensure_running()
    try:
        yield await connect_client(server.address, "default")
    finally:
        server.stop()
