"""Scheduled maintenance (docs/operations.md, "Scheduled maintenance"): the schedules, log partitions ahead,
retention per client (partitions dropped and exported), the archive of completed engagements, and their commands.

The maintenance workflows run on a worker of their own against the suite's PostgreSQL; "now" is the workflow's
clock (workflow.now()), which the time-skipping server moves on in the archive test.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DeleteWorkflowExecutionRequest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.maintenance import MaintenanceActivities
from db.pool import connect, create_pool, tenant_transaction
from db.queries import sql
from domain.maintenance import ArchiveInput, LogRetention, PartitionsInput, RetentionInput
from runtime import schedules
from runtime.settings import Settings
from tests.conftest import EngagementFixture, TestDatabase, create_test_database, give_login, make_engagement
from tests.test_engagement_input import cli
from workflows.maintenance import (
    MAINTENANCE_WORKFLOWS,
    MaintenanceArchiveWorkflow,
    MaintenancePartitionsWorkflow,
    MaintenanceRetentionWorkflow,
)

DEFAULTS = LogRetention(llm_usage_log=400, agent_task_history=180, security_audit_logs=2557)
INSERT_LLM = ("INSERT INTO migration.llm_usage_log (id, client_account_id, engagement_id, model, provider, success,"
              " created_at) VALUES ($1, $2, $3, 'm', 'p', true, $4)")
INSERT_TASK = ("INSERT INTO migration.agent_task_history (id, client_account_id, engagement_id, agent_name, task_name,"
               " status, created_at) VALUES ($1, $2, $3, 'a', 't', 'completed', $4)")
INSERT_AUDIT = ("INSERT INTO migration.security_audit_logs (id, client_account_id, operation, table_name, created_at)"
                " VALUES ($1, $2, 'insert', 'tests', $3)")
INSERT_FLOW = ("INSERT INTO migration.crewai_flow_state_extensions (client_account_id, engagement_id, flow_id, status,"
               " started_at, completed_at) VALUES ($1, $2, $3, $4, $5, $6)")


@pytest.fixture(scope="module")
async def own_time_env() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping server of this module's own: the archive test moves its clock weeks on."""
    binary = Path(sys.executable).parent / "temporal-test-server"
    env = await WorkflowEnvironment.start_time_skipping(test_server_existing_path=str(binary),
                                                        data_converter=pydantic_data_converter)
    yield env
    await env.shutdown()


@pytest.fixture(scope="module")
async def own_db(pg_superuser_url: str) -> TestDatabase:
    """A database of this module's own: retention drops partitions and the archive run archives every client's
    completed engagements, which no other test's data must meet."""
    return await create_test_database(pg_superuser_url)


@pytest.fixture(scope="module")
async def own_pool(own_db: TestDatabase) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(own_db.app_url, max_size=4)
    yield pool
    await pool.close()


@pytest.fixture(scope="module")
async def own_superuser(own_db: TestDatabase) -> AsyncIterator[asyncpg.Connection]:
    conn = await connect(own_db.superuser_url)
    yield conn
    await conn.close()


async def run_maintenance(client: Client, pool: asyncpg.Pool, workflow, inp):
    """One run of a maintenance workflow on a worker of its own, on the server's clock as it stands (a
    time-skipping server would otherwise jump ahead while the run waits)."""
    task_queue = f"tests-maintenance-{uuid.uuid4().hex[:8]}"
    async with Worker(client, task_queue=task_queue, workflows=MAINTENANCE_WORKFLOWS, activities=_activities(pool)):
        handle = await client.start_workflow(workflow, inp, id=f"{task_queue}-run", task_queue=task_queue)
        return await handle.result()


def _activities(pool: asyncpg.Pool):
    instance = MaintenanceActivities(pool)
    return [instance.ensure_log_partitions, instance.apply_log_retention, instance.archive_completed_engagements]


async def insert_log(pool: asyncpg.Pool, query: str, e: EngagementFixture, at: datetime) -> uuid.UUID:
    row_id = uuid.uuid4()
    async with tenant_transaction(pool, e.ref.client_account_id, e.ref.id) as conn:
        await conn.execute(query, row_id, e.ref.client_account_id, e.ref.id, at)
    return row_id


async def partition_of(superuser: asyncpg.Connection, table: str, row_id: uuid.UUID) -> str | None:
    return await superuser.fetchval(f"SELECT tableoid::regclass::text FROM migration.{table} WHERE id = $1", row_id)


