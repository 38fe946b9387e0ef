"""Wave runbooks survive what weeks of running bring, against the real PostgreSQL and Temporal servers.

A worker process killed by SIGKILL while command steps run: the next worker runs them again with the same
idempotency keys, and the effect each key stands for exists exactly once. Timers of days and weeks, on the
time-skipping test server: a wave waits for its planned start and its cutover window two weeks ahead, and an
approval nobody answers is escalated when it expires, then approved, and the engagement completes.

Every strategy runs the test's own template, imported before launch (`runbook import`).
"""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from db.runbook_templates import import_template
from domain.execution.templates import validate_template
from domain.vocabulary import PHASES, RUNBOOK_STRATEGIES
from runtime import engagement_control as control
from runtime.answer_steps import answer_waiting_steps
from tests.conftest import EngagementFixture, make_engagement
from tests.flow_helpers import eventually, one_wave_inventory, rows, running_worker
from tests.test_worker_process import _start_worker, process_env, workers  # noqa: F401 (fixtures)
from workflows.ids import wave_workflow_id

DEADLINE = 180.0  # seconds any awaited state may take before the test fails
SERVERS = 12  # inventory rows, all production: one wave of eleven assets (rehost, replatform) and a retired server

# A program of the commands directory ($1: the state directory). One run of a key at a time (the killed worker's
# run goes on as an orphan); each run says it started; the first run of a key sleeps (the worker is killed
# meanwhile); the effect is recorded once per key, as a system that honours the idempotency key would.
ONCE_PER_KEY = """#!/bin/bash
set -eu
key="$MIGRATION_IDEMPOTENCY_KEY"
name=$(printf %s "$key" | tr '/' '_')
exec 9>"$1/lock-$name"
flock 9
echo "started $key" >> "$1/markers"
if [ ! -e "$1/slept-$name" ]; then : > "$1/slept-$name"; sleep 8; fi
grep -qxF -- "$key" "$1/ledger" 2>/dev/null || echo "$key" >> "$1/ledger"
echo "acted for $key"
"""

RUNS = """
SELECT r.status, r.attempts, r.idempotency_key, r.output_excerpt, r.escalated_at, b.cutover_start, b.cutover_end
  FROM migration.step_runs r
  JOIN migration.runbook_steps s ON s.id = r.step_id
  JOIN migration.wave_runbooks b ON b.id = r.runbook_id
 WHERE s.step_key = $1 AND s.direction = 'forward'
 ORDER BY r.idempotency_key"""






async def step_runs(pool: asyncpg.Pool, e: EngagementFixture, step: str) -> list[dict[str, Any]]:
    return await rows(pool, e.ref, RUNS, step)


async def imported(pool: asyncpg.Pool, e: EngagementFixture, groups: list[dict[str, Any]]) -> None:
    """The same template, made each strategy's, imported by the engagement's owner."""
    for strategy in RUNBOOK_STRATEGIES:
        template = validate_template({"name": f"test-{strategy}", "strategy": strategy, "groups": groups})
        await import_template(pool, e.ref, template, e.owner_id)


async def result_skipping_time(env: Any, e: EngagementFixture) -> Any:
    """The engagement's result, the test server skipping time while it is awaited (as for a workflow this client
    started; the engagement's was started by `control.launch`). Its long poll for the result ends empty after a
    while (the client says "No completion event found"): ask again, up to the deadline."""
    deadline = asyncio.get_running_loop().time() + DEADLINE
    while True:
        try:
            async with env.time_skipping_unlocked():
                return await asyncio.wait_for(control.handle(env.client, e.ref).result(),
                                              deadline - asyncio.get_running_loop().time())
        except RuntimeError as err:
            if "No completion event found" not in str(err):
                raise


def _started(markers: Path) -> Counter[str]:
    """How often each key's run started (the program's markers)."""
    if not markers.exists():
        return Counter()
    return Counter(line.removeprefix("started ") for line in markers.read_text().splitlines())


