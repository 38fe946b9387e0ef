"""`execution status|complete|approve|...` as people run them, under their own logins, against the real PostgreSQL
and Temporal dev server: status read from runbook rows written here, and actions checked, recorded and sent."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import yaml
from temporalio import workflow
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from db import tenancy
from db.pool import tenant_transaction
from domain.execution.contracts import ActionResult, ExecutionActionRequest
from domain.vocabulary import PHASES
from runtime import engagement_control as control
from runtime import execution_control as execution
from runtime.engagement_control import ControlError
from tests.conftest import EngagementFixture, TestDatabase, give_login, make_engagement
from tests.flow_helpers import ROOT, inventory_file, run_starter, running_worker
from workflows.ids import wave_workflow_id

CUTOVER = datetime(2027, 3, 6, 20, 0, tzinfo=UTC)
RETRY_AT = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)
BATCH = 25  # assets of the `verify` step awaiting a person: more than a step shows


def cli_env(db: TestDatabase, dev_env: Any, data_dir: Path, login: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "TEMPORAL_", "MIGRATION_", "PG"))}
    env.update(DATABASE_URL=db.app_url, TEMPORAL_ADDRESS=dev_env.client.service_client.config.target_host,
               MIGRATION_DATA_DIR=str(data_dir), LOG_LEVEL="WARNING", **login)
    return env


async def execution_cli(env: dict[str, str], *argv: str) -> tuple[int, str, str]:
    return await run_starter(env, "execution", *argv)


# ----------------------------------------------------------------------------------------------- seeding
STEPS = (  # key, title, type, group index, group, scope, spec
    ("wave_readiness", "Wave readiness checks", "validation", 0, "initialisation", "wave", {"checks": []}),
    ("replicate", "Replicate the server", "automated", 1, "replication", "asset", {"executor": "dry_run"}),
    ("verify", "Verify the copy", "manual", 1, "replication", "asset", {"owner": "migration engineer"}),
    ("acceptance", "Application acceptance", "manual", 2, "acceptance", "application",
     {"owner": "application owner"}),
    ("go_no_go", "Go / no-go", "approval", 3, "cutover", "wave",
     {"approving_roles": ["owner"], "quorum": 2, "change_reference_required": True, "escalate_to": "the CIO"}),
)


@pytest.fixture
async def seeded(app_pool: asyncpg.Pool) -> dict[str, Any]:
    """An engagement with two planned waves; wave 1 runs (run 2: run 1 was rolled back) with a run of each kind
    a person looks at; wave 2 has not started. Written as the service, as the worker's activities would."""
    e = await make_engagement(app_pool)
    ref = e.ref
    approver = await tenancy.ensure_user(app_pool, f"approver-{uuid.uuid4().hex[:8]}@example.com")
    await tenancy.add_member(app_pool, ref, approver, "approver")
    async with tenant_transaction(app_pool, ref.client_account_id, ref.id) as conn:
        tenant = (ref.client_account_id, ref.id)
        for number, start in ((1, date(2027, 3, 1)), (2, date(2027, 4, 5))):
            await conn.execute("INSERT INTO migration.migration_waves (client_account_id, engagement_id, wave_number,"
                               " name, planned_start, planned_end) VALUES ($1, $2, $3, $4, $5, $6)",
                               *tenant, number, f"Wave {number}", start, start + timedelta(days=5))
        assets, applications = {}, {}
        for name, app, env in (("web-01", "shop", "production"), ("web-02", "shop", "production"),
                               ("db-01", "shop", "test"),
                               *((f"batch-{i:02}", "batch", "test") for i in range(BATCH))):
            assets[name] = await conn.fetchval(
                "INSERT INTO migration.assets (client_account_id, engagement_id, name, hostname, environment,"
                " os_family, application_name, wave_number, six_r_strategy) VALUES ($1, $2, $3, $3, $4, 'linux', $5,"
                " 1, 'rehost') RETURNING id", *tenant, name, env, app)
            applications[assets[name]] = app
        await conn.execute("INSERT INTO migration.wave_runbooks (client_account_id, engagement_id, wave_number,"
                           " run_number, status, completed_at) VALUES ($1, $2, 1, 1, 'rolled_back', now())", *tenant)
        runbook = await conn.fetchval(
            "INSERT INTO migration.wave_runbooks (client_account_id, engagement_id, wave_number, run_number,"
            " cutover_start, cutover_end) VALUES ($1, $2, 1, 2, $3, $4) RETURNING id",
            *tenant, CUTOVER, CUTOVER + timedelta(hours=12))
        steps = {}
        for position, (key, title, kind, group_index, group, scope, spec) in enumerate(STEPS):
            steps[key] = await conn.fetchval(
                "INSERT INTO migration.runbook_steps (client_account_id, engagement_id, runbook_id, strategy,"
                " step_key, title, step_type, group_index, group_name, scope, position, spec)"
                " VALUES ($1, $2, $3, 'rehost', $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                *tenant, runbook, key, title, kind, group_index, group, scope, position, spec)
        rollback = await conn.fetchval(
            "INSERT INTO migration.runbook_steps (client_account_id, engagement_id, runbook_id, strategy, direction,"
            " step_key, title, step_type, group_index, group_name, scope, position, spec) VALUES ($1, $2, $3,"
            " 'rehost', 'rollback', 'stop_replication', 'Stop replication', 'automated', 1, 'replication', 'asset',"
            " 1, '{}') RETURNING id", *tenant, runbook)

        async def run(step: str | uuid.UUID, workload: str, status: str, asset: uuid.UUID | None = None,
                      **columns: Any) -> uuid.UUID:
            step_id = steps[step] if isinstance(step, str) else step
            names = ", ".join(columns)
            values = ", ".join(f"${i}" for i in range(9, 9 + len(columns)))
            return await conn.fetchval(
                "INSERT INTO migration.step_runs (client_account_id, engagement_id, runbook_id, step_id,"
                f" workload_key, asset_id, application_name, status, idempotency_key{', ' + names if names else ''})"
                f" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $5 || '/' || $8{', ' + values if values else ''})"
                " RETURNING id", *tenant, runbook, step_id, workload, asset, applications.get(asset), status,
                *columns.values())

        ids = {"wave_readiness": await run("wave_readiness", "wave", "completed")}
        for name, status, extra in (("web-01", "completed", {}),
                                    ("web-02", "failed", {"attempts": 3, "error": "connection refused"}),
                                    ("db-01", "waiting", {"attempts": 1, "next_attempt_at": RETRY_AT})):
            ids[f"replicate/{name}"] = await run("replicate", str(assets[name]), status, assets[name], **extra)
            await run(rollback, str(assets[name]), "not_started", assets[name])
        for i in range(BATCH):
            name = f"batch-{i:02}"
            ids[f"verify/{name}"] = await run("verify", str(assets[name]), "awaiting_person", assets[name])
        ids["acceptance/shop"] = await run("acceptance", "shop", "awaiting_person")
        ids["go_no_go"] = await run("go_no_go", "wave", "pending_approval", escalated_at=CUTOVER - timedelta(days=1),
                                    approvals=[
            {"person": str(e.owner_id), "decision": "approved", "role": "owner", "at": "2027-03-06T10:00:00Z"}])
    return {"e": e, "ref": ref, "runbook": runbook, "assets": assets, "ids": ids, "approver": approver}


# ----------------------------------------------------------------------------------------------- status
async def test_status_shows_each_wave_its_steps_what_waits_for_whom_and_what_the_reader_may_do(
        seeded, migrated_db, dev_env, app_pool, tmp_path) -> None:
    e: EngagementFixture = seeded["e"]
    async with app_pool.acquire() as conn:
        owner_email = await conn.fetchval("SELECT email FROM migration.users WHERE id = $1", e.owner_id)
    owner = cli_env(migrated_db, dev_env, tmp_path / "data", await give_login(migrated_db, e.owner_id))
    ident = str(e.ref.id)
    code, out, err = await execution_cli(owner, "status", ident)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == ("Wave 1, run 2: running; cutover 2027-03-06 20:00 to 2027-03-07 08:00 UTC; step runs: "
                        f"2 completed, 1 failed, {BATCH + 1} awaiting_person, 1 pending_approval, 1 waiting")
    assert lines[1] == f"  you may pause the wave: starter.py execution pause {ident} --wave 1"
    assert lines[2] == f"  you may abort the wave: starter.py execution abort {ident} --wave 1 --reason TEXT"
    assert lines[3] == (f"  you may abandon a workload: starter.py execution abandon {ident} --wave 1 --asset NAME "
                        "(or --application NAME; --step KEY for one step) --note TEXT")
    assert lines[4] == ('  rehost / initialisation / wave_readiness "Wave readiness checks" [validation, per wave]: '
                        "1 completed")
    assert lines[5].startswith("  rehost / replication / replicate "), "nothing to offer on a step that moves on"
    at = lines.index('  rehost / replication / replicate "Replicate the server" [automated, per asset]: 1 completed, '
                     '1 failed, 1 waiting')
    assert lines[at + 1:at + 6] == [
        "    web-02: failed after 3 attempts: connection refused",
        "    db-01: waits until 2027-03-01 09:30 UTC",
        "    you may: retry (2), skip (1), abandon (2)",
        f"    starter.py execution retry {ident} --wave 1 --step replicate --asset web-02",
        f"    starter.py execution skip {ident} --wave 1 --step replicate --asset web-02 --reason TEXT",
    ]
    at = lines.index(f'  rehost / replication / verify "Verify the copy" [manual, per asset]: {BATCH} awaiting_person')
    shown = lines[at + 1:at + 1 + execution.WORKLOADS_SHOWN]
    assert shown == sorted(shown) and len(set(shown)) == execution.WORKLOADS_SHOWN
    assert all(re.fullmatch(r"    batch-\d\d: waits for migration engineer to complete it", line) for line in shown)
    assert lines[at + 1 + execution.WORKLOADS_SHOWN:at + 4 + execution.WORKLOADS_SHOWN] == [
        f"    and {BATCH - execution.WORKLOADS_SHOWN} more (--json lists them all)",
        f"    you may: complete ({BATCH}), abandon ({BATCH})",
        f"    starter.py execution complete {ident} --wave 1 --step verify --asset NAME",
    ]
    assert "    shop: waits for application owner to complete it" in lines
    at = lines.index('  rehost / cutover / go_no_go "Go / no-go" [approval, per wave]: 1 pending_approval')
    assert lines[at + 1:at + 5] == [
        f"    the wave: waits for approval by owner (1 of 2 given: {owner_email}); escalated 2027-03-05 20:00 UTC to "
        "the CIO",
        "    you may: approve (1), reject (1)",
        f"    starter.py execution approve {ident} --wave 1 --step go_no_go --all",
        f"    starter.py execution reject {ident} --wave 1 --step go_no_go --all --reason TEXT",
    ]
    assert not any("stop_replication" in line for line in lines), "a compensation nobody needed yet is not shown"
    assert lines[-1] == "Wave 2: not started, planned start 2027-04-05"

    code, out, err = await execution_cli(owner, "status", ident, "--wave", "1", "--json")
    assert code == 0, err
    data = json.loads(out)
    [wave] = data["waves"]
    assert (wave["wave"], wave["run_number"], wave["status"], wave["runbook_id"]) == (1, 2, "running",
                                                                                     str(seeded["runbook"]))
    steps = {(s["key"], s["direction"]): s for s in wave["steps"]}
    verify = steps[("verify", "forward")]
    assert len(verify["runs"]) == BATCH and verify["runs_not_shown"] == 0
    assert {r["id"] for r in verify["runs"]} == {str(seeded["ids"][f"verify/batch-{i:02}"]) for i in range(BATCH)}
    assert verify["runs"][0]["asset_id"] == str(seeded["assets"]["batch-00"])
    assert steps[("stop_replication", "rollback")]["counts"] == {"not_started": 3}
    assert steps[("go_no_go", "forward")]["runs"][0]["approvals"][0]["email"] == owner_email


async def test_status_to_a_viewer_offers_nothing_and_an_unstarted_execution_is_one_line(
        seeded, migrated_db, dev_env, app_pool, tmp_path) -> None:
    e: EngagementFixture = seeded["e"]
    viewer = cli_env(migrated_db, dev_env, tmp_path / "data", await give_login(migrated_db, e.viewer_id))
    code, out, err = await execution_cli(viewer, "status", str(e.ref.id), "--wave", "1")
    assert code == 0, err
    assert "you may" not in out and "starter.py execution" not in out
    assert "    web-02: failed after 3 attempts: connection refused" in out.splitlines()

    fresh = await make_engagement(app_pool)
    async with tenant_transaction(app_pool, fresh.ref.client_account_id, fresh.ref.id) as conn:
        await conn.execute("INSERT INTO migration.migration_waves (client_account_id, engagement_id, wave_number,"
                           " planned_start) VALUES ($1, $2, 1, '2027-05-03')", fresh.ref.client_account_id,
                           fresh.ref.id)
    owner = cli_env(migrated_db, dev_env, tmp_path / "data", await give_login(migrated_db, fresh.owner_id))
    code, out, err = await execution_cli(owner, "status", str(fresh.ref.id))
    assert (code, err) == (0, "")
    assert out == f"{fresh.ref.name}: execution has not started (1 wave planned; wave 1 is planned to start 2027-05-03)\n"
    code, out, err = await execution_cli(owner, "status", str(fresh.ref.id), "--wave", "4")
    assert (code, out) == (1, "")
    assert err == f"error: engagement {fresh.ref.name!r} has no wave 4; see `execution status`\n"


# ----------------------------------------------------------------------------------------------- actions
@workflow.defn(name="ExecutionActionStandIn")
class ActionStandIn:
    """A wave workflow's `execution_action` update as the CLI sees it, until the real one runs in these tests:
    answers with the recorded request's id, refuses a reason saying 'refuse'."""

    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: False)

    @workflow.update(name="execution_action")
    async def execution_action(self, request: ExecutionActionRequest) -> ActionResult:
        if request.action == "skip":
            raise ApplicationError("step replicate of web-02: the wave refuses it", non_retryable=True)
        return ActionResult(affected=1, message=f"{request.action} {request.request_id}")