def month_start(day: datetime, months: int) -> datetime:
    index = day.year * 12 + day.month - 1 + months
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


# ----------------------------------------------------------------------------------------------- partitions
async def test_a_partitions_run_creates_them_ahead_and_moves_rows_out_of_the_default(
        dev_env, app_pool, superuser_conn) -> None:
    e = await make_engagement(app_pool)
    now = datetime.now(UTC)
    far_month = month_start(now, 6) + timedelta(days=3)  # beyond the 4 months the migration created
    far_week = now + timedelta(weeks=20)  # beyond its 10 weeks
    llm = await insert_log(app_pool, INSERT_LLM, e, far_month)
    task = await insert_log(app_pool, INSERT_TASK, e, far_week)
    audit = uuid.uuid4()
    await superuser_conn.execute(INSERT_AUDIT, audit, e.ref.client_account_id, far_month)
    assert await partition_of(superuser_conn, "llm_usage_log", llm) == "migration.llm_usage_log_default"
    assert await partition_of(superuser_conn, "agent_task_history", task) == "migration.agent_task_history_default"

    result = await run_maintenance(dev_env.client, app_pool, MaintenancePartitionsWorkflow.run,
                                   PartitionsInput(months_ahead=7, weeks_ahead=24))

    assert result.created["llm_usage_log"] >= 1 and result.created["agent_task_history"] >= 1
    assert await partition_of(superuser_conn, "llm_usage_log", llm) == \
        f"migration.llm_usage_log_p{far_month:%Y%m}"
    iso = far_week.isocalendar()
    assert await partition_of(superuser_conn, "agent_task_history", task) == \
        f"migration.agent_task_history_p{iso.year}_w{iso.week:02d}"
    assert await partition_of(superuser_conn, "security_audit_logs", audit) == \
        f"migration.security_audit_logs_p{far_month:%Y%m}"
    for months in range(8):  # this month and 7 ahead
        for table in ("llm_usage_log", "security_audit_logs"):
            assert await superuser_conn.fetchval("SELECT to_regclass($1)",
                                                 f"migration.{table}_p{month_start(now, months):%Y%m}")
    again = await run_maintenance(dev_env.client, app_pool, MaintenancePartitionsWorkflow.run,
                                  PartitionsInput(months_ahead=7, weeks_ahead=24))
    assert again.created == {"llm_usage_log": 0, "agent_task_history": 0, "security_audit_logs": 0}


# ----------------------------------------------------------------------------------------------- retention
async def test_retention_keeps_each_clients_rows_by_its_policy_and_drops_partitions_older_than_every_policy(
        dev_env, own_pool, own_superuser, tmp_path) -> None:
    a, b = await make_engagement(own_pool), await make_engagement(own_pool)
    await own_superuser.execute(
        "INSERT INTO migration.retention_policies (client_account_id, llm_usage_log_days, agent_task_history_days,"
        " security_audit_logs_days) VALUES ($1, 60, 40, 45), ($2, 90, NULL, NULL)",
        a.ref.client_account_id, b.ref.client_account_id)
    now = datetime.now(UTC)
    old_month = month_start(now, -40)
    async with own_pool.acquire() as conn:  # a partition three years back, as a run then would have made it
        await conn.fetchval("SELECT migration.ensure_partitions('llm_usage_log', $1, 1)", old_month.date())
    ancient = {e: await insert_log(own_pool, INSERT_LLM, e, old_month + timedelta(days=2)) for e in (a, b)}
    llm_75 = {e: await insert_log(own_pool, INSERT_LLM, e, now - timedelta(days=75)) for e in (a, b)}
    llm_10 = {e: await insert_log(own_pool, INSERT_LLM, e, now - timedelta(days=10)) for e in (a, b)}
    task_50 = {e: await insert_log(own_pool, INSERT_TASK, e, now - timedelta(days=50)) for e in (a, b)}
    audit_60 = {}
    for e in (a, b):
        audit_60[e] = uuid.uuid4()
        await own_superuser.execute(INSERT_AUDIT, audit_60[e], e.ref.client_account_id, now - timedelta(days=60))
    partition = f"llm_usage_log_p{old_month:%Y%m}"

    result = await run_maintenance(dev_env.client, own_pool, MaintenanceRetentionWorkflow.run,
                                   RetentionInput(defaults=DEFAULTS, export_dir=str(tmp_path / "exports")))

    assert partition in result.partitions_dropped
    assert await own_superuser.fetchval("SELECT to_regclass($1)", f"migration.{partition}") is None
    export = tmp_path / "exports" / f"{partition}.jsonl.gz"
    assert str(export) in result.exported
    with gzip.open(export, "rt") as exported:
        rows = [json.loads(line) for line in exported]
    assert sorted(r["id"] for r in rows) == sorted(str(ancient[e]) for e in (a, b))

    async def kept(table: str, row_id: uuid.UUID) -> bool:
        return await partition_of(own_superuser, table, row_id) is not None

    assert not await kept("llm_usage_log", llm_75[a]) and await kept("llm_usage_log", llm_75[b])  # 60 vs 90 days
    assert await kept("llm_usage_log", llm_10[a]) and await kept("llm_usage_log", llm_10[b])
    assert not await kept("agent_task_history", task_50[a]) and await kept("agent_task_history", task_50[b])
    assert not await kept("security_audit_logs", audit_60[a]) and await kept("security_audit_logs", audit_60[b])
    assert result.rows_deleted["llm_usage_log"] >= 1 and result.rows_deleted["security_audit_logs"] >= 1

    again = await run_maintenance(dev_env.client, own_pool, MaintenanceRetentionWorkflow.run,
                                  RetentionInput(defaults=DEFAULTS))
    assert partition not in again.partitions_dropped and await kept("llm_usage_log", llm_75[b])


