"""Wave runbooks run end to end against the real PostgreSQL and Temporal dev server, with real programs, a loopback
HTTP service and real ports: retries act once per idempotency key, failed checks hold successors until a person
skips them, an abandoned asset leaves the wave, an abort rolls completed steps back in reverse order, people are
notified, and a paused wave starts nothing until it is resumed.

Each engagement is small (one wave of eleven assets, rehost and replatform); every strategy runs the test's own
template, imported before launch as a person would (`runbook import`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from temporalio.service import RPCError

from activities.executors.config import Endpoint, ExecutorConfig
from db.runbook_templates import import_template
from domain.execution.templates import validate_template
from domain.vocabulary import PHASES, RUNBOOK_STRATEGIES
from runtime import engagement_control as control
from runtime import execution_control as execution
from tests.conftest import EngagementFixture, free_port, make_engagement
from tests.flow_helpers import eventually, one_wave_inventory, rows, running_worker
from workflows.ids import wave_workflow_id

SERVERS = 12  # inventory rows, all production: one wave of eleven assets (rehost, replatform) and a retired server

# A program of the commands directory: fails the first time it sees an idempotency key, then records its effect
# once per key; $1 the state directory.
FLAKY = """#!/bin/sh
name=$(printf %s "$MIGRATION_IDEMPOTENCY_KEY" | tr '/' '_')
if [ ! -e "$1/seen-$name" ]; then : > "$1/seen-$name"; echo "not yet" >&2; exit 1; fi
if [ ! -e "$1/done-$name" ]; then : > "$1/done-$name"; echo "$MIGRATION_IDEMPOTENCY_KEY" >> "$1/effects.log"; fi
echo "acted for $MIGRATION_IDEMPOTENCY_KEY"
"""
# Fails until the file $1/open exists, then records its call's key in $1/effects.log.
GATE = """#!/bin/sh
[ -e "$1/open" ] || { echo "the gate is closed" >&2; exit 1; }
echo "$MIGRATION_IDEMPOTENCY_KEY" >> "$1/effects.log"
"""
# Counts the calls running at once in $1 (mkdir is the lock) and records each call's count on arrival.
BUSY = """#!/bin/sh
lock() { while ! mkdir "$1/lock" 2>/dev/null; do sleep 0.01; done; }
lock "$1"; n=$(( $(cat "$1/now" 2>/dev/null || echo 0) + 1 )); echo $n > "$1/now"; echo $n >> "$1/arrivals"
rmdir "$1/lock"
sleep 0.3
lock "$1"; echo $(( $(cat "$1/now") - 1 )) > "$1/now"; rmdir "$1/lock"
"""
# Says it started ($1/started), then runs until $1/release exists (at most a minute).
BLOCK = """#!/bin/sh
echo "$MIGRATION_IDEMPOTENCY_KEY" >> "$1/started"
i=0; while [ ! -e "$1/release" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
"""
# Appends its first argument's step name and the call's key to the log $1.
LOG = """#!/bin/sh
echo "$2 $MIGRATION_IDEMPOTENCY_KEY" >> "$1"
"""


# ------------------------------------------------------------------------------------------------ helpers




RUNS = """
SELECT r.id, s.strategy, s.step_key, s.direction, s.scope, r.status, r.attempts, r.error, r.findings, r.output_excerpt,
       r.idempotency_key, r.asset_id, r.workload_key, r.started_at, r.next_attempt_at, r.completed_at, s.title
  FROM migration.step_runs r JOIN migration.runbook_steps s ON s.id = r.step_id
 WHERE s.step_key = $1 AND s.direction = $2
 ORDER BY r.completed_at, r.idempotency_key"""


async def step_runs(pool: asyncpg.Pool, e: EngagementFixture, step: str, direction: str = "forward"
                    ) -> list[dict[str, Any]]:
    return await rows(pool, e.ref, RUNS, step, direction)


async def all_in(pool: asyncpg.Pool, e: EngagementFixture, step: str, status: str,
                 direction: str = "forward") -> list[dict[str, Any]]:
    """The runs of `step`, once there are some and every one is in `status` (else an empty list)."""
    found = await step_runs(pool, e, step, direction)
    return found if found and all(r["status"] == status for r in found) else []


async def imported(pool: asyncpg.Pool, e: EngagementFixture, groups: list[dict[str, Any]]) -> None:
    """The same template, made each strategy's, imported by the engagement's owner."""
    for strategy in RUNBOOK_STRATEGIES:
        template = validate_template({"name": f"test-{strategy}", "strategy": strategy, "groups": groups})
        await import_template(pool, e.ref, template, e.owner_id)


@asynccontextmanager
async def executing(dev_env: Any, pool: asyncpg.Pool, tmp_path: Path, groups: list[dict[str, Any]],
                    executors: ExecutorConfig, *, answer_steps: bool = False, **execution_settings: Any
                    ) -> AsyncIterator[EngagementFixture]:
    """An engagement whose strategies run `groups` (its waves as soon as they may, with `execution_settings`),
    launched through execution with every phase auto-approved on a worker with `executors`; yields while the
    worker runs."""
    e = await make_engagement(pool, execution={"honour_planned_dates": False, **execution_settings})
    await imported(pool, e, groups)
    async with running_worker(dev_env.client, pool, answer_steps=answer_steps, executors=executors) as queue:
        await control.launch(dev_env.client, pool, e.ref, [one_wave_inventory(tmp_path, SERVERS)], queue,
                             auto_approve=PHASES, launched_by=e.owner_id)
        try:
            yield e
        finally:
            with contextlib.suppress(RPCError):  # ended already, or a test that failed left it waiting
                await control.handle(dev_env.client, e.ref).terminate("test over")


async def finished(dev_env: Any, e: EngagementFixture) -> Any:
    return await asyncio.wait_for(control.handle(dev_env.client, e.ref).result(), 120)


async def opened(dev_env: Any, e: EngagementFixture) -> Any:
    """What wave 1's workflow found at its first look, once it has its runbook open (it takes actions only then)."""
    handle = dev_env.client.get_workflow_handle(wave_workflow_id(e.ref.id, 1))
    return await eventually(lambda: handle.query("progress"), "wave 1's workflow has its runbook open")


async def act(dev_env: Any, pool: asyncpg.Pool, e: EngagementFixture, action: str, *, wait: bool = True,
              **options: Any) -> str:
    """A person's action through the CLI's runtime, as the engagement's owner, on wave 1 (once its workflow has
    its runbook open, unless not `wait`)."""
    if wait:
        await opened(dev_env, e)
    return await execution.act(dev_env.client, pool, e.ref, execution.action_request(action, 1, **options),
                               e.owner_id)


async def wave_assets(pool: asyncpg.Pool, e: EngagementFixture) -> dict[str, str]:
    return {str(r["id"]): r["migration_status"] for r in await rows(
        pool, e.ref, "SELECT id, migration_status FROM migration.assets WHERE wave_number = 1")}


def commands(tmp_path: Path, **programs: str) -> ExecutorConfig:
    directory = tmp_path / "commands"
    directory.mkdir()
    for name, body in programs.items():
        (directory / name).write_text(body)
        (directory / name).chmod(0o755)
    return ExecutorConfig(commands_dir=directory.resolve())


# --------------------------------------------------------------------------------------- a loopback service
@dataclass
class Hook:
    """A loopback HTTP service: answers 503 to the first `failures` requests of each Idempotency-Key, then 200,
    recording each request and each key's one effect."""

    failures: int = 0
    retry_after: str | None = None  # the Retry-After header of its 503 answers
    requests: list[dict[str, Any]] = field(default_factory=list)
    effects: Counter[str] = field(default_factory=Counter)
    port: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def answer(self, key: str, body: Any) -> int:
        with self.lock:
            seen = sum(1 for r in self.requests if r["key"] == key)
            self.requests.append({"key": key, "body": body})
            if seen < self.failures:
                return 503
            if not self.effects[key]:
                self.effects[key] += 1
            return 200


@pytest.fixture
def hook() -> Iterator[Hook]:
    service = Hook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            status = service.answer(self.headers.get("Idempotency-Key") or "", json.loads(raw) if raw else None)
            self.send_response(status)
            if status == 503 and service.retry_after is not None:
                self.send_header("Retry-After", service.retry_after)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"ok": true}' if status == 200 else b'{"error": "busy"}')

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    service.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield service
    server.shutdown()
    server.server_close()