async def requests(pool: asyncpg.Pool, ref: tenancy.EngagementRef) -> list[asyncpg.Record]:
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        return await conn.fetch("SELECT id, kind, phase, payload, requested_by FROM migration.person_requests"
                                " WHERE kind NOT IN ('launch') ORDER BY created_at")


async def test_an_action_is_checked_recorded_under_the_persons_login_and_sent_to_the_wave(
        seeded, migrated_db, dev_env, app_pool, tmp_path) -> None:
    e: EngagementFixture = seeded["e"]
    ref, ident = e.ref, str(e.ref.id)
    owner = cli_env(migrated_db, dev_env, tmp_path / "data", await give_login(migrated_db, e.owner_id))
    complete = ("complete", ident, "--wave", "1", "--step", "verify", "--where", "environment=TEST",
                "--where", "application=batch", "--note", "checked by hand", "--link", "https://wiki.example/v1",
                "--ticket", "OPS-7")

    # no workflow runs the wave: said in one line, nothing recorded
    code, out, err = await execution_cli(owner, *complete)
    assert (code, out) == (1, "")
    assert err == f"error: wave 1 of {ref.name!r} is not running (no workflow runs it); see `execution status`\n"
    assert await requests(app_pool, ref) == []

    queue = f"tests-{uuid.uuid4().hex[:8]}"
    async with Worker(dev_env.client, task_queue=queue, workflows=[ActionStandIn],
                      workflow_runner=UnsandboxedWorkflowRunner()):  # a test's module is no sandbox's
        handle = await dev_env.client.start_workflow(ActionStandIn.run, id=wave_workflow_id(ref.id, 1),
                                                     task_queue=queue)
        try:
            code, out, err = await execution_cli(owner, *complete)
            assert code == 0, err
            [request] = await requests(app_pool, ref)
            assert out == f"complete {request['id']}\n"
            assert (request["kind"], request["phase"], request["requested_by"]) == ("step_complete", None, e.owner_id)
            assert request["payload"] == {
                "action": "complete", "wave": 1, "step": "verify",
                "selection": {"asset": None, "application": None, "where": {"environment": "TEST",
                                                                            "application": "batch"}, "all": False},
                "note": "checked by hand", "evidence": {"link": "https://wiki.example/v1", "ticket": "OPS-7"},
                "change_reference": None, "force": False}

            # the wave's refusal is one line, exit 1
            code, out, err = await execution_cli(owner, "skip", ident, "--wave", "1", "--step", "replicate",
                                                 "--asset", "web-02", "--reason", "replicated by hand")
            assert (code, out, err) == (1, "", "error: step replicate of web-02: the wave refuses it\n")
            assert [r["kind"] for r in await requests(app_pool, ref)] == ["step_complete", "step_skip"]

            # refused before anything is recorded, each in one line
            viewer = cli_env(migrated_db, dev_env, tmp_path / "data", await give_login(migrated_db, e.viewer_id))
            approver = cli_env(migrated_db, dev_env, tmp_path / "data",
                               await give_login(migrated_db, seeded["approver"]))
            stranger = cli_env(migrated_db, dev_env, tmp_path / "data", await give_login(migrated_db))
            for env, argv, message in (
                (viewer, ("approve", ident, "--wave", "1", "--step", "go_no_go", "--all", "--change-ref", "CHG-1"),
                 f"you may not approve in {ref.name!r} (role: viewer; allowed: owner, approver)"),
                (approver, ("approve", ident, "--wave", "1", "--step", "go_no_go", "--all", "--change-ref", "CHG-1"),
                 "wave 1 step go_no_go is decided by owner; your role is approver"),
                (owner, ("approve", ident, "--wave", "1", "--step", "go_no_go", "--all"),
                 "wave 1 step go_no_go needs a change reference to approve: give --change-ref REF"),
                (stranger, ("approve", ident, "--wave", "1", "--step", "go_no_go", "--all"),
                 f"no engagement {ident!r}"),
                (owner, ("complete", ident, "--wave", "1", "--step", "cutover", "--all"),
                 f"wave 1 of {ref.name!r} has no step 'cutover'; see `execution status --wave 1`"),
                (owner, ("complete", ident, "--wave", "1", "--step", "verify", "--asset", "web-01"),
                 "wave 1 step verify: nothing matches --asset web-01 (it runs per asset)"),
                (owner, ("complete", ident, "--wave", "1", "--step", "replicate", "--application", "shop"),
                 "wave 1 step replicate: none of the 3 selected runs may be completed (1 completed, 1 failed, "
                 "1 waiting)"),
                (owner, ("retry", ident, "--wave", "1", "--step", "replicate", "--asset", "web-01"),
                 "wave 1 step replicate: the selected run may not be retried (1 completed); --force runs "
                 "completed ones again"),
                (owner, ("resume", ident, "--wave", "1"), f"wave 1 of {ref.name!r} is running: it may be paused or aborted"),
                (owner, ("resume", ident), f"no wave of {ref.name!r} is paused; see `execution status`"),
                (owner, ("pause", ident, "--wave", "2"),
                 f"wave 2 of {ref.name!r} has not started (planned start 2027-04-05); see `execution status`"),
                (owner, ("abort", ident, "--wave", "9", "--reason", "x"), f"engagement {ref.name!r} has no wave 9; "
                 "see `execution status`"),
            ):
                code, out, err = await execution_cli(env, *argv)
                assert (code, out, err) == (1, "", f"error: {message}\n"), argv
            assert len(await requests(app_pool, ref)) == 2

            code, out, err = await execution_cli(owner, "retry", ident, "--wave", "1", "--step", "replicate",
                                                 "--asset", "web-01", "--force")
            assert code == 0, err
            code, out, err = await execution_cli(owner, "pause", ident)
            assert code == 0, err
            kinds = [(r["kind"], r["payload"]["force"]) for r in await requests(app_pool, ref)]
            assert kinds[2:] == [("step_retry", True), ("wave_pause", False)]
        finally:
            await handle.terminate()

    # the same function the CLI runs, for the demo, the bench and the tests: its answer after its checks
    with pytest.raises(ControlError, match="is not running"):
        await execution.act(dev_env.client, app_pool, ref, execution.action_request(
            "abandon", 1, asset=str(seeded["assets"]["db-01"])), e.owner_id)