async def test_the_database_refuses_to_remove_log_rows_younger_than_30_days(app_pool) -> None:
    e = await make_engagement(app_pool)
    async with tenant_transaction(app_pool, e.ref.client_account_id) as conn:
        with pytest.raises(asyncpg.InvalidParameterValueError, match="younger than 30 days"):
            await conn.fetchval("SELECT migration.purge_log_rows('security_audit_logs', $1, $2)",
                                e.ref.client_account_id, datetime.now(UTC) - timedelta(days=29))
    async with app_pool.acquire() as conn:
        with pytest.raises(asyncpg.InvalidParameterValueError, match="not a partition of a log"):
            await conn.fetchval("SELECT count(*) FROM migration.log_partition_rows('engagements')")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):  # the application never reads a partition itself
            await conn.fetchval("SELECT count(*) FROM migration.llm_usage_log_default")


async def test_the_application_purges_only_its_tenants_rows_and_exports_no_partition_of_the_last_30_days(
        app_pool, superuser_conn) -> None:
    mine, other = await make_engagement(app_pool), await make_engagement(app_pool)
    purge = "SELECT migration.purge_log_rows('llm_usage_log', $1, $2)"
    cutoff = datetime.now(UTC) - timedelta(days=400)
    async with tenant_transaction(app_pool, mine.ref.client_account_id) as conn:
        assert await conn.fetchval(purge, mine.ref.client_account_id, cutoff) == 0
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="not the tenant of this transaction"):
            await conn.fetchval(purge, other.ref.client_account_id, cutoff)
    async with app_pool.acquire() as conn:  # no tenant context at all
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="not the tenant of this transaction"):
            await conn.fetchval(purge, other.ref.client_account_id, cutoff)

    await superuser_conn.fetchval("SELECT migration.ensure_partitions('llm_usage_log', current_date, 1)")
    recent = await superuser_conn.fetchval(
        "SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " CROSS JOIN LATERAL migration.log_partition_bounds(c.relname) b"
        " WHERE i.inhparent = 'migration.llm_usage_log'::regclass AND b.upper_bound > now() LIMIT 1")
    async with app_pool.acquire() as conn:
        with pytest.raises(asyncpg.InvalidParameterValueError, match="younger than 30 days"):
            await conn.fetchval("SELECT count(*) FROM migration.log_partition_rows($1)", recent)


# ----------------------------------------------------------------------------------------------- archive
async def completed_flow(pool: asyncpg.Pool, e: EngagementFixture, status: str, completed_at: datetime | None) -> None:
    async with tenant_transaction(pool, e.ref.client_account_id, e.ref.id) as conn:
        await conn.execute(INSERT_FLOW, e.ref.client_account_id, e.ref.id, uuid.uuid4(), status,
                           (completed_at or datetime.now(UTC)) - timedelta(days=3), completed_at)


async def engagement_status(pool: asyncpg.Pool, e: EngagementFixture) -> str:
    async with tenant_transaction(pool, e.ref.client_account_id) as conn:
        return await conn.fetchval("SELECT status FROM migration.engagements WHERE id = $1", e.ref.id)