# ---------------------------------------------------------------------------------------------------- SIGKILL
@pytest.mark.parametrize("workload_limit", [
    pytest.param(20, id="every-run-in-flight"),
    pytest.param(4, id="more-runs-than-the-in-flight-limit"),
])
async def test_a_worker_killed_while_command_steps_run_reruns_them_with_their_keys_and_each_acts_once(
        dev_env, app_pool, process_env, workers, tmp_path: Path, workload_limit: int) -> None:  # noqa: F811
    commands, state = tmp_path / "commands", tmp_path / "state"
    commands.mkdir()
    state.mkdir()
    (commands / "replicate").write_text(ONCE_PER_KEY)
    (commands / "replicate").chmod(0o755)
    e = await make_engagement(app_pool, execution={"honour_planned_dates": False, "workload_limit": workload_limit})
    await imported(app_pool, e, [{"name": "migrate", "scope": "asset", "steps": [
        {"key": "replicate", "title": "Replicate", "type": "automated", "executor": "command",
         "params": {"program": "replicate", "args": [str(state)]},
         "retry": {"max_attempts": 5, "initial_interval_seconds": 1}}]}])
    env = {**process_env, "MIGRATION_EXECUTOR_COMMANDS": str(commands.resolve())}
    log = tmp_path / "workers.log"

    async def diagnosis() -> str:
        runs = await rows(app_pool, e.ref, "SELECT status, attempts, error, idempotency_key FROM migration.step_runs")
        return f"runs: {runs}; started: {_started(state / 'markers')}; workers' log: {log.read_text()[-3000:]}"

    async def running() -> Counter[str]:
        return _started(state / "markers")

    workers.append(_start_worker(env, log))
    await control.launch(dev_env.client, app_pool, e.ref, [one_wave_inventory(tmp_path, SERVERS)],
                         env["MIGRATION_TASK_QUEUE"], auto_approve=PHASES, launched_by=e.owner_id)
    try:
        await eventually(running, "a command step running", timeout=300)
    except AssertionError as err:
        pytest.fail(f"{err}; {await diagnosis()}")
    workers[0].send_signal(signal.SIGKILL)  # its programs run on as orphans
    workers[0].wait(10)
    marked = set(_started(state / "markers"))
    interrupted = {r["idempotency_key"] for r in await step_runs(app_pool, e, "replicate")
                   if r["status"] == "in_progress"}
    assert marked <= interrupted and len(interrupted) == min(workload_limit, SERVERS - 1), await diagnosis()
    workers.append(_start_worker(env, log))
    try:
        result = await asyncio.wait_for(control.handle(dev_env.client, e.ref).result(), 150)
    except TimeoutError:
        pytest.fail(f"the engagement did not complete; {await diagnosis()}")
    assert result.status == "completed", await diagnosis()

    runs = await step_runs(app_pool, e, "replicate")
    assert len(runs) == SERVERS - 1 and {r["status"] for r in runs} == {"completed"}, runs
    ledger = (state / "ledger").read_text().splitlines()
    assert Counter(ledger) == Counter(r["idempotency_key"] for r in runs)  # each run's effect exactly once
    by_key = {r["idempotency_key"]: r for r in runs}
    started = _started(state / "markers")
    for key in interrupted:  # run again by the new worker, under the same key
        assert by_key[key]["attempts"] >= 2, by_key[key]
    for key in marked:  # its program started again: the orphan and the new run took turns on the key's lock
        assert started[key] >= 2, (key, started)