# ----------------------------------------------------------------------------------------------- bad usage
BAD_USAGE = (
    (("complete", "x", "--wave", "1", "--all"), "complete needs --step KEY"),
    (("approve", "x", "--wave", "1", "--step", "go", "--asset", "a", "--all"),
     "select the workloads with one of --asset NAME, --application NAME, --where field=value or --all "
     "(given: --asset, --all)"),
    (("retry", "x", "--wave", "1", "--step", "go"), "select the workloads with one of"),
    (("complete", "x", "--wave", "1", "--step", "go", "--where", "owner=me"), "--where: unknown field 'owner'"),
    (("complete", "x", "--wave", "1", "--step", "go", "--where", "environment"), "write field=value"),
    (("complete", "x", "--wave", "1", "--step", "go", "--where", "environment=" + "p" * 201),
     "--where environment is 201 characters long; at most 200"),
    (("complete", "x", "--wave", "1", "--step", "go", "--all", "--note", "n" * 2001),
     "--note is 2001 characters long; at most 2000"),
    (("approve", "x", "--wave", "1", "--step", "go", "--all", "--change-ref", "c" * 201),
     "--change-ref is 201 characters long; at most 200"),
    (("complete", "x", "--wave", "1", "--step", "go", "--all", "--link", "javascript:alert(1)"),
     "is not an http(s) URL"),
    (("skip", "x", "--wave", "1", "--step", "go", "--all"), "skip needs --reason TEXT"),
    (("reject", "x", "--wave", "1", "--step", "go", "--all", "--reason", "no", "--note", "n"),
     "give --reason or --note, not both"),
    (("complete", "x", "--wave", "1", "--step", "go", "--all", "--force"), "--force applies to retry only"),
    (("complete", "x", "--wave", "1", "--step", "Go Live", "--all"), "is no step key"),
    (("abort", "x", "--wave", "1", "--reason", " "), "--reason is blank"),
)


