"""Real worker and CLI processes: a worker killed mid-phase loses and duplicates nothing, and a
person can run an engagement end to end through the CLI alone."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from db.pool import tenant_transaction
from domain.vocabulary import PHASES
from runtime import engagement_control as control
from runtime.answer_steps import answer_until
from tests.conftest import TestDatabase, free_port, give_login, make_engagement
from tests.flow_helpers import inventory_file, running_worker, wait_for

ROOT = Path(__file__).resolve().parent.parent

COUNTS = """
SELECT (SELECT count(*) FROM migration.assets) AS assets,
       (SELECT count(*) FROM migration.assets WHERE migration_status = 'migrated') AS migrated,
       (SELECT count(*) FROM migration.asset_dependencies) AS dependencies,
       (SELECT count(*) FROM migration.raw_import_records) AS raw_records,
       (SELECT count(*) FROM migration.migration_waves) AS waves,
       (SELECT count(*) FROM migration.migration_wave_assets) AS wave_assets
"""


@pytest.fixture
def process_env(dev_env, migrated_db: TestDatabase) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "TEMPORAL_", "MIGRATION_", "PG"))}
    env.update(
        DATABASE_URL=migrated_db.app_url,
        TEMPORAL_ADDRESS=dev_env.client.service_client.config.target_host,
        MIGRATION_TASK_QUEUE=f"proc-{uuid.uuid4().hex[:8]}",
        LOG_FORMAT="json",
        LOG_LEVEL="WARNING",
    )
    return env


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "worker.py")], env=env, cwd=ROOT,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT)


@pytest.fixture
def workers(process_env: dict[str, str], tmp_path: Path) -> Iterator[list[subprocess.Popen]]:
    started: list[subprocess.Popen] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(40)
            except subprocess.TimeoutExpired:
                proc.kill()


async def _counts(app_pool, ref) -> dict[str, int]:
    async with tenant_transaction(app_pool, ref.client_account_id, ref.id) as conn:
        return dict(await conn.fetchrow(COUNTS))


async def undisturbed_counts(dev_env, app_pool, tmp_path: Path) -> tuple[Path, dict[str, int]]:
    """The kill tests' inventory and the counts an engagement of it ends with when no worker dies."""
    file = inventory_file(tmp_path, 1500, seed=11)
    undisturbed = await make_engagement(app_pool)
    async with running_worker(dev_env.client, app_pool) as queue:
        await control.launch(dev_env.client, app_pool, undisturbed.ref, [file], queue, auto_approve=PHASES)
        await asyncio.wait_for(control.handle(dev_env.client, undisturbed.ref).result(), 300)
    return file, await _counts(app_pool, undisturbed.ref)


async def finish_answering(dev_env, app_pool, e):
    """Wait for the engagement's result while its owner answers the manual acceptance and go/no-go the waves'
    runbooks wait for."""
    done = asyncio.Event()
    answering = asyncio.create_task(answer_until(dev_env.client, app_pool, e.ref, e.owner_id, done))
    try:
        return await asyncio.wait_for(control.handle(dev_env.client, e.ref).result(), 400)
    finally:
        done.set()
        await answering


async def test_a_worker_killed_mid_phase_loses_and_duplicates_nothing(
    dev_env, app_pool, process_env, workers, tmp_path: Path
) -> None:
    file, expected = await undisturbed_counts(dev_env, app_pool, tmp_path)

    e = await make_engagement(app_pool)
    log = tmp_path / "workers.log"
    workers.append(_start_worker(process_env, log))
    await control.launch(dev_env.client, app_pool, e.ref, [file], process_env["MIGRATION_TASK_QUEUE"],
                         auto_approve=PHASES)
    await wait_for(dev_env.client, e.ref, lambda st: st.phase == "discovery" and st.step is not None, timeout=120)
    workers[0].send_signal(signal.SIGKILL)
    workers[0].wait(10)
    workers.append(_start_worker(process_env, log))
    result = await finish_answering(dev_env, app_pool, e)
    assert result.status == "completed", log.read_text()[-3000:]
    assert await _counts(app_pool, e.ref) == expected


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "starter.py"), *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=180)


def _ok(env: dict[str, str], *args: str) -> str:
    result = _cli(env, *args)
    assert result.returncode == 0, f"{args}: {result.stderr}"
    return result.stdout