async def test_completed_engagements_are_archived_n_days_after_completion_never_running_ones(
        own_time_env, own_pool, own_superuser) -> None:
    now = datetime.now(UTC)
    done = await make_engagement(own_pool)
    client = done.ref.client_account_id
    running = await make_engagement(own_pool, client)
    quick = await make_engagement(own_pool)  # its client archives after 5 days
    await completed_flow(own_pool, done, "completed", now - timedelta(days=10))
    await completed_flow(own_pool, running, "running", None)
    await completed_flow(own_pool, quick, "completed", now - timedelta(days=10))
    await own_superuser.execute("INSERT INTO migration.retention_policies (client_account_id, archive_after_days)"
                                 " VALUES ($1, 5)", quick.ref.client_account_id)

    with own_time_env.auto_time_skipping_disabled():
        first = await run_maintenance(own_time_env.client, own_pool, MaintenanceArchiveWorkflow.run,
                                      ArchiveInput(archive_after_days=30))
    assert any(name.endswith(f"/{quick.ref.name}") for name in first.archived)
    assert not any(name.endswith(f"/{done.ref.name}") for name in first.archived)
    assert await engagement_status(own_pool, done) != "archived"

    await own_time_env.sleep(timedelta(days=25))  # 35 days after completion, by the run's clock
    with own_time_env.auto_time_skipping_disabled():
        second = await run_maintenance(own_time_env.client, own_pool, MaintenanceArchiveWorkflow.run,
                                       ArchiveInput(archive_after_days=30))
    assert any(name.endswith(f"/{done.ref.name}") for name in second.archived)
    assert await engagement_status(own_pool, done) == "archived"
    assert await engagement_status(own_pool, running) != "archived"
    assert not any(name.endswith(f"/{quick.ref.name}") for name in second.archived)  # already archived


async def test_a_person_only_archives_a_completed_engagement_or_restores_an_archived_one(
        app_pool, migrated_db: TestDatabase) -> None:
    done = await make_engagement(app_pool)
    running = await make_engagement(app_pool, done.ref.client_account_id)
    await completed_flow(app_pool, done, "completed", datetime.now(UTC) - timedelta(days=1))
    await completed_flow(app_pool, running, "running", None)
    refused = "a person only archives a completed engagement"

    async def as_owner(e: EngagementFixture, status: str, archived: bool) -> None:
        login = await give_login(migrated_db, e.owner_id)
        conn = await asyncpg.connect(migrated_db.app_url, user=login["PGUSER"], password=login["PGPASSWORD"])
        try:
            async with conn.transaction():
                await conn.execute(sql("set_tenant_context"), str(e.ref.client_account_id), str(e.ref.id), None)
                changed = await conn.fetchval(
                    "UPDATE migration.engagements SET status = $1, archived_at = $2 WHERE id = $3 RETURNING status",
                    status, datetime.now(UTC) if archived else None, e.ref.id)
            assert changed == status
        finally:
            await conn.close()

    assert await engagement_status(app_pool, done) == "active"
    for status, archived in (("planned", False), ("on_hold", False), ("completed", False), ("archived", False)):
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match=refused):
            await as_owner(done, status, archived)
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match=refused):  # its flow still runs
        await as_owner(running, "archived", True)
    assert await engagement_status(app_pool, running) != "archived"
    await as_owner(done, "archived", True)
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match=refused):
        await as_owner(done, "active", False)
    assert await engagement_status(app_pool, done) == "archived"
    await as_owner(done, "completed", False)
    assert await engagement_status(app_pool, done) == "completed"


# ----------------------------------------------------------------------------------------------- schedules
def settings_for(task_queue: str, **changes) -> Settings:
    return Settings(task_queue=task_queue, **changes)