@pytest.mark.parametrize(("argv", "expect"), BAD_USAGE, ids=[" ".join(a[:1]) + f" {i}" for i, (a, _) in
                                                             enumerate(BAD_USAGE)])
async def test_bad_usage_is_one_line_exit_2_before_any_server(argv, expect, tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "TEMPORAL_", "MIGRATION_", "PG"))}
    env.update(MIGRATION_DATA_DIR=str(tmp_path / "data"))
    code, out, err = await execution_cli(env, *argv)
    assert (code, out) == (2, ""), err
    [line] = err.splitlines()
    assert line.startswith("error: ") and expect in line and "--help" in line, line
    assert not (tmp_path / "data").exists()


async def test_an_unknown_engagement_is_one_line(migrated_db, dev_env, tmp_path) -> None:
    env = cli_env(migrated_db, dev_env, tmp_path / "data", await give_login(migrated_db))
    for argv in (("status", "acme/nothing"), ("complete", str(uuid.uuid4()), "--wave", "1", "--step", "go", "--all")):
        code, out, err = await execution_cli(env, *argv)
        assert (code, out) == (1, "") and len(err.splitlines()) == 1 and err.startswith("error: "), err
        assert "acme" in err or "no engagement" in err


# ----------------------------------------------------------------------------------------------- end to end
FOUND_RUN = """
    SELECT r.id, r.status, r.workload_key, r.asset_id, s.step_key, s.scope, b.wave_number, a.name AS asset_name
      FROM migration.step_runs r
      JOIN migration.runbook_steps s ON s.id = r.step_id
      JOIN migration.wave_runbooks b ON b.id = r.runbook_id
      LEFT JOIN migration.assets a ON a.id = r.asset_id
     WHERE {condition}
     ORDER BY b.wave_number, s.strategy, s.group_index, s.position, r.workload_key"""