def _fails_cleanly(env: dict[str, str], *args: str, message: str) -> None:
    result = _cli(env, *args)
    assert result.returncode == 1, (args, result.stdout, result.stderr)
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2, result.stderr


def _person(admin: dict[str, str], name: str) -> dict[str, str]:
    """A new person given a login of their own by the administrator `admin`: their CLI environment."""
    login = f"{name}_{uuid.uuid4().hex[:6]}"
    added = json.loads(_ok(admin, "people", "add", f"{login}@example.com", "--login", login, "--json"))
    assert added["login"] == login and added["email"] == f"{login}@example.com", added
    person = {**admin, "PGUSER": login, "PGPASSWORD": added["password"]}
    assert json.loads(_ok(person, "people", "whoami", "--json"))["email"] == added["email"]
    return person


def _answer_runbooks(owner: dict[str, str], engagement: str) -> list[tuple[str, str]]:
    """One look at the engagement's waves through `execution status`: `owner` completes the manual steps and
    approves the go/no-go decisions they wait for, and skips the waits for cutover windows that passed; the
    (action, step) pairs done."""
    done = []
    for wave in json.loads(_ok(owner, "execution", "status", engagement, "--json"))["waves"]:
        for step in wave["steps"]:
            failed = [r for r in step["runs"] if r["status"] == "failed"]
            assert all(step["key"] == "cutover_window" and "cutover window closed" in r["error"] for r in failed), \
                failed
            for action, extra in (("complete", ("--note", "accepted")), ("approve", ("--change-ref", "CHG-1")),
                                  ("skip", ("--reason", "the planned cutover window has passed"))):
                if any(action in r["operations"] for r in step["runs"]):
                    _ok(owner, "execution", action, engagement, "--wave", str(wave["wave"]), "--step", step["key"],
                        "--all", *extra)
                    done.append((action, step["key"]))
    return done


