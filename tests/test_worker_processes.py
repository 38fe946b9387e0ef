"""Workers split by role: one workflow-only and two activity-only workers on one task queue share an
engagement's work; one activity worker killed mid-phase loses nothing, and the histories name who ran what."""
# ruff: noqa: F811  (the fixtures process_env and workers come from tests/test_worker_process.py)

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import PendingActivityState

from domain.vocabulary import PHASES
from runtime import engagement_control as control
from tests.conftest import make_engagement
from tests.flow_helpers import eventually
from tests.test_worker_process import _counts, finish_answering, process_env, undisturbed_counts, workers  # noqa: F401 (fixtures)
from tests.worker_history import (
    ROOT,
    engagement_workflow_ids,
    process_identity_prefix,
    start_worker,
    task_starts,
)
from workflows.ids import phase_workflow_id


async def test_three_workers_share_an_engagement_and_survive_a_killed_activity_worker(
    dev_env, app_pool, process_env, workers, tmp_path: Path
) -> None:
    file, expected = await undisturbed_counts(dev_env, app_pool, tmp_path)

    log = tmp_path / "workers.log"
    workflows = start_worker(process_env, log, "--workflows-only")
    first, second = (start_worker(process_env, log, "--activities-only") for _ in range(2))
    workers += [workflows, first, second]
    e = await make_engagement(app_pool)
    await control.launch(dev_env.client, app_pool, e.ref, [file], process_env["MIGRATION_TASK_QUEUE"],
                         auto_approve=PHASES)

    discovery = dev_env.client.get_workflow_handle(phase_workflow_id(e.ref.id, "discovery"))

    async def running_discovery_activity():
        """(activity type, identity) of a discovery activity an activity worker runs now."""
        try:
            pending = (await discovery.describe()).raw_description.pending_activities
        except Exception:  # noqa: BLE001 - the phase has not started yet
            return None
        return next(((p.activity_type.name, p.last_worker_identity) for p in pending
                     if p.state == PendingActivityState.PENDING_ACTIVITY_STATE_STARTED), None)

    killed_activity, killed_identity = await eventually(running_discovery_activity, "a discovery activity running")
    victim = next(p for p in (first, second) if killed_identity.startswith(process_identity_prefix(p)))
    victim.send_signal(signal.SIGKILL)
    assert victim.wait(10) == -signal.SIGKILL
    survivor = second if victim is first else first

    result = await finish_answering(dev_env, app_pool, e)
    assert result.status == "completed", log.read_text()[-3000:]
    assert await _counts(app_pool, e.ref) == expected

    starts = await task_starts(dev_env.client, await engagement_workflow_ids(dev_env.client, e.ref.id))
    by_identity = Counter((s.kind, s.identity) for s in starts)
    print("tasks per worker identity:", dict(by_identity))  # the report quotes it (pytest -s)
    # every workflow task ran on the workflow-only worker, every activity on an activity-only one: both of them
    workflow_identities = {s.identity for s in starts if s.kind == "workflow"}
    activity_identities = {s.identity for s in starts if s.kind == "activity"}
    assert len(workflow_identities) == 1, workflow_identities
    assert all(i.startswith(process_identity_prefix(workflows)) and i.endswith(" workflows")
               for i in workflow_identities), workflow_identities
    assert all(i.endswith(" activities") for i in activity_identities), activity_identities
    assert {i.split("@")[0] for i in activity_identities | {killed_identity}} == {str(first.pid), str(second.pid)}
    assert any(i.startswith(process_identity_prefix(survivor)) for i in activity_identities)
    # the activity in flight on the killed worker was retried, and completed, on the other one (a history records
    # the last attempt's start only: its attempt number and the failure of the attempt before)
    retried = [s for s in starts if s.workflow_id == discovery.id and s.name == killed_activity]
    assert len(retried) == 1, retried
    assert retried[0].identity.startswith(process_identity_prefix(survivor)) and retried[0].attempt > 1, retried
    assert "timeout" in retried[0].last_failure.lower(), retried[0]


async def test_a_workflow_only_worker_needs_no_database(dev_env, process_env, workers, tmp_path: Path) -> None:
    """It opens no pool: a database that cannot be reached does not stop it from serving."""
    log = tmp_path / "workflows.log"
    proc = start_worker(process_env, log, "--workflows-only", DATABASE_URL="postgresql://nobody:x@127.0.0.1:9/none",
                        LOG_LEVEL="INFO")
    workers.append(proc)
    async def started_or_ended() -> bool:
        return "worker started" in log.read_text() or proc.poll() is not None

    await eventually(started_or_ended, "the worker started")
    assert proc.poll() is None, log.read_text()
    record = next(json.loads(line) for line in log.read_text().splitlines() if "worker started" in line)
    assert record["role"] == "workflows" and record["identity"] == f"{proc.pid}@{socket.gethostname()} workflows"


@pytest.mark.parametrize(("args", "env", "code", "message"), [
    (["--workflows-only", "--activities-only"], {}, 2, "exclude each other"),
    (["--everything"], {}, 2, "No such option: --everything"),
    ([], {"MIGRATION_WORKER_ROLE": "both"}, 1, "MIGRATION_WORKER_ROLE: Input should be 'all', 'workflows' or"),
])
def test_bad_worker_usage_is_one_line(process_env, args: list[str], env: dict[str, str], code: int,
                                      message: str) -> None:
    result = subprocess.run([sys.executable, str(ROOT / "worker.py"), *args], env={**process_env, **env}, cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == code, result.stderr
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