async def test_schedules_are_created_once_updated_with_the_settings_listed_and_triggered(
        dev_env, app_pool, cli_env, migrated_db: TestDatabase) -> None:
    client = dev_env.client
    task_queue = f"tests-schedules-{uuid.uuid4().hex[:8]}"
    await schedules.ensure_schedules(client, settings_for(task_queue))
    await schedules.ensure_schedules(client, settings_for(task_queue))
    views = {v.name: v for v in await schedules.describe_schedules(client)}
    assert list(views) == ["partitions", "retention", "archive"]
    assert views["partitions"].spec == "15 1 * * *" and views["partitions"].next_run is not None
    listed = [s.id async for s in await client.list_schedules()]
    assert sorted(i for i in listed if i.startswith("maintenance-")) == \
        ["maintenance-archive", "maintenance-partitions", "maintenance-retention"]

    await schedules.ensure_schedules(client, settings_for(task_queue, schedule_partitions="0 5 * * 1"))
    views = {v.name: v for v in await schedules.describe_schedules(client)}
    assert views["partitions"].spec == "0 5 * * 1" and views["retention"].spec == "45 2 * * *"
    assert views["partitions"].next_run.weekday() == 0 and views["partitions"].next_run.hour == 5

    held = client.get_schedule_handle(schedules.schedule_id("retention"))
    await held.pause(note="held for an audit")
    await schedules.ensure_schedules(client, settings_for(task_queue))  # a worker's start keeps it paused
    state = (await held.describe()).schedule.state
    assert state.paused and state.note == "held for an audit"
    await held.unpause()

    refused = await cli(cli_env | await give_login(migrated_db), "ops", "schedules", "run", "partitions")
    assert refused.code == 1 and "only a platform administrator runs a schedule" in refused.line, refused

    async with Worker(client, task_queue=task_queue, workflows=MAINTENANCE_WORKFLOWS, activities=_activities(app_pool)):
        outcome = await cli(cli_env, "ops", "schedules", "run", "partitions")
        assert outcome.code == 0, outcome
        for _ in range(300):
            view = next(v for v in await schedules.describe_schedules(client) if v.name == "partitions")
            if view.last_result and view.last_result.startswith("completed"):
                break
            await asyncio.sleep(0.2)
        assert view.last_result.startswith("completed (maintenance-partitions-"), view
    listing = await cli(cli_env, "ops", "schedules")
    assert listing.code == 0, listing
    for name in ("partitions", "retention", "archive"):
        assert name in listing.out
    as_json = json.loads((await cli(cli_env, "ops", "schedules", "--json")).out)
    assert [s["name"] for s in as_json] == ["partitions", "retention", "archive"]
    assert as_json[0]["last_result"].startswith("completed") and as_json[0]["next_run"] != "-"

    workflow_id = view.last_result.removeprefix("completed (").removesuffix(")")  # past retention: its history is gone
    await client.workflow_service.delete_workflow_execution(DeleteWorkflowExecutionRequest(
        namespace=client.namespace, workflow_execution=WorkflowExecution(workflow_id=workflow_id)))
    for _ in range(300):
        view = next(v for v in await schedules.describe_schedules(client) if v.name == "partitions")
        if view.last_result.startswith("expired"):
            break
        await asyncio.sleep(0.2)
    assert view.last_result == f"expired ({workflow_id})", view
    listing = await cli(cli_env, "ops", "schedules")
    assert listing.code == 0 and "expired" in listing.out, listing


# ----------------------------------------------------------------------------------------------- commands
async def test_archive_commands_list_refuse_writes_and_restore(
        app_pool, superuser_conn, cli_env, migrated_db: TestDatabase) -> None:
    done = await make_engagement(app_pool)
    running = await make_engagement(app_pool, done.ref.client_account_id)
    await completed_flow(app_pool, done, "completed", datetime.now(UTC) - timedelta(days=1))
    await completed_flow(app_pool, running, "running", None)
    client = str(done.ref.client_account_id)
    name, other = f"{client}/{done.ref.name}", f"{client}/{running.ref.name}"
    owner = cli_env | await give_login(migrated_db, done.owner_id)  # owners archive and restore
    viewer = cli_env | await give_login(migrated_db, done.viewer_id)

    refused = await cli(viewer, "engagement", "archive", name)
    assert refused.code == 1 and "only the engagement's owners and client administrators" in refused.line
    assert (await cli(owner, "engagement", "archive", name)).code == 0
    listed = await cli(cli_env, "engagement", "list", client)
    assert done.ref.name not in listed.out and running.ref.name in listed.out
    with_archived = await cli(cli_env, "engagement", "list", client, "--archived")
    assert done.ref.name in with_archived.out

    refused = await cli(owner, "engagement", "add-member", name, "someone@example.com")
    assert refused.code == 1 and "is archived (read-only)" in refused.line and "unarchive" in refused.line
    again = await cli(owner, "engagement", "archive", name)
    assert again.code == 1 and "already archived" in again.line
    not_done = await cli(cli_env | await give_login(migrated_db, running.owner_id), "engagement", "archive", other)
    assert not_done.code == 1 and "is not completed (its flow is running)" in not_done.line

    assert (await cli(owner, "engagement", "unarchive", name)).code == 0
    assert done.ref.name in (await cli(cli_env, "engagement", "list", client)).out
    assert (await cli(owner, "engagement", "add-member", name, "someone@example.com")).code == 0
    not_archived = await cli(owner, "engagement", "unarchive", name)
    assert not_archived.code == 1 and "is not archived" in not_archived.line

    audited = await superuser_conn.fetch(
        "SELECT changes FROM migration.security_audit_logs WHERE table_name = 'engagements' AND row_id = $1"
        " AND operation = 'update' ORDER BY created_at", done.ref.id)
    statuses = [json.dumps(r["changes"]) for r in audited]
    assert len(statuses) == 2 and "archived" in statuses[0], statuses