# ------------------------------------------------------------------------------------------- time skipping
async def test_a_wave_waits_for_its_planned_start_and_its_cutover_window_two_weeks_ahead(
        time_env, app_pool, tmp_path: Path) -> None:
    today = (await time_env.get_current_time()).date()
    start = today + timedelta(days=1)  # the wave's planned start; it ends (its cutover window) 13 days later
    e = await make_engagement(app_pool, execution={"honour_planned_dates": True}, start_date=start)
    await imported(app_pool, e, [{"name": "cutover", "scope": "asset", "steps": [
        {"key": "cutover_window", "title": "Wait for the cutover window", "type": "wait", "until": "cutover_window"},
        {"key": "cutover", "title": "Cut over", "type": "automated", "executor": "dry_run",
         "needs": ["cutover_window"]}]}])
    async with running_worker(time_env.client, app_pool, answer_steps=False) as queue:
        await control.launch(time_env.client, app_pool, e.ref, [one_wave_inventory(tmp_path, SERVERS)], queue,
                             auto_approve=PHASES, launched_by=e.owner_id)
        result = await result_skipping_time(time_env, e)
        assert result.status == "completed", result
        [wave] = await rows(app_pool, e.ref, "SELECT wave_number, planned_start, planned_end FROM migration.migration_waves")
        described = await time_env.client.get_workflow_handle(wave_workflow_id(e.ref.id, wave["wave_number"])
                                                              ).describe()
    assert (wave["planned_start"], wave["planned_end"]) == (start, start + timedelta(days=13))
    assert described.start_time >= datetime.combine(start, time(), tzinfo=UTC)  # not before its planned start

    waits = await step_runs(app_pool, e, "cutover_window")
    assert len(waits) == SERVERS - 1 and {r["status"] for r in waits} == {"completed"}, waits
    window = datetime.combine(wave["planned_end"], time(20), tzinfo=UTC)  # cutover_hour_utc by default
    assert window - datetime.combine(today, time(), tzinfo=UTC) >= timedelta(days=14)  # two weeks ahead
    for run in waits:
        assert run["cutover_start"] == window, run
        waited = datetime.fromisoformat(run["output_excerpt"].removeprefix("waited until "))
        assert window <= waited < run["cutover_end"], run
    cutovers = await step_runs(app_pool, e, "cutover")
    assert len(cutovers) == SERVERS - 1 and {r["status"] for r in cutovers} == {"completed"}, cutovers


async def test_an_approval_nobody_answers_is_escalated_when_it_expires_then_approved(
        time_env, app_pool, tmp_path: Path) -> None:
    e = await make_engagement(app_pool)
    await imported(app_pool, e, [
        {"name": "decide", "scope": "wave", "steps": [
            {"key": "go_no_go", "title": "Go/no-go", "type": "approval", "expires_after_hours": 48,
             "escalate_to": "the steering board"}]},
        {"name": "migrate", "scope": "asset", "steps": [
            {"key": "cutover", "title": "Cut over", "type": "automated", "executor": "dry_run"}]}])

    async def escalations() -> list[dict[str, Any]]:
        return await rows(app_pool, e.ref, "SELECT kind, payload FROM migration.execution_notifications "
                                       "WHERE kind = 'approval_escalated'")

    async def pending() -> list[dict[str, Any]]:
        found = await step_runs(app_pool, e, "go_no_go")
        return found if found and all(r["status"] == "pending_approval" for r in found) else []

    async with running_worker(time_env.client, app_pool, answer_steps=False) as queue:
        await control.launch(time_env.client, app_pool, e.ref, [one_wave_inventory(tmp_path, SERVERS)], queue,
                             auto_approve=PHASES, launched_by=e.owner_id)
        waiting = await eventually(pending, "the go/no-go (one a strategy of the wave) waiting for approval",
                                   timeout=DEADLINE)
        # time stands still while the test polls: nothing has expired yet; then the 48 hours pass
        assert all(r["escalated_at"] is None for r in waiting) and not await escalations(), waiting
        await time_env.sleep(timedelta(hours=49))

        async def escalated() -> list[dict[str, Any]]:
            found = await step_runs(app_pool, e, "go_no_go")
            done = all(r["escalated_at"] is not None for r in found) and len(await escalations()) == len(found)
            return found if done else []

        runs = await eventually(escalated, "the expired approvals escalated, each once", timeout=DEADLINE)
        assert {r["status"] for r in runs} == {"pending_approval"}, runs  # still waiting for their approvers
        for note in await escalations():
            assert note["payload"]["status"] == "pending_approval", note
            assert "escalated" in note["payload"]["error"], note
        assert await answer_waiting_steps(time_env.client, app_pool, e.ref, e.owner_id) == 1
        result = await result_skipping_time(time_env, e)
    assert result.status == "completed", result
    decided = await step_runs(app_pool, e, "go_no_go")
    assert {r["status"] for r in decided} == {"completed"}, decided
    assert [r["escalated_at"] for r in decided] == [r["escalated_at"] for r in runs]  # escalated once
    cutovers = await step_runs(app_pool, e, "cutover")
    assert len(cutovers) == SERVERS - 1 and {r["status"] for r in cutovers} == {"completed"}, cutovers