async def found_runs(pool: asyncpg.Pool, ref: tenancy.EngagementRef, condition: str, *args: Any,
                     timeout: float = 300.0) -> list[asyncpg.Record]:
    """The step runs matching `condition`, once there are any."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
            rows = await conn.fetch(FOUND_RUN.format(condition=condition), *args)
        if rows:
            return rows
        if asyncio.get_running_loop().time() > deadline:
            async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
                counts = await conn.fetch("SELECT b.wave_number, b.status AS wave, r.status, count(*) FROM"
                                          " migration.step_runs r JOIN migration.wave_runbooks b ON b.id = r.runbook_id"
                                          " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3")
            raise TimeoutError(f"no step run of {ref.name} where {condition} within {timeout} s; step runs: "
                               f"{[tuple(c) for c in counts]}")
        await asyncio.sleep(0.5)


async def step_run(pool: asyncpg.Pool, ref: tenancy.EngagementRef, run_id: uuid.UUID) -> asyncpg.Record:
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        return await conn.fetchrow("SELECT * FROM migration.step_runs WHERE id = $1", run_id)


def selecting(run: asyncpg.Record) -> tuple[str, ...]:
    """The options that select exactly this run's workload."""
    if run["scope"] == "wave":
        return ("--all",)
    if run["scope"] == "application":
        return ("--application", run["workload_key"])
    return ("--asset", str(run["asset_id"]))