async def test_retention_commands_show_and_set_a_clients_policy(app_pool, cli_env) -> None:
    e = await make_engagement(app_pool)
    client = str(e.ref.client_account_id)
    shown = json.loads((await cli(cli_env, "ops", "retention", "show", client, "--json")).out)
    assert shown["llm_usage_log_days"] == {"days": 400, "source": "default"}
    assert (await cli(cli_env, "ops", "retention", "set", client, "--audit-days", "3650",
                      "--archive-after-days", "14")).code == 0
    shown = json.loads((await cli(cli_env, "ops", "retention", "show", client, "--json")).out)
    assert shown["security_audit_logs_days"] == {"days": 3650, "source": "client"}
    assert shown["archive_after_days"] == {"days": 14, "source": "client"}
    assert (await cli(cli_env, "ops", "retention", "set", client, "--audit-days", "0")).code == 0
    shown = json.loads((await cli(cli_env, "ops", "retention", "show", client, "--json")).out)
    assert shown["security_audit_logs_days"]["source"] == "default" and shown["archive_after_days"]["days"] == 14


@pytest.mark.parametrize("argv, code, message", [
    (("ops", "schedules", "run", "backups"), 2, "no schedule 'backups'; the schedules are partitions, retention"),
    (("ops", "retention", "set", "CLIENT", "--audit-days", "7"), 2, "expected 0 (the default) or 30 to 36500"),
    (("ops", "retention", "set", "CLIENT"), 2, "give at least one of"),
    (("ops", "retention", "show", "no-such-client"), 1, "no client account 'no-such-client'"),
    (("engagement", "archive", "no-such/engagement"), 1, "no client account 'no-such'"),
])
async def test_bad_maintenance_usage_is_one_line(cli_env, app_pool, argv, code, message) -> None:
    e = await make_engagement(app_pool)
    outcome = await cli(cli_env, *(str(e.ref.client_account_id) if a == "CLIENT" else a for a in argv))
    assert outcome.code == code and message in outcome.line, outcome



@pytest.mark.skipif(os.environ.get("RECORD_HISTORIES") != "1", reason="set RECORD_HISTORIES=1 to re-record")
async def test_record_maintenance_histories(dev_env, own_pool, tmp_path) -> None:
    """The maintenance workflows' histories for tests/test_replay.py (which records the engagement's ones)."""
    histories = Path(__file__).with_name("histories")
    runs = {MaintenancePartitionsWorkflow: PartitionsInput(months_ahead=3, weeks_ahead=8),
            MaintenanceRetentionWorkflow: RetentionInput(defaults=DEFAULTS, export_dir=str(tmp_path)),
            MaintenanceArchiveWorkflow: ArchiveInput(archive_after_days=90)}
    task_queue = f"tests-maintenance-{uuid.uuid4().hex[:8]}"
    async with Worker(dev_env.client, task_queue=task_queue, workflows=MAINTENANCE_WORKFLOWS,
                      activities=_activities(own_pool)):
        for workflow, inp in runs.items():
            workflow_type = workflow.__temporal_workflow_definition.name
            workflow_id = f"maintenance-recorded-{workflow_type}-{uuid.uuid4().hex[:6]}"
            await dev_env.client.execute_workflow(workflow.run, inp, id=workflow_id, task_queue=task_queue)
            history = await dev_env.client.get_workflow_handle(workflow_id).fetch_history()
            (histories / f"{workflow_type}.json").write_text(json.dumps(
                {"workflow_type": workflow_type, "workflow_id": workflow_id, "history": json.loads(history.to_json())},
                indent=1))