async def test_an_engagement_end_to_end_through_the_cli(process_env, migrated_db, workers, tmp_path: Path) -> None:
    metrics_port = free_port()
    worker_log = tmp_path / "worker.log"
    workers.append(_start_worker({**process_env, "MIGRATION_METRICS_PORT": str(metrics_port), "LOG_LEVEL": "INFO"},
                                 worker_log))
    admin = process_env | await give_login(migrated_db, admin=True)
    client_name = f"CLI client {uuid.uuid4().hex[:6]}"
    owner, viewer = _person(admin, "owner"), _person(admin, "viewer")
    _ok(admin, "tenant", "create", client_name)
    assert client_name in _ok(admin, "tenant", "list", "--json")
    bad_goals = _cli(admin, "engagement", "create", client_name, "Bad goals", "--goals", "speed=9")
    assert bad_goals.returncode == 2 and "write GOAL=LEVEL with a level 1-5" in bad_goals.stderr, bad_goals.stderr
    # Planned a year ago: every wave may start now, and every cutover window has passed (the person skips those).
    created = json.loads(_ok(admin, "engagement", "create", client_name, "Exit LON1",
                             "--goals", "cost_reduction=5,modernisation=2", "--json",
                             "--start-date", (date.today() - timedelta(days=365)).isoformat()))
    engagement = created["id"]
    _ok(admin, "engagement", "add-member", engagement, f"{owner['PGUSER']}@example.com", "--role", "owner")
    _ok(admin, "engagement", "add-member", engagement, f"{viewer['PGUSER']}@example.com", "--role", "viewer")
    file = inventory_file(tmp_path, 25)

    _fails_cleanly(owner, "launch", engagement, "--import", str(tmp_path / "missing.csv"), message="no such file")
    _fails_cleanly(owner, "launch", "no-such-client/whatever", "--import", str(file), message="no client account")
    launched = json.loads(_ok(owner, "launch", engagement, "--import", str(file), "--json"))
    assert launched["workflow_id"] == f"engagement-{engagement}"
    _fails_cleanly(owner, "launch", engagement, "--import", str(file), message="is already running")

    answered: list[tuple[str, str]] = []
    for phase in PHASES:
        for _ in range(300):
            status = json.loads(_ok(viewer, "status", engagement, "--json"))
            if status["awaiting_approval"] == phase:
                break
            assert status["status"] != "failed", status
            if phase == "execution":  # the waves' runbooks wait for the owner
                answered += _answer_runbooks(owner, engagement)
            await asyncio.sleep(0.3)
        else:
            pytest.fail(f"{phase} never awaited approval: {status}")
        _fails_cleanly(viewer, "approve", engagement, phase, message="you may not approve in engagement 'Exit LON1'")
        _fails_cleanly(owner, "approve", engagement, "teleport", message="unknown phase")
        _ok(owner, "approve", engagement, phase, "--comment", f"{phase} reviewed")

    assert {"complete", "approve", "skip"} <= {action for action, _ in answered}, answered
    execution = json.loads(_ok(viewer, "execution", "status", engagement, "--json"))
    assert execution["waves"] and all(w["status"] == "completed" for w in execution["waves"]), execution

    for _ in range(300):
        status = json.loads(_ok(viewer, "status", engagement, "--json"))
        if status["status"] == "completed":
            break
        await asyncio.sleep(0.3)
    assert status["status"] == "completed"
    assert tuple(status["phases_completed"]) == PHASES
    listed = json.loads(_ok(viewer, "engagement", "list", client_name, "--json"))
    assert listed[0]["flow_status"] == "completed"

    # the review commands on a finished engagement
    imports = json.loads(_ok(viewer, "imports", "list", engagement, "--json"))
    assert [(d["file_name"], d["import_role"], d["status"]) for d in imports] == [(file.name, "inventory", "completed")]
    mappings = json.loads(_ok(viewer, "mappings", "show", engagement, "--all", "--json"))
    assert {m["target_field"] for m in mappings} >= {"name", "operating_system", "cpu_cores"}
    _fails_cleanly(owner, "mappings", "set", engagement, "Server Name=name", message="not waiting for a mapping review")
    _fails_cleanly(owner, "mappings", "set", engagement, "no-equals-sign", message="COLUMN=TARGET")
    quarantine = tmp_path / "quarantine.csv"
    assert "quarantined row" in _ok(viewer, "imports", "quarantine", engagement, "--out", str(quarantine))
    assert quarantine.read_text(encoding="utf-8-sig").startswith("file,row,reasons")
    plan_csv = tmp_path / "plan.csv"
    assert "assets written" in _ok(viewer, "plan", "export", engagement, "--out", str(plan_csv))
    _fails_cleanly(viewer, "plan", "export", engagement, "--out", str(tmp_path / "plan.txt"),
                   message=".csv, .xlsx or .md")
    _fails_cleanly(owner, "plan", "import", engagement, str(plan_csv), message="started")
    first_asset = plan_csv.read_text(encoding="utf-8-sig").splitlines()[1].split(",")[0]
    shown = json.loads(_ok(viewer, "assets", "show", engagement, first_asset, "--json"))
    assert shown["field_lineage"]["name"]["file_name"] == file.name
    _fails_cleanly(viewer, "assets", "show", engagement, "no-such-asset", message="no asset 'no-such-asset'")
    overridden = json.loads(_ok(owner, "strategy", "set", engagement, first_asset, "retain", "--reason", "contract",
                                "--json"))
    assert overridden["strategy"] == "retain"
    _fails_cleanly(owner, "strategy", "set", engagement, first_asset, "teleport", "--reason", "x", message="teleport")
    listed_conflicts = json.loads(_ok(viewer, "conflicts", "list", engagement, "--all", "--json"))
    assert all(c["file_name"] == file.name for c in listed_conflicts)
    _fails_cleanly(owner, "conflicts", "resolve", engagement, "abc", "--keep", message="not a conflict id")
    both = _cli(owner, "conflicts", "resolve", engagement, "00000000", "--keep", "--take")
    assert both.returncode == 2 and "exactly one of --keep" in both.stderr, both.stderr
    report_dir = tmp_path / "report"
    assert "report written" in _ok(viewer, "report", engagement, "--out", str(report_dir))
    assert (report_dir / "index.html").exists() and (report_dir / "images" / "wave_timeline.svg").exists()

    with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10) as response:
        assert b"temporal_" in response.read(), "the worker exposes Temporal's Prometheus metrics"
    workers[0].send_signal(signal.SIGTERM)
    assert workers[0].wait(60) == 0, worker_log.read_text()[-2000:]
    assert "worker stopped" in worker_log.read_text()