async def test_people_act_on_a_running_wave_through_the_cli(dev_env, app_pool, migrated_db, tmp_path) -> None:
    """A real engagement through to execution (its owner launches it; its phases auto-approved; its rehost
    runbook imported with a security sign-off after the go/no-go): a manual step completed with evidence, a
    go/no-go approved by an approver and refused to a viewer and to a non-member, the sign-off rejected, asked
    again, rejected and then skipped (its successors proceed), an asset abandoned; each through the CLI under the person's own login."""
    e = await make_engagement(app_pool)
    ref, ident = e.ref, str(e.ref.id)
    approver_id = await tenancy.ensure_user(app_pool, f"approver-{uuid.uuid4().hex[:8]}@example.com")
    await tenancy.add_member(app_pool, ref, approver_id, "approver")
    async with tenant_transaction(app_pool, ref.client_account_id, ref.id) as conn:
        await conn.execute("UPDATE migration.engagements SET settings = settings || $2 WHERE id = $1", ref.id,
                           {"execution": {"honour_planned_dates": False}})
    data = tmp_path / "data"
    owner = cli_env(migrated_db, dev_env, data, await give_login(migrated_db, e.owner_id))
    approver = cli_env(migrated_db, dev_env, data, await give_login(migrated_db, approver_id))
    viewer = cli_env(migrated_db, dev_env, data, await give_login(migrated_db, e.viewer_id))
    stranger = cli_env(migrated_db, dev_env, data, await give_login(migrated_db))

    template = yaml.safe_load((ROOT / "domain" / "execution" / "templates" / "rehost.yaml").read_text())
    acceptance = next(g for g in template["groups"] if g["name"] == "acceptance")
    acceptance["steps"].append({"key": "security_signoff", "title": "Security sign-off", "type": "approval",
                                "needs": ["go_no_go"], "approving_roles": ["owner"]})
    (tmp_path / "rehost.yaml").write_text(yaml.safe_dump(template, sort_keys=False))
    code, out, err = await run_starter(owner, "runbook", "import", ident, str(tmp_path / "rehost.yaml"),
                                       "--strategy", "rehost")
    assert code == 0, err

    async with running_worker(dev_env.client, app_pool, answer_steps=False) as queue:
        await control.launch(dev_env.client, app_pool, ref, [inventory_file(tmp_path, 40)], queue,
                             auto_approve=PHASES, launched_by=e.owner_id)
        try:
            # a manual step, completed with a note and evidence
            [manual, *_] = await found_runs(app_pool, ref, "s.strategy = 'rehost' AND s.step_key = "
                                            "'manual_acceptance' AND r.status = 'awaiting_person' AND "
                                            "r.workload_key NOT LIKE 'asset:%'")
            wave, application = str(manual["wave_number"]), manual["workload_key"]
            in_application = "s.strategy = 'rehost' AND r.workload_key = $1 AND s.step_key = "
            code, out, err = await execution_cli(owner, "status", ident, "--wave", wave)
            assert code == 0, err
            assert any(line.startswith(f"    starter.py execution complete {ident} --wave {wave} --step "
                                       "manual_acceptance --application ") for line in out.splitlines()), out
            code, out, err = await execution_cli(owner, "complete", ident, "--wave", wave, "--step",
                                                 "manual_acceptance", "--application", application, "--note",
                                                 "accepted", "--link", "https://tickets.example/ACC-1", "--ticket",
                                                 "ACC-1")
            assert code == 0 and out.startswith("completed "), err
            done = await step_run(app_pool, ref, manual["id"])
            assert (done["status"], done["actor"], done["note"]) == ("completed", e.owner_id, "accepted")
            assert done["evidence"] == {"link": "https://tickets.example/ACC-1", "ticket": "ACC-1"}

            # the wave (its go/no-go waits) held and let go again
            code, out, err = await execution_cli(owner, "pause", ident, "--wave", wave)
            assert code == 0 and out.startswith(f"wave {wave} paused"), err
            code, out, err = await execution_cli(owner, "status", ident, "--wave", wave)
            assert out.startswith(f"Wave {wave}") and ": paused; " in out.splitlines()[0], out
            assert f"  you may resume the wave: starter.py execution resume {ident} --wave {wave}" in out
            code, out, err = await execution_cli(owner, "resume", ident)
            assert code == 0 and f"wave {wave} resumed\n" in out, err

            # the go/no-go: refused to a viewer and to a non-member, approved by an approver
            [go] = await found_runs(app_pool, ref, in_application + "'go_no_go' AND r.status = 'pending_approval'",
                                    application)
            approve = ("approve", ident, "--wave", wave, "--step", "go_no_go", "--application", application,
                       "--change-ref", "CHG-42")
            code, out, err = await execution_cli(viewer, *approve)
            assert (code, out, err) == (1, "", f"error: you may not approve in {ref.name!r} (role: viewer; "
                                               "allowed: owner, approver)\n")
            code, out, err = await execution_cli(stranger, *approve)
            assert (code, out, err) == (1, "", f"error: no engagement {ident!r}\n")
            assert (await step_run(app_pool, ref, go["id"]))["status"] == "pending_approval"
            code, out, err = await execution_cli(approver, *approve)
            assert code == 0 and out.startswith("approved "), err
            approved = await step_run(app_pool, ref, go["id"])
            assert (approved["status"], approved["change_reference"]) == ("completed", "CHG-42")
            assert [(a["person"], a["role"]) for a in approved["approvals"]] == [(str(approver_id), "approver")]

            # the sign-off, for owners only: rejected (the run fails), then skipped with a reason
            [signoff] = await found_runs(app_pool, ref, in_application + "'security_signoff' AND r.status = "
                                         "'pending_approval'", application)
            act = ("--wave", wave, "--step", "security_signoff", "--application", application)
            code, out, err = await execution_cli(approver, "reject", ident, *act, "--reason", "not mine to say")
            assert (code, out, err) == (1, "", f"error: wave {wave} step security_signoff is decided by owner; "
                                               "your role is approver\n")
            code, out, err = await execution_cli(owner, "reject", ident, *act, "--reason", "ports still open")
            assert code == 0 and out.startswith("rejected "), err
            assert (await step_run(app_pool, ref, signoff["id"]))["status"] == "failed"
            code, out, err = await execution_cli(owner, "retry", ident, *act)  # asked again
            assert code == 0 and out.startswith("queued again "), err
            await found_runs(app_pool, ref, "r.id = $1 AND r.status = 'pending_approval'", signoff["id"])
            code, out, err = await execution_cli(owner, "reject", ident, *act, "--reason", "ports still open")
            assert code == 0 and out.startswith("rejected "), err
            code, out, err = await execution_cli(owner, "skip", ident, *act)
            assert (code, out) == (2, "") and "skip needs --reason TEXT" in err
            code, out, err = await execution_cli(owner, "skip", ident, *act, "--reason", "accepted by the board")
            assert code == 0 and out.startswith("skipped "), err
            skipped = await step_run(app_pool, ref, signoff["id"])
            assert (skipped["status"], skipped["note"]) == ("skipped", "accepted by the board")
            code, out, err = await execution_cli(owner, "skip", ident, *act, "--reason", "again")
            assert (code, out) == (1, "") and "the selected run may not be skipped (1 skipped)" in err
            # its successors proceed: the application's assets reach their cutover window
            await found_runs(app_pool, ref, "s.strategy = 'rehost' AND r.application_name = $1 AND s.step_key = "
                             "'cutover_window' AND r.status <> 'not_started'", application)

            # an asset abandoned: its open runs leave the wave, what it completed stays
            [open_run, *_] = await found_runs(app_pool, ref, "s.scope = 'asset' AND r.status NOT IN ('completed',"
                                                             " 'skipped', 'abandoned') AND s.direction = 'forward'")
            code, out, err = await execution_cli(owner, "abandon", ident, "--wave", str(open_run["wave_number"]),
                                                 "--asset", open_run["asset_name"], "--reason", "decommissioned")
            assert code == 0 and out.startswith("abandoned "), err
            async with tenant_transaction(app_pool, ref.client_account_id, ref.id) as conn:
                statuses = {r["status"] for r in await conn.fetch(
                    "SELECT r.status FROM migration.step_runs r JOIN migration.runbook_steps s ON s.id = r.step_id"
                    " WHERE r.asset_id = $1 AND s.direction = 'forward'", open_run["asset_id"])}
            assert "abandoned" in statuses and statuses <= {"abandoned", "completed", "skipped"}

        finally:
            with contextlib.suppress(RPCError):  # ended already: what failed is said above
                await control.handle(dev_env.client, ref).terminate("test over")
