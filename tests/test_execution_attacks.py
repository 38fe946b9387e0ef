"""Execution runbooks under attack: people's requests that must not act (another engagement's, another wave's,
a viewer's, a stale one, one another run acted on), and the tables people may read but never write (row-level
security of schema 0026), against the real PostgreSQL."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
from temporalio.exceptions import ApplicationError

from activities.errors import BAD_INPUT
from activities.runbooks import RunbookActionActivities
from db.people import record_request
from domain.execution.contracts import ACTION_REQUEST_KINDS, ActionInput
from domain.flow_contracts import StepInput, Tenant
from tests.conftest import EngagementFixture, TestDatabase, _with_credentials, give_login, make_engagement


def _input(e: EngagementFixture, request_id: uuid.UUID, action: str = "approve", wave: int = 1,
           claimant: str = "wave-workflow/run-1") -> ActionInput:
    tenant = Tenant(client_account_id=e.ref.client_account_id, engagement_id=e.ref.id)
    step = StepInput(tenant=tenant, master_flow_id=uuid.uuid4(), phase_flow_id=uuid.uuid4())
    return ActionInput(step=step, wave_number=wave, action=action,  # type: ignore[arg-type]
                       request_id=request_id, claimant=claimant, now=datetime.now(UTC))


def _payload(action: str = "approve", wave: int = 1) -> dict[str, Any]:
    return {"action": action, "wave": wave, "step": "go_no_go", "selection": {"all": True}, "note": None,
            "evidence": {}, "change_reference": "CHG1", "force": False}


async def _request(pool: asyncpg.Pool, e: EngagementFixture, person: uuid.UUID, action: str = "approve",
                   wave: int = 1) -> uuid.UUID:
    return await record_request(pool, e.ref, ACTION_REQUEST_KINDS[action], payload=_payload(action, wave),
                                on_behalf_of=person)


async def _refusal(pool: asyncpg.Pool, inp: ActionInput) -> str:
    with pytest.raises(ApplicationError) as caught:
        await RunbookActionActivities(pool).apply_action(inp)
    assert caught.value.type == BAD_INPUT and caught.value.non_retryable
    return caught.value.message


async def _used_by(conn: asyncpg.Connection, request_id: uuid.UUID) -> str | None:
    return await conn.fetchval("SELECT used_by FROM migration.person_requests WHERE id = $1", request_id)


# ------------------------------------------------------------------------------------ people's requests
async def test_a_request_of_another_engagement_is_unknown_to_this_ones_wave(app_pool, superuser_conn) -> None:
    mine, theirs = await make_engagement(app_pool), await make_engagement(app_pool)
    request_id = await _request(app_pool, theirs, theirs.owner_id)
    message = await _refusal(app_pool, _input(mine, request_id))
    assert message == f"no recorded request {request_id} to step approve in this engagement"
    assert await _used_by(superuser_conn, request_id) is None  # not claimed: its own engagement may still use it


async def test_a_request_for_wave_1_does_not_act_on_wave_2_nor_as_another_action(app_pool, superuser_conn) -> None:
    e = await make_engagement(app_pool)
    request_id = await _request(app_pool, e, e.owner_id, "approve", wave=1)
    assert await _refusal(app_pool, _input(e, request_id, "approve", wave=2)) == (
        f"request {request_id} does not ask to approve in wave 2")
    assert "asks to step_approve" in await _refusal(app_pool, _input(e, request_id, "skip", wave=1))
    assert await _used_by(superuser_conn, request_id) is None  # the refusal rolled its claim back


async def test_a_viewers_request_is_refused_whatever_it_asks(app_pool) -> None:
    e = await make_engagement(app_pool)
    for action in ("approve", "complete", "retry", "abort"):
        request_id = await _request(app_pool, e, e.viewer_id, action)
        message = await _refusal(app_pool, _input(e, request_id, action))
        assert "has role viewer in this engagement, which may not" in message


async def test_a_stale_request_and_one_another_run_acted_on_are_refused(app_pool, superuser_conn) -> None:
    e = await make_engagement(app_pool)
    stale = await _request(app_pool, e, e.owner_id)
    await superuser_conn.execute("UPDATE migration.person_requests SET created_at = now() - interval '16 minutes' "
                                 "WHERE id = $1", stale)
    assert "older than 15 minutes; ask again" in await _refusal(app_pool, _input(e, stale))
    used = await _request(app_pool, e, e.owner_id)
    await superuser_conn.execute("UPDATE migration.person_requests SET used_by = 'another-wave/run' WHERE id = $1",
                                 used)
    assert "has been acted on already; ask again" in await _refusal(app_pool, _input(e, used))
    assert await _used_by(superuser_conn, used) == "another-wave/run"


# ------------------------------------------------------------------------------------ row-level security
async def _runbook(conn: asyncpg.Connection, e: EngagementFixture) -> uuid.UUID:
    """A wave runbook with one step and one run, written as the worker would (the superuser stands in)."""
    runbook = await conn.fetchval(
        "INSERT INTO migration.wave_runbooks (client_account_id, engagement_id, wave_number, run_number) "
        "VALUES ($1, $2, 1, 1) RETURNING id", e.ref.client_account_id, e.ref.id)
    step = await conn.fetchval(
        "INSERT INTO migration.runbook_steps (client_account_id, engagement_id, runbook_id, strategy, step_key, title, "
        "step_type, group_index, group_name, scope, position, spec) VALUES ($1, $2, $3, 'rehost', 'go_no_go', "
        "'Go', 'approval', 0, 'cutover', 'wave', 0, '{}') RETURNING id", e.ref.client_account_id, e.ref.id, runbook)
    await conn.execute(
        "INSERT INTO migration.step_runs (client_account_id, engagement_id, runbook_id, step_id, workload_key, status, "
        "idempotency_key) VALUES ($1, $2, $3, $4, 'wave', 'pending_approval', 'k/1')",
        e.ref.client_account_id, e.ref.id, runbook, step)
    return runbook


async def _as_person(db: TestDatabase, user_id: uuid.UUID | None) -> tuple[asyncpg.Connection, uuid.UUID]:
    login = await give_login(db, user_id)
    conn = await asyncpg.connect(_with_credentials(db.app_url, login["PGUSER"], login["PGPASSWORD"], db.name))
    person = user_id or await conn.fetchval("SELECT id FROM migration.users WHERE login_role = current_user")
    return conn, person


async def _in_context(conn: asyncpg.Connection, e: EngagementFixture, statement: str, *args: Any) -> Any:
    async with conn.transaction():
        await conn.execute("SELECT set_config('app.client_id', $1, true), set_config('app.engagement_id', $2, true)",
                           str(e.ref.client_account_id), str(e.ref.id))
        return await conn.fetch(statement, *args)


async def test_people_read_runbooks_with_the_read_right_and_never_write_them(
        app_pool, migrated_db, superuser_conn) -> None:
    e = await make_engagement(app_pool)
    runbook = await _runbook(superuser_conn, e)
    owner, _ = await _as_person(migrated_db, e.owner_id)
    viewer, _ = await _as_person(migrated_db, e.viewer_id)
    stranger, _ = await _as_person(migrated_db, None)
    try:
        for conn in (owner, viewer):
            for table in ("wave_runbooks", "runbook_steps", "step_runs"):
                assert len(await _in_context(conn, e, f"SELECT id FROM migration.{table}")) == 1
        for table in ("wave_runbooks", "runbook_steps", "step_runs", "execution_notifications", "runbook_templates"):
            assert await _in_context(stranger, e, f"SELECT id FROM migration.{table}") == []
        writes = [
            "UPDATE migration.step_runs SET status = 'completed'",
            "UPDATE migration.wave_runbooks SET status = 'cancelled'",
            "DELETE FROM migration.step_runs",
            "INSERT INTO migration.execution_notifications (client_account_id, engagement_id, kind, dedupe_key, payload)"
            f" VALUES ('{e.ref.client_account_id}', '{e.ref.id}', 'notify_step', 'x', '{{}}')",
        ]
        for statement in writes:
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await _in_context(owner, e, statement)
        statuses = await superuser_conn.fetch("SELECT status FROM migration.step_runs WHERE runbook_id = $1", runbook)
        assert [r["status"] for r in statuses] == ["pending_approval"]
    finally:
        for conn in (owner, viewer, stranger):
            await conn.close()


async def test_importing_a_template_needs_the_decide_right_and_is_done_as_oneself(
        app_pool, migrated_db, superuser_conn) -> None:
    e = await make_engagement(app_pool)
    insert = ("INSERT INTO migration.runbook_templates (client_account_id, engagement_id, strategy, version, name, body"
              + ", imported_by) VALUES ($1, $2, 'rehost', $3, 'mine', $4, $5)")
    body = json.dumps({"name": "mine"})
    owner, _ = await _as_person(migrated_db, e.owner_id)
    viewer, _ = await _as_person(migrated_db, e.viewer_id)
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):  # a viewer has no decide right
            await _in_context(viewer, e, insert, e.ref.client_account_id, e.ref.id, 1, body, e.viewer_id)
        with pytest.raises(asyncpg.InsufficientPrivilegeError):  # an owner importing in another's name
            await _in_context(owner, e, insert, e.ref.client_account_id, e.ref.id, 1, body, e.viewer_id)
        await _in_context(owner, e, insert, e.ref.client_account_id, e.ref.id, 1, body, e.owner_id)
        with pytest.raises(asyncpg.InsufficientPrivilegeError):  # never rewritten
            await _in_context(owner, e, "UPDATE migration.runbook_templates SET body = '{}'")
    finally:
        await owner.close()
        await viewer.close()
    stored = await superuser_conn.fetch("SELECT imported_by FROM migration.runbook_templates WHERE engagement_id = $1",
                                        e.ref.id)
    assert [r["imported_by"] for r in stored] == [e.owner_id]
