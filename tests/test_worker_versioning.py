"""Worker versioning on the embedded dev server: an engagement pinned to the build it started on finishes there
while the deployment's current version moves to a new build, on which new engagements start; then the old build
drains. The versions are moved with the `temporal worker deployment` commands docs/operations.md gives."""
# ruff: noqa: F811  (the fixtures process_env and workers come from tests/test_worker_process.py)

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import VersioningBehavior
from temporalio.client import Client

from runtime import engagement_control as control
from runtime.answer_steps import answer_until
from runtime.embedded_temporal import temporal_binary
from tests.conftest import TestDatabase, give_login, make_engagement
from tests.flow_helpers import eventually, inventory_file, run_starter, wait_for
from tests.test_worker_process import process_env, workers  # noqa: F401 (fixtures)
from tests.worker_history import (
    embedded_temporal,
    engagement_workflow_ids,
    start_worker,
    task_starts,
)


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[Client]:
    async with embedded_temporal(tmp_path / "temporal") as client:
        yield client


def deployment_command(client: Client, *args: str) -> subprocess.CompletedProcess[str]:
    """`temporal worker deployment ARGS` against the test's server, as an operator runs it."""
    return subprocess.run([str(temporal_binary()), "worker", "deployment", *args,
                           "--address", client.service_client.config.target_host], capture_output=True, text=True,
                          timeout=60)


async def set_current(client: Client, deployment: str, build_id: str) -> None:
    """Make `build_id` the deployment's current version, once its workers have polled (the server refuses a version
    it has seen no poller of)."""
    async def done() -> bool:
        result = deployment_command(client, "set-current-version", "--deployment-name", deployment,
                                    "--build-id", build_id, "--yes")
        return result.returncode == 0
    await eventually(done, f"{deployment}:{build_id} current", timeout=60)


async def ops_workers(env: dict[str, str]) -> dict[str, tuple[str, int]]:
    """`starter.py ops workers --json`: build id -> (status, workflows running on it)."""
    code, out, err = await run_starter(env, "ops", "workers", "--json")
    assert code == 0, err
    return {v["build_id"]: (v["status"], v["running"]) for v in json.loads(out)["versions"]}


async def running_on(client: Client, deployment: str, build_id: str) -> list[str]:
    """The workflows running on a version: what an operator asks before stopping its workers."""
    query = f"TemporalWorkerDeploymentVersion = '{deployment}:{build_id}' AND ExecutionStatus = 'Running'"
    return [wf.id async for wf in client.list_workflows(query)]


async def versioning(client: Client, workflow_id: str) -> tuple[str, int]:
    """(build id, versioning behavior) the server keeps for a running workflow."""
    info = (await client.get_workflow_handle(workflow_id).describe()).raw_description.workflow_execution_info
    return info.versioning_info.deployment_version.build_id, info.versioning_info.behavior


async def test_a_pinned_engagement_finishes_on_its_build_while_new_ones_start_on_the_current_one(
    server: Client, migrated_db: TestDatabase, app_pool, process_env, workers, tmp_path: Path
) -> None:
    deployment = f"tests-{uuid.uuid4().hex[:8]}"
    env = process_env | dict(TEMPORAL_ADDRESS=server.service_client.config.target_host,
                             MIGRATION_TASK_QUEUE=f"versions-{uuid.uuid4().hex[:8]}",
                             MIGRATION_WORKER_DEPLOYMENT=deployment)
    queue, log = env["MIGRATION_TASK_QUEUE"], tmp_path / "workers.log"
    file = inventory_file(tmp_path, 30)
    v1 = start_worker(env, log, MIGRATION_WORKER_BUILD_ID="v1")
    workers.append(v1)
    await set_current(server, deployment, "v1")

    a = await make_engagement(app_pool)
    await control.launch(server, app_pool, a.ref, [file], queue, auto_approve=("assessment", "planning", "execution"))
    await wait_for(server, a.ref, lambda st: st.awaiting_approval == "discovery", timeout=180)

    v2 = start_worker(env, log, MIGRATION_WORKER_BUILD_ID="v2")
    workers.append(v2)
    await set_current(server, deployment, "v2")
    b = await make_engagement(app_pool)
    await control.launch(server, app_pool, b.ref, [file], queue)
    await wait_for(server, b.ref, lambda st: st.awaiting_approval == "discovery", timeout=180)
    pinned = VersioningBehavior.VERSIONING_BEHAVIOR_PINNED
    assert await versioning(server, control.handle(server, a.ref).id) == ("v1", pinned)
    assert await versioning(server, control.handle(server, b.ref).id) == ("v2", pinned)

    assert await running_on(server, deployment, "v1") == [control.handle(server, a.ref).id]
    operator = env | await give_login(migrated_db, admin=True) | {"MIGRATION_DATA_DIR": str(tmp_path / "data")}
    assert await ops_workers(operator) == {"v2": ("current", 1), "v1": ("draining", 1)}
    await control.approve(server, app_pool, a.ref, "discovery", a.owner_id)
    done = asyncio.Event()
    answering = asyncio.create_task(answer_until(server, app_pool, a.ref, a.owner_id, done))
    try:
        result = await asyncio.wait_for(control.handle(server, a.ref).result(), 300)
    finally:
        done.set()
        await answering
    assert result.status == "completed", log.read_text()[-3000:]

    a_starts = await task_starts(server, await engagement_workflow_ids(server, a.ref.id))
    b_starts = await task_starts(server, await engagement_workflow_ids(server, b.ref.id))
    a_builds = {s.identity.rsplit("build=", 1)[1] for s in a_starts}
    b_builds = {s.identity.rsplit("build=", 1)[1] for s in b_starts}
    print("engagement A ran on", sorted(a_builds), "in", len({s.workflow_id for s in a_starts}), "workflows;",
          "B on", sorted(b_builds))
    assert a_builds == {"v1"}, "every workflow and activity task of A, before and after the move, ran on v1"
    assert b_builds == {"v2"}
    assert {s.build_id for s in a_starts if s.kind == "workflow"} == {"v1"}
    assert {s.workflow_id.rsplit("/", 1)[-1] for s in a_starts} >= {"discovery", "assessment", "planning",
                                                                     "execution"}

    # v1 drains: nothing runs on it any more; its workers may stop
    async def drained() -> bool:
        return not await running_on(server, deployment, "v1")
    await eventually(drained, "no workflow running on v1", timeout=60)
    described = deployment_command(server, "describe-version", "--deployment-name", deployment, "--build-id", "v1")
    assert described.returncode == 0, described.stderr
    print(described.stdout)
    assert (await ops_workers(operator))["v1"][1] == 0
    code, table, err = await run_starter(operator, "ops", "workers")
    assert code == 0 and "v2" in table and "current" in table, err
    v1.send_signal(signal.SIGTERM)
    assert v1.wait(60) == 0
    code, _, err = await run_starter(operator | {"MIGRATION_WORKER_DEPLOYMENT": "elsewhere"}, "ops", "workers")
    assert code == 1 and "no worker deployment 'elsewhere'" in err and len(err.strip().splitlines()) == 1, err
    await control.approve(server, app_pool, b.ref, "discovery", b.owner_id)
    await wait_for(server, b.ref, lambda st: st.awaiting_approval == "assessment", timeout=180)