# ----------------------------------------------------------------------------------------------------- tests
async def test_a_command_that_fails_then_succeeds_is_retried_and_acts_once_per_key(
        dev_env, app_pool, tmp_path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    groups = [{"name": "migrate", "scope": "asset", "steps": [
        {"key": "replicate", "title": "Replicate", "type": "automated", "executor": "command",
         "params": {"program": "flaky", "args": [str(state)]},
         "retry": {"max_attempts": 3, "initial_interval_seconds": 1}}]}]
    async with executing(dev_env, app_pool, tmp_path, groups, commands(tmp_path, flaky=FLAKY)) as e:
        await finished(dev_env, e)
    runs = await step_runs(app_pool, e, "replicate")
    assert len(runs) == 11
    assert {(r["status"], r["attempts"]) for r in runs} == {("completed", 2)}
    assert all("acted for" in r["output_excerpt"] for r in runs)
    effects = (state / "effects.log").read_text().splitlines()
    assert Counter(effects) == Counter({r["idempotency_key"] for r in runs})  # exactly one line per key
    assert set((await wave_assets(app_pool, e)).values()) == {"migrated"}


async def test_an_http_step_answered_503_twice_then_200_completes_with_one_effect_per_key(
        dev_env, app_pool, tmp_path, hook: Hook) -> None:
    hook.failures = 2
    groups = [{"name": "migrate", "scope": "asset", "steps": [
        {"key": "launch", "title": "Launch", "type": "automated", "executor": "http",
         "params": {"endpoint": "factory", "body": {"server": "${asset.name}"}}}]}]
    executors = ExecutorConfig(endpoints={"factory": Endpoint(url=hook.url, retry_initial_seconds=0.05,
                                                              retry_max_seconds=0.2)})
    async with executing(dev_env, app_pool, tmp_path, groups, executors) as e:
        await finished(dev_env, e)
    runs = await step_runs(app_pool, e, "launch")
    keys = {r["idempotency_key"] for r in runs}
    assert len(runs) == 11 and {r["status"] for r in runs} == {"completed"}
    assert Counter(r["key"] for r in hook.requests) == Counter({k: 3 for k in keys})  # 503, 503, 200 each
    assert hook.effects == Counter({k: 1 for k in keys})
    names = {r["body"]["server"] for r in hook.requests}
    assert len(names) == 11 and "" not in names


async def test_an_http_step_asked_to_retry_after_its_timeout_waits_at_least_that_long_then_runs_again(
        dev_env, app_pool, tmp_path, hook: Hook) -> None:
    hook.failures, hook.retry_after = 1, "6"
    groups = [{"name": "migrate", "scope": "asset", "steps": [
        {"key": "launch", "title": "Launch", "type": "automated", "executor": "http", "timeout_seconds": 3,
         "params": {"endpoint": "factory"}, "retry": {"max_attempts": 2, "initial_interval_seconds": 1}}]}]
    executors = ExecutorConfig(endpoints={"factory": Endpoint(url=hook.url)})
    async with executing(dev_env, app_pool, tmp_path, groups, executors) as e:
        waiting: dict[Any, dict[str, Any]] = {}  # each run as first seen waiting

        async def all_waited() -> bool:
            for run in await step_runs(app_pool, e, "launch"):
                if run["status"] == "waiting":
                    waiting.setdefault(run["id"], run)
            return len(waiting) == 11

        await eventually(all_waited, "each run waits to be retried")
        await finished(dev_env, e)
    assert {r["error"] for r in waiting.values()} == {
        "attempt 1 of 2: HTTP 503 Service Unavailable; the server asks to retry in 6 s, after this call's timeout"}
    # the next attempt was set 6 s after the answer (judged by the workflow's clock, a little behind the
    # database's): the server's wish, not the step's 1 s back-off
    assert all((r["next_attempt_at"] - r["started_at"]).total_seconds() >= 4.5 for r in waiting.values())
    runs = await step_runs(app_pool, e, "launch")
    keys = {r["idempotency_key"] for r in runs}
    assert {(r["status"], r["attempts"]) for r in runs} == {("completed", 2)}
    assert Counter(r["key"] for r in hook.requests) == Counter({k: 2 for k in keys})
    assert hook.effects == Counter({k: 1 for k in keys})


async def test_a_failed_blocker_check_holds_successors_until_skipped_and_an_abandoned_asset_leaves_the_wave(
        dev_env, app_pool, tmp_path) -> None:
    listener = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
    open_port = listener.sockets[0].getsockname()[1]
    closed_port, unwatched_port = free_port(), free_port()  # bound once, then released: nobody listens on them
    groups = [{"name": "migrate", "scope": "asset", "steps": [
        {"key": "preflight", "title": "Pre-flight", "type": "validation", "checks": [
            {"executor": "tcp_probe", "params": {"host": "127.0.0.1", "port": open_port}},
            {"executor": "tcp_probe", "params": {"host": "127.0.0.1", "port": closed_port}, "severity": "blocker"},
            {"executor": "tcp_probe", "params": {"host": "127.0.0.1", "port": unwatched_port},
             "severity": "warning"}]},
        {"key": "cutover", "title": "Cut over", "type": "automated", "executor": "command", "needs": ["preflight"],
         "params": {"program": "log", "args": [str(tmp_path / "cutover.log"), "cutover"]}}]}]
    try:
        async with executing(dev_env, app_pool, tmp_path, groups, commands(tmp_path, log=LOG)) as e:
            failed = await eventually(lambda: all_in(app_pool, e, "preflight", "failed"), "pre-flight failed")
            assert len(failed) == 11
            for run in failed:  # the blocker fails the step; the warning is only a finding
                assert run["error"].startswith(f"failed after 1 attempt: tcp_probe 127.0.0.1:{closed_port}: ")
                assert "more)" not in run["error"]
                findings = {(f["severity"], f["check"]) for f in run["findings"]}
                assert findings == {("info", f"tcp_probe 127.0.0.1:{open_port}"),
                                    ("blocker", f"tcp_probe 127.0.0.1:{closed_port}"),
                                    ("warning", f"tcp_probe 127.0.0.1:{unwatched_port}")}
            assert {r["status"] for r in await step_runs(app_pool, e, "cutover")} == {"not_started"}
            assert not (tmp_path / "cutover.log").exists()

            abandoned = str(failed[0]["asset_id"])
            name = (await rows(app_pool, e.ref, "SELECT name FROM migration.assets WHERE id = $1",
                               failed[0]["asset_id"]))[0]["name"]
            said = await act(dev_env, app_pool, e, "abandon", asset=name)
            assert said.startswith("abandoned 2 runs"), said
            said = await act(dev_env, app_pool, e, "skip", step="preflight", all_workloads=True,
                             reason="ports checked by hand")
            assert said.startswith("skipped 10 runs"), said
            await finished(dev_env, e)
    finally:
        listener.close()
    by_asset = defaultdict(set)
    for step in ("preflight", "cutover"):
        for run in await step_runs(app_pool, e, step):
            by_asset[str(run["asset_id"])].add((step, run["status"]))
    assert by_asset.pop(abandoned) == {("preflight", "abandoned"), ("cutover", "abandoned")}
    assert set(map(frozenset, by_asset.values())) == {frozenset({("preflight", "skipped"), ("cutover", "completed")})}
    assert len((tmp_path / "cutover.log").read_text().splitlines()) == 10
    assets = await wave_assets(app_pool, e)
    assert assets.pop(abandoned) == "skipped"
    assert set(assets.values()) == {"migrated"}
    assert (await rows(app_pool, e.ref, "SELECT status FROM migration.wave_runbooks"))[0]["status"] == "completed"


def logged(tmp_path: Path, step: str) -> dict[str, Any]:
    """An automated step that appends its name to rollback.log, compensated by one appending `undo_<step>`."""
    log = str(tmp_path / "rollback.log")
    return {"key": step, "title": step, "type": "automated", "executor": "command",
            "params": {"program": "log", "args": [log, step]},
            "rollback": {"key": f"undo_{step}", "title": f"undo {step}", "type": "automated", "executor": "command",
                         "params": {"program": "log", "args": [log, f"undo_{step}"]}}}


async def test_abort_rolls_completed_steps_back_in_reverse_order_and_the_wave_ends_rolled_back(
        dev_env, app_pool, tmp_path) -> None:
    groups = [
        {"name": "prepare", "scope": "wave", "steps": [logged(tmp_path, "prepare")]},
        {"name": "build", "scope": "asset", "steps": [logged(tmp_path, "copy"), {**logged(tmp_path, "launch"),
                                                                                  "needs": ["copy"]}]},
        {"name": "sign_off", "scope": "wave", "steps": [
            {"key": "hold", "title": "Hold", "type": "manual", "owner": "wave lead"}]},
    ]
    async with executing(dev_env, app_pool, tmp_path, groups, commands(tmp_path, log=LOG)) as e:
        await eventually(lambda: all_in(app_pool, e, "hold", "awaiting_person"), "the manual step waits")
        said = await act(dev_env, app_pool, e, "abort", reason="rehearsal of a rollback")
        assert "aborted" in said
        await finished(dev_env, e)
    forward = {s: await step_runs(app_pool, e, s) for s in ("prepare", "copy", "launch", "hold")}
    assert {r["status"] for s in ("prepare", "copy", "launch") for r in forward[s]} == {"completed"}
    assert {r["status"] for r in forward["hold"]} == {"abandoned"}

    # every completed forward step was compensated once (its compensation's key: the forward key + /rollback)
    compensations = {s: await step_runs(app_pool, e, s, "rollback") for s in ("prepare", "copy", "launch")}
    for step, runs in compensations.items():
        assert {r["status"] for r in runs} == {"completed"}
        assert sorted(r["idempotency_key"] for r in runs) == sorted(
            f"{r['idempotency_key']}/rollback" for r in forward[step])
    lines = (tmp_path / "rollback.log").read_text().splitlines()
    undo = [line.split(" ", 1) for line in lines if line.startswith("undo_")]
    assert len(undo) == len(lines) // 2 == sum(len(runs) for runs in compensations.values())
    # reverse order, in the log and in the database: per asset launch before copy, per strategy the wave's
    # prepare after all of its assets
    order = [(r["completed_at"], r["title"], r["idempotency_key"].rsplit("/", 1)[0])
             for runs in compensations.values() for r in runs]
    recorded = [(title.replace(" ", "_"), key) for _, title, key in sorted(order)]
    for sequence in (undo, recorded):
        position = {(step, key.split("/rollback")[0]): i for i, (step, key) in enumerate(sequence)}
        for run in forward["copy"]:
            launch = next(r for r in forward["launch"] if r["asset_id"] == run["asset_id"])
            assert position[("undo_launch", launch["idempotency_key"])] < position[("undo_copy",
                                                                                    run["idempotency_key"])]
        for prepare in forward["prepare"]:
            last_asset = max(i for (step, key), i in position.items()
                             if step != "undo_prepare" and f"/{prepare['strategy']}." in key)
            assert position[("undo_prepare", prepare["idempotency_key"])] > last_asset

    assert [r["status"] for r in await rows(app_pool, e.ref, "SELECT status FROM migration.wave_runbooks")] \
        == ["rolled_back"]
    assert [r["status"] for r in await rows(app_pool, e.ref, "SELECT status FROM migration.migration_waves")] \
        == ["rolled_back"]
    assert set((await wave_assets(app_pool, e)).values()) == {"rolled_back"}


async def test_people_are_notified_when_a_step_waits_for_them_and_when_the_wave_completes(
        dev_env, app_pool, tmp_path, hook: Hook) -> None:
    groups = [{"name": "sign_off", "scope": "wave", "steps": [
        {"key": "hold", "title": "Hold", "type": "manual", "owner": "wave lead"}]}]
    executors = ExecutorConfig(endpoints={"notifications": Endpoint(url=hook.url)})
    async with executing(dev_env, app_pool, tmp_path, groups, executors) as e:
        async def told_to_wait() -> list[dict[str, Any]]:
            return [r["body"] for r in hook.requests if r["body"]["kind"] == "waiting_for_person"]

        waiting = await eventually(told_to_wait, "a waiting_for_person notification")
        assert {(b["engagement"], b["wave"], b["owner"]) for b in waiting} == {(e.ref.name, 1, "wave lead")}
        await eventually(lambda: all_in(app_pool, e, "hold", "awaiting_person"), "the manual step waits")
        await act(dev_env, app_pool, e, "complete", step="hold", all_workloads=True, note="held")
        await finished(dev_env, e)  # the wave's workflow sent its notifications before it returned
    outbox = await rows(app_pool, e.ref, "SELECT kind, sent_at IS NOT NULL AS sent FROM migration.execution_notifications")
    assert sorted((r["kind"], r["sent"]) for r in outbox) == [("waiting_for_person", True)] * 2 + [
        ("wave_completed", True)]
    completed = [r["body"] for r in hook.requests if r["body"]["kind"] == "wave_completed"]
    assert [(b["engagement"], b["wave"], b["status"]) for b in completed] == [(e.ref.name, 1, "completed")]


async def advances_scheduled(dev_env: Any, e: EngagementFixture) -> int:
    """How many looks at the runbook the wave's workflow has scheduled so far."""
    handle = dev_env.client.get_workflow_handle(wave_workflow_id(e.ref.id, 1))
    count = 0
    async for event in handle.fetch_history_events():
        if event.HasField("activity_task_scheduled_event_attributes") and \
                event.activity_task_scheduled_event_attributes.activity_type.name == "execution.advance_runbook":
            count += 1
    return count


async def test_a_paused_wave_starts_nothing_until_it_is_resumed(dev_env, app_pool, tmp_path) -> None:
    log = tmp_path / "after.log"
    groups = [{"name": "migrate", "scope": "asset", "steps": [
        {"key": "confirm", "title": "Confirm", "type": "manual", "owner": "migration engineer"},
        {"key": "after", "title": "After", "type": "automated", "executor": "command", "needs": ["confirm"],
         "params": {"program": "log", "args": [str(log), "after"]}}]}]
    async with executing(dev_env, app_pool, tmp_path, groups, commands(tmp_path, log=LOG)) as e:
        await eventually(lambda: all_in(app_pool, e, "confirm", "awaiting_person"), "the manual step waits")
        assert "paused" in await act(dev_env, app_pool, e, "pause")
        looks = await advances_scheduled(dev_env, e)
        said = await act(dev_env, app_pool, e, "complete", step="confirm", all_workloads=True, note="done")
        assert said.startswith("completed 11 runs"), said
        # the update's answer was written with whatever the workflow did next: no look at the runbook was asked for
        assert await advances_scheduled(dev_env, e) == looks
        assert {r["status"] for r in await step_runs(app_pool, e, "after")} == {"not_started"}
        assert (await rows(app_pool, e.ref, "SELECT status FROM migration.wave_runbooks"))[0]["status"] == "paused"
        assert not log.exists()
        assert "resumed" in await act(dev_env, app_pool, e, "resume")
        await finished(dev_env, e)
    assert {r["status"] for r in await step_runs(app_pool, e, "after")} == {"completed"}
    assert len(log.read_text().splitlines()) == 11
    assert set((await wave_assets(app_pool, e)).values()) == {"migrated"}



async def test_a_failed_step_retried_by_a_person_runs_again_and_a_forced_retry_acts_under_a_new_key(
        dev_env, app_pool, tmp_path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    groups = [
        {"name": "deploy", "scope": "asset", "steps": [
            {"key": "deploy", "title": "Deploy", "type": "automated", "executor": "command",
             "params": {"program": "gate", "args": [str(state)]}, "retry": {"max_attempts": 1}}]},
        {"name": "sign_off", "scope": "wave", "steps": [
            {"key": "hold", "title": "Hold", "type": "manual", "owner": "wave lead"}]}]
    async with executing(dev_env, app_pool, tmp_path, groups, commands(tmp_path, gate=GATE)) as e:
        failed = await eventually(lambda: all_in(app_pool, e, "deploy", "failed"), "the deploy steps fail")
        assert {(r["attempts"], r["error"]) for r in failed} == {
            (1, "failed after 1 attempt: gate exit code 1: the gate is closed")}
        assert {r["status"] for r in await step_runs(app_pool, e, "hold")} == {"not_started"}
        (state / "open").touch()
        assert (await act(dev_env, app_pool, e, "retry", step="deploy", all_workloads=True)).startswith(
            "queued again 11 runs")
        await eventually(lambda: all_in(app_pool, e, "hold", "awaiting_person"), "the manual step waits")
        first = {str(r["asset_id"]): r["idempotency_key"] for r in await step_runs(app_pool, e, "deploy")}
        again = failed[0]
        name = (await rows(app_pool, e.ref, "SELECT name FROM migration.assets WHERE id = $1",
                           again["asset_id"]))[0]["name"]
        said = await act(dev_env, app_pool, e, "retry", step="deploy", asset=name, force=True)
        assert said.startswith("queued again 1 run"), said

        async def rerun() -> list[dict[str, Any]]:
            return [r for r in await step_runs(app_pool, e, "deploy")
                    if r["asset_id"] == again["asset_id"] and r["status"] == "completed"
                    and r["idempotency_key"].endswith("/2")]

        await eventually(rerun, "the forced retry completes")
        await act(dev_env, app_pool, e, "complete", step="hold", all_workloads=True)
        await finished(dev_env, e)
    runs = await step_runs(app_pool, e, "deploy")
    assert {r["status"] for r in runs} == {"completed"}
    effects = (state / "effects.log").read_text().splitlines()
    rerun_key = first[str(again["asset_id"])].rsplit("/", 1)[0] + "/2"
    assert Counter(effects) == Counter({*first.values(), rerun_key})  # each key once: 11 first runs, 1 re-run
    assert {r["idempotency_key"] for r in runs} == {*first.values(), rerun_key} - {first[str(again["asset_id"])]}


async def test_a_wave_runs_no_more_steps_at_once_than_its_workload_limit(dev_env, app_pool, tmp_path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    groups = [{"name": "copy", "scope": "asset", "steps": [
        {"key": "copy", "title": "Copy", "type": "automated", "executor": "command",
         "params": {"program": "busy", "args": [str(state)]}}]}]
    async with executing(dev_env, app_pool, tmp_path, groups, commands(tmp_path, busy=BUSY), workload_limit=2) as e:
        await finished(dev_env, e)
    assert {r["status"] for r in await step_runs(app_pool, e, "copy")} == {"completed"}
    arrivals = [int(n) for n in (state / "arrivals").read_text().split()]
    assert len(arrivals) == 11 and max(arrivals) <= 2


async def test_an_abort_of_a_paused_wave_waits_for_people_to_do_the_manual_compensations(
        dev_env, app_pool, tmp_path) -> None:
    groups = [
        {"name": "build", "scope": "asset", "steps": [{**logged(tmp_path, "copy"), "rollback": {
            "key": "restore", "title": "Restore the source", "type": "manual", "owner": "dba"}}]},
        {"name": "sign_off", "scope": "wave", "steps": [
            {"key": "hold", "title": "Hold", "type": "manual", "owner": "wave lead"}]}]
    async with executing(dev_env, app_pool, tmp_path, groups, commands(tmp_path, log=LOG)) as e:
        await eventually(lambda: all_in(app_pool, e, "hold", "awaiting_person"), "the manual step waits")
        await act(dev_env, app_pool, e, "pause")
        await act(dev_env, app_pool, e, "abort", reason="the window moved")
        restores = await eventually(lambda: all_in(app_pool, e, "copy", "awaiting_person", "rollback"),
                                    "the compensations wait for the dba")
        assert len(restores) == 11
        assert (await rows(app_pool, e.ref, "SELECT status FROM migration.wave_runbooks"))[0]["status"] == "rolling_back"
        said = await act(dev_env, app_pool, e, "complete", step="copy", all_workloads=True, note="restored")
        assert said.startswith("completed 11 runs"), said
        await finished(dev_env, e)
    assert {r["status"] for r in await step_runs(app_pool, e, "copy", "rollback")} == {"completed"}
    assert {r["status"] for r in await step_runs(app_pool, e, "hold")} == {"abandoned"}
    assert (await rows(app_pool, e.ref, "SELECT status FROM migration.wave_runbooks"))[0]["status"] == "rolled_back"
    assert set((await wave_assets(app_pool, e)).values()) == {"rolled_back"}


async def test_a_person_may_pause_a_wave_while_its_first_steps_run(dev_env, app_pool, tmp_path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    groups = [{"name": "copy", "scope": "asset", "steps": [
        {"key": "copy", "title": "Copy", "type": "automated", "executor": "command",
         "params": {"program": "block", "args": [str(state)]}}]}]
    async with executing(dev_env, app_pool, tmp_path, groups, commands(tmp_path, block=BLOCK)) as e:
        try:
            async def running() -> list[dict[str, Any]]:
                runs = await step_runs(app_pool, e, "copy")
                return [r for r in runs if r["status"] == "in_progress"] if (state / "started").exists() else []

            await eventually(running, "the first steps run")
            assert "paused" in await act(dev_env, app_pool, e, "pause", wait=False)
        finally:
            (state / "release").touch()
        assert "resumed" in await act(dev_env, app_pool, e, "resume")
        await finished(dev_env, e)
    assert {r["status"] for r in await step_runs(app_pool, e, "copy")} == {"completed"}


async def test_an_abandoned_asset_keeps_what_it_completed_and_an_abort_compensates_it(
        dev_env, app_pool, tmp_path) -> None:
    groups = [{"name": "build", "scope": "asset", "steps": [
        logged(tmp_path, "copy"),
        {"key": "confirm", "title": "Confirm", "type": "manual", "owner": "migration engineer", "needs": ["copy"]}]}]
    async with executing(dev_env, app_pool, tmp_path, groups, commands(tmp_path, log=LOG)) as e:
        waiting = await eventually(lambda: all_in(app_pool, e, "confirm", "awaiting_person"), "the manual step waits")
        name = (await rows(app_pool, e.ref, "SELECT name FROM migration.assets WHERE id = $1",
                           waiting[0]["asset_id"]))[0]["name"]
        await act(dev_env, app_pool, e, "abandon", asset=name)
        await act(dev_env, app_pool, e, "abort", reason="the window moved")
        await finished(dev_env, e)
    copies = {str(r["asset_id"]): r for r in await step_runs(app_pool, e, "copy")}
    assert copies[str(waiting[0]["asset_id"])]["status"] == "completed"  # it did copy: that stays recorded
    undone = {str(r["asset_id"]) for r in await step_runs(app_pool, e, "copy", "rollback") if r["status"] == "completed"}
    assert undone == set(copies)  # every copy made is undone, the abandoned asset's too


async def test_a_notify_step_and_a_failed_step_reach_the_webhook(dev_env, app_pool, tmp_path, hook: Hook) -> None:
    closed_port = free_port()
    groups = [
        {"name": "announce", "scope": "wave", "steps": [
            {"key": "announce", "title": "Announce", "type": "notify",
             "message": "wave ${wave.number} of ${engagement.name} starts"}]},
        {"name": "check", "scope": "wave", "steps": [
            {"key": "preflight", "title": "Pre-flight", "type": "validation", "checks": [
                {"executor": "tcp_probe", "params": {"host": "127.0.0.1", "port": closed_port}}]}]}]
    executors = ExecutorConfig(endpoints={"notifications": Endpoint(url=hook.url)})
    async with executing(dev_env, app_pool, tmp_path, groups, executors) as e:
        def told(kind: str) -> Callable[[], Awaitable[list[dict[str, Any]]]]:
            async def probe() -> list[dict[str, Any]]:
                return [r["body"] for r in hook.requests if r["body"]["kind"] == kind]
            return probe

        await eventually(told("notify_step"), "the notify step's notification")
        failures = await eventually(told("step_failed"), "the failed step's notification")
        await act(dev_env, app_pool, e, "skip", step="preflight", all_workloads=True, reason="checked by hand")
        await finished(dev_env, e)
        announced = await told("notify_step")()
    assert {(b["engagement"], b["wave"], b["message"]) for b in announced} == {
        (e.ref.name, 1, f"wave 1 of {e.ref.name} starts")}
    assert len(announced) == 2  # the wave's runbook holds each strategy's template: one announcement each
    assert {(b["status"], f"127.0.0.1:{closed_port}" in b["error"]) for b in failures} == {("failed", True)}
    assert Counter(r["key"] for r in hook.requests).most_common(1)[0][1] == 1  # each notification posted once
    runs = await step_runs(app_pool, e, "announce")
    assert {r["status"] for r in runs} == {"completed"}


async def test_failed_compensations_are_retried_or_skipped_by_people_until_the_wave_is_rolled_back(
        dev_env, app_pool, tmp_path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    groups = [
        {"name": "build", "scope": "asset", "steps": [{**logged(tmp_path, "copy"), "rollback": {
            "key": "remove_copy", "title": "Remove the copy", "type": "automated", "executor": "command",
            "params": {"program": "gate", "args": [str(state)]}, "retry": {"max_attempts": 1}}}]},
        {"name": "sign_off", "scope": "wave", "steps": [
            {"key": "hold", "title": "Hold", "type": "manual", "owner": "wave lead"}]}]
    async with executing(dev_env, app_pool, tmp_path, groups, commands(tmp_path, log=LOG, gate=GATE)) as e:
        await eventually(lambda: all_in(app_pool, e, "hold", "awaiting_person"), "the manual step waits")
        await act(dev_env, app_pool, e, "abort", reason="rehearsal")
        failed = await eventually(lambda: all_in(app_pool, e, "copy", "failed", "rollback"),
                                  "the compensations fail")
        assert len(failed) == 11 and all("the gate is closed" in r["error"] for r in failed)
        (state / "open").touch()
        name = (await rows(app_pool, e.ref, "SELECT name FROM migration.assets WHERE id = $1",
                           failed[0]["asset_id"]))[0]["name"]
        assert (await act(dev_env, app_pool, e, "retry", step="copy", asset=name)).startswith("queued again 1 run")
        retried = failed[0]["idempotency_key"]

        async def compensated() -> bool:
            return any(r["idempotency_key"] == retried and r["status"] == "completed"
                       for r in await step_runs(app_pool, e, "copy", "rollback"))

        await eventually(compensated, "the retried compensation completes")
        assert (await act(dev_env, app_pool, e, "skip", step="copy", all_workloads=True,
                          reason="removed by hand")).startswith("skipped 10 runs")
        await finished(dev_env, e)
    assert (state / "effects.log").read_text().splitlines() == [retried]
    assert Counter(r["status"] for r in await step_runs(app_pool, e, "copy", "rollback")) == Counter(
        {"skipped": 10, "completed": 1})
    assert (await rows(app_pool, e.ref, "SELECT status FROM migration.wave_runbooks"))[0]["status"] == "rolled_back"
    assert set((await wave_assets(app_pool, e)).values()) == {"rolled_back"}


async def test_a_step_a_person_completes_lets_its_successor_start_while_other_steps_still_run(
        dev_env, app_pool, tmp_path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    log = tmp_path / "after.log"
    groups = [
        {"name": "start", "scope": "wave", "steps": [
            {"key": "start", "title": "Start", "type": "manual", "owner": "wave lead"}]},
        {"name": "migrate", "scope": "asset", "steps": [
            {"key": "slow", "title": "Replicate", "type": "automated", "executor": "command",
             "params": {"program": "block", "args": [str(state)]}},
            {"key": "confirm", "title": "Confirm", "type": "manual", "owner": "migration engineer"},
            {"key": "after", "title": "After", "type": "automated", "executor": "command", "needs": ["confirm"],
             "params": {"program": "log", "args": [str(log), "after"]}}]}]
    async with executing(dev_env, app_pool, tmp_path, groups, commands(tmp_path, block=BLOCK, log=LOG),
                         workload_limit=20) as e:
        try:
            await eventually(lambda: all_in(app_pool, e, "start", "awaiting_person"), "the wave waits to start")
            await act(dev_env, app_pool, e, "complete", step="start", all_workloads=True)
            await eventually(lambda: all_in(app_pool, e, "confirm", "awaiting_person"), "the confirmations wait")
            await eventually(lambda: all_in(app_pool, e, "slow", "in_progress"), "the replications run")
            await act(dev_env, app_pool, e, "complete", step="confirm", all_workloads=True)
            # the replications block until released (a minute at most): the successors run meanwhile
            await eventually(lambda: all_in(app_pool, e, "after", "completed"), "the successors complete", timeout=15)
            assert {r["status"] for r in await step_runs(app_pool, e, "slow")} == {"in_progress"}
        finally:
            (state / "release").touch()
        await finished(dev_env, e)
    assert len(log.read_text().splitlines()) == 11
