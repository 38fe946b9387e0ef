"""Nobody acts as someone else: identity is the database's (each person's own login), access is membership.

Two clients, A and B. Engagement A runs (a real worker, discovery awaiting approval) with an owner, a
contributor and a viewer; client B's owner and a person with no membership at all attack it through every
command of the CLI, by id and by name, and straight through the Temporal client with forged updates and
signals. Nothing of A may show in what they get, nothing of A may change, and A's own people keep exactly the
rights of their roles.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from uuid import UUID

import asyncpg
import pytest
from temporalio.client import WorkflowUpdateFailedError

from db.people import record_request
from db.queries import sql
from domain.flow_contracts import ApproveRequest, ControlRequest
from runtime import engagement_control as control
from tests.conftest import give_login, make_engagement
from tests.flow_helpers import fetchval, inventory_file, run_starter, running_worker, wait_for
from workflows.master_flow import MasterFlowWorkflow

# What a person sees when an engagement is not theirs: the same answer as for one that does not exist.
NOT_THEIRS = ("no engagement", "no client account")


def _commands(ref: str, client: str, asset: str, files: Path) -> dict[str, tuple[str, ...]]:
    """Every command that names an engagement (or its client), with arguments that would work for a member."""
    return {
        "status": ("status", ref),
        "status --json": ("status", ref, "--json"),
        "mappings show": ("mappings", "show", ref),
        "mappings set": ("mappings", "set", ref, "Server Name=name"),
        "mappings approve": ("mappings", "approve", ref),
        "imports list": ("imports", "list", ref),
        "imports quarantine": ("imports", "quarantine", ref, "--out", str(files / "quarantine.csv")),
        "assets list": ("assets", "list", ref),
        "assets show": ("assets", "show", ref, asset),
        "conflicts list": ("conflicts", "list", ref),
        "conflicts resolve": ("conflicts", "resolve", ref, "00000000", "--keep"),
        "strategy set": ("strategy", "set", ref, asset, "retire", "--reason", "mine now"),
        "plan export": ("plan", "export", ref, "--out", str(files / "plan.csv")),
        "plan import": ("plan", "import", ref, str(files / "edited-plan.csv")),
        "report": ("report", ref, "--out", str(files / "report")),
        "launch": ("launch", ref, "--import", str(files / "inventory.csv")),
        "approve": ("approve", ref, "discovery"),
        "reject": ("reject", ref, "discovery", "--reason", "mine"),
        "rollback": ("rollback", ref, "discovery"),
        "pause": ("pause", ref),
        "resume": ("resume", ref),
        "cancel": ("cancel", ref),
        "add-member": ("engagement", "add-member", ref, "intruder@evil.example", "--role", "owner"),
        "engagement list": ("engagement", "list", client),
        "engagement create": ("engagement", "create", client, "Shadow engagement"),
        "tenant add-admin": ("tenant", "add-admin", client, "intruder@evil.example"),
    }


@pytest.fixture
async def estate(dev_env, app_pool, migrated_db, cli_env, tmp_path: Path):
    """Client A's running engagement (awaiting approval of discovery, a worker running) and its people."""
    a = await make_engagement(app_pool)
    b = await make_engagement(app_pool)
    contributor = await app_pool.fetchval(
        "SELECT migration.person_by_email($1, NULL)", f"contributor-{a.ref.id.hex[:8]}@example.com")
    from db import tenancy
    await tenancy.add_member(app_pool, a.ref, contributor, "contributor")
    files = tmp_path / "files"
    files.mkdir()
    inventory = inventory_file(files, 8)
    inventory.rename(files / "inventory.csv")
    (files / "edited-plan.csv").write_text("asset id,name,wave\n00000000-0000-0000-0000-000000000001,web01,2\n")
    base = {k: v for k, v in cli_env.items() if k not in ("PGUSER", "PGPASSWORD")}
    envs = {
        "owner": base | await give_login(migrated_db, a.owner_id),
        "contributor": base | await give_login(migrated_db, contributor),
        "viewer": base | await give_login(migrated_db, a.viewer_id),
        "other client's owner": base | await give_login(migrated_db, b.owner_id),
        "outsider": base | await give_login(migrated_db),
    }
    async with running_worker(dev_env.client, app_pool) as queue:
        await control.launch(dev_env.client, app_pool, a.ref, [files / "inventory.csv"], queue)
        await wait_for(dev_env.client, a.ref, lambda st: st.awaiting_approval == "discovery")
        yield a, b, envs, files


async def _state(app_pool, ref) -> tuple:
    """What an attack could change of engagement A."""
    return (
        await fetchval(app_pool, ref, "SELECT count(*) FROM migration.person_requests"),
        await fetchval(app_pool, ref, "SELECT count(*) FROM migration.phase_approvals"),
        await fetchval(app_pool, ref, "SELECT count(*) FROM migration.data_imports"),
        await fetchval(app_pool, ref, "SELECT string_agg(user_id::text || role, ',' ORDER BY user_id) "
                                      "FROM migration.engagement_members"),
        await fetchval(app_pool, ref, "SELECT string_agg(coalesce(six_r_strategy, '-'), ',' ORDER BY id) "
                                      "FROM migration.assets"),
        await fetchval(app_pool, ref, "SELECT status FROM migration.crewai_flow_state_extensions"),
    )


async def test_people_of_another_client_and_outsiders_see_and_change_nothing(estate, app_pool, dev_env) -> None:
    a, _, envs, files = estate
    client_slug = await app_pool.fetchval("SELECT slug FROM migration.client_directory() WHERE id = $1",
                                          a.ref.client_account_id)
    asset = await fetchval(app_pool, a.ref, "SELECT name FROM migration.assets ORDER BY name LIMIT 1")
    secrets = {a.ref.name, str(a.ref.client_account_id), asset}
    before = await _state(app_pool, a.ref)
    runs = []
    by_id, by_name = (str(a.ref.id), str(a.ref.client_account_id)), (f"{client_slug}/{a.ref.name}", client_slug)
    for who, refs in (("other client's owner", (by_id, by_name)), ("outsider", (by_name,))):
        for ref, client in refs:
            for name, args in _commands(ref, client, asset, files).items():
                runs.append((who, (ref, client), name, run_starter(envs[who], *args)))
    results = []
    for batch in range(0, len(runs), 4):  # a few at a time: each is a process of its own
        results += await asyncio.gather(*(run for *_, run in runs[batch:batch + 4]))
    for (who, typed, name, _), (code, out, err) in zip(runs, results, strict=True):
        assert code == 1, (who, name, code, out, err)
        assert any(answer in err for answer in NOT_THEIRS), (who, name, err)
        shown = out + err.replace(typed[0], "").replace(typed[1], "")  # what they typed may come back, nothing else
        assert not [s for s in secrets if s in shown], (who, name, out, err)
    assert not (files / "quarantine.csv").exists() and not (files / "plan.csv").exists()
    assert not (files / "report").exists()
    assert await _state(app_pool, a.ref) == before
    st = await control.status(dev_env.client, a.ref)
    assert (st.awaiting_approval, st.phases_completed, st.paused) == ("discovery", (), False)


async def test_each_member_has_exactly_the_rights_of_their_role(estate, app_pool, dev_env, migrated_db) -> None:
    a, _, envs, files = estate
    asset = await fetchval(app_pool, a.ref, "SELECT name FROM migration.assets ORDER BY name LIMIT 1")
    ref = str(a.ref.id)
    commands = _commands(ref, str(a.ref.client_account_id), asset, files)
    for name in ("status", "mappings show", "imports list", "assets list", "assets show", "conflicts list"):
        code, out, err = await run_starter(envs["viewer"], *commands[name])
        assert code == 0, (name, err)
    for who, name, refusal in (
        ("viewer", "approve", "may not approve"),
        ("viewer", "pause", "may not pause"),
        ("viewer", "cancel", "may not cancel"),
        ("viewer", "strategy set", "may not override strategies"),
        ("viewer", "add-member", "refused by the database"),
        ("contributor", "approve", "may not approve"),
        ("contributor", "add-member", "refused by the database"),
        ("owner", "engagement create", "refused by the database"),  # engagements are the client admins'
        ("owner", "tenant add-admin", "only a platform administrator"),
    ):
        code, out, err = await run_starter(envs[who], *commands[name])
        assert code == 1 and refusal in err, (who, name, code, out, err)
    # A viewer who adds themselves, or an owner who names a stranger, are told apart by the database.
    code, _, err = await run_starter(envs["viewer"], "engagement", "add-member", ref,
                                     await app_pool.fetchval("SELECT email FROM migration.users WHERE id = $1",
                                                             a.viewer_id), "--role", "owner")
    assert code == 1 and "refused by the database" in err
    assert await fetchval(app_pool, a.ref, "SELECT role FROM migration.engagement_members WHERE user_id = $1",
                          a.viewer_id) == "viewer"
    code, out, err = await run_starter(envs["contributor"], "strategy", "set", ref, asset, "retire", "--reason", "eol")
    assert code == 0, err
    code, out, err = await run_starter(envs["owner"], "approve", ref, "discovery")
    assert code == 0, err
    approver = await fetchval(app_pool, a.ref, "SELECT decided_by FROM migration.phase_approvals")
    assert approver == a.owner_id  # the proven person, from their login
    # The audit rows of this asset's strategy changes (the assessment the approval started writes others).
    asset_id = await fetchval(app_pool, a.ref, "SELECT id FROM migration.assets WHERE name = $1", asset)
    overridden = """SELECT actor_user_id FROM migration.security_audit_logs
                     WHERE table_name = 'assets' AND row_id = $1 AND changes -> 'six_r_strategy' ->> 'new' = $2"""
    contributor = await app_pool.fetchval("SELECT id FROM migration.users WHERE login_role = $1",
                                          envs["contributor"]["PGUSER"])
    assert await fetchval(app_pool, a.ref, overridden, asset_id, "retire") == contributor
    # Straight SQL under their own login, claiming to be the owner: the audit still names them.
    conn = await asyncpg.connect(migrated_db.app_url, user=envs["contributor"]["PGUSER"],
                                 password=envs["contributor"]["PGPASSWORD"])
    try:
        async with conn.transaction():
            await conn.execute(sql("set_tenant_context"), str(a.ref.client_account_id), str(a.ref.id), str(a.owner_id))
            await conn.execute("UPDATE migration.assets SET strategy_source = 'user', six_r_strategy = 'retain' "
                               "WHERE name = $1", asset)
    finally:
        await conn.close()
    assert await fetchval(app_pool, a.ref, overridden, asset_id, "retain") == contributor


async def test_forged_updates_and_signals_sent_straight_to_temporal_change_nothing(estate, app_pool, dev_env) -> None:
    a, b, _, _ = estate
    master = control.handle(dev_env.client, a.ref)
    before = await _state(app_pool, a.ref)
    # Another engagement's genuine approval request, a viewer's recorded pause, and no request at all.
    elsewhere = await record_request(app_pool, b.ref, "approve", "discovery", on_behalf_of=b.owner_id)
    forged = [
        ApproveRequest(client_account_id=a.ref.client_account_id, phase="discovery", approver=a.owner_id),
        ApproveRequest(client_account_id=a.ref.client_account_id, phase="discovery", approver=a.owner_id,
                       request_id=elsewhere),
        ApproveRequest(client_account_id=a.ref.client_account_id, phase="discovery", approver=a.owner_id,
                       request_id=UUID(int=1)),
    ]
    for request in forged:
        with pytest.raises(WorkflowUpdateFailedError):
            await master.execute_update(MasterFlowWorkflow.approve_phase_update, request)
    # A request for something else (a pause) does not approve; a genuine one acts once only.
    pause = await record_request(app_pool, a.ref, "pause", on_behalf_of=a.owner_id)
    with pytest.raises(WorkflowUpdateFailedError):
        await master.execute_update(MasterFlowWorkflow.approve_phase_update, ApproveRequest(
            client_account_id=a.ref.client_account_id, phase="discovery", approver=a.owner_id, request_id=pause))
    viewer_pause = await record_request(app_pool, a.ref, "pause", on_behalf_of=a.viewer_id)
    await master.signal(MasterFlowWorkflow.pause, ControlRequest(request_id=viewer_pause))
    await master.signal(MasterFlowWorkflow.approve_phase_signal, forged[0])
    await asyncio.sleep(2)
    st = await control.status(dev_env.client, a.ref)
    assert (st.awaiting_approval, st.phases_completed, st.paused) == ("discovery", (), False)
    after = await _state(app_pool, a.ref)
    assert after[1:] == before[1:]  # only the requests recorded above were written


async def test_an_owner_changes_their_own_role_once_another_owner_exists(estate, app_pool) -> None:
    a, _, envs, _ = estate
    ref, owner = str(a.ref.id), envs["owner"]
    email = await app_pool.fetchval("SELECT email FROM migration.users WHERE id = $1", a.owner_id)
    contributor = await app_pool.fetchval("SELECT email FROM migration.users WHERE login_role = $1",
                                          envs["contributor"]["PGUSER"])
    code, _, err = await run_starter(owner, "engagement", "add-member", ref, email, "--role", "approver")
    assert code == 1 and "is the only owner" in err
    assert (await run_starter(owner, "engagement", "add-member", ref, contributor, "--role", "owner"))[0] == 0
    code, _, err = await run_starter(owner, "engagement", "add-member", ref, email, "--role", "approver")
    assert code == 0, err
    assert await fetchval(app_pool, a.ref, "SELECT role FROM migration.engagement_members WHERE user_id = $1",
                          a.owner_id) == "approver"


async def test_a_login_that_is_no_persons_is_told_so(cli_env, migrated_db) -> None:
    """The service role's own login, used from the CLI, is no person: one line saying so, nothing read."""
    from tests.conftest import APP_PASSWORD
    env = cli_env | {"PGUSER": "migration_app", "PGPASSWORD": APP_PASSWORD}
    code, out, err = await run_starter(env, "tenant", "list")
    assert (code, out) == (1, "")
    assert "the database login 'migration_app' is not a person of the platform" in err


async def test_people_may_run_only_the_definer_functions_meant_for_them(superuser_conn) -> None:
    """A SECURITY DEFINER function runs with its owner's rights: a person may execute only those written to check
    the caller themselves (the rest, like transitions, partitions and statistics, are the workers')."""
    callable_by_people = {r["proname"] for r in await superuser_conn.fetch("""
        SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = 'migration' AND p.prosecdef
           AND has_function_privilege('migration_person', p.oid, 'EXECUTE')""")}
    assert callable_by_people == {
        "person_id", "is_client_admin", "person_may", "person_sees_client", "is_member", "engagement_has_members",
        "shares_engagement", "client_directory", "engagement_directory", "create_person_login", "person_by_email",
        "add_client_admin", "audit_changes",
        # erasure (schema 0032): each checks that the caller administers the platform
        "privacy_erase_user", "privacy_erase_client", "privacy_erased"}


async def test_a_forged_launch_runs_nothing_and_a_request_acts_in_one_run_only(dev_env, app_pool, tmp_path) -> None:
    """Started straight through Temporal, with every phase to auto-approve and no recorded launch, an engagement
    fails before its first phase; a request claimed by one workflow run is refused to any other."""
    from temporalio.client import WorkflowFailureError
    from temporalio.testing import ActivityEnvironment

    from activities.engagement_context import EngagementActivities
    from domain.flow_contracts import MasterFlowInput, RequestCheck, Tenant
    from domain.vocabulary import PHASES
    from workflows.ids import master_workflow_id

    e = await make_engagement(app_pool)
    tenant = Tenant(client_account_id=e.ref.client_account_id, engagement_id=e.ref.id)
    async with running_worker(dev_env.client, app_pool) as queue:
        with pytest.raises(WorkflowFailureError) as failed:
            await dev_env.client.execute_workflow(
                MasterFlowWorkflow.run, MasterFlowInput(tenant=tenant, master_flow_id=UUID(int=7),
                                                        auto_approve=PHASES, data_import_ids=(UUID(int=8),)),
                id=master_workflow_id(e.ref.id), task_queue=queue)
    assert "must name the person's recorded request" in str(failed.value.cause)
    assert await fetchval(app_pool, e.ref, "SELECT count(*) FROM migration.crewai_flow_state_extensions") == 0

    approve = await record_request(app_pool, e.ref, "approve", "discovery", on_behalf_of=e.owner_id)
    verify = EngagementActivities(app_pool).verify_person_request
    check = RequestCheck(tenant=tenant, request_id=approve, kind="approve", phase="discovery", claimant="run-1")
    env = ActivityEnvironment()
    assert (await env.run(verify, check)).person == e.owner_id
    assert (await env.run(verify, check)).person == e.owner_id  # the same run again: a retried activity
    with pytest.raises(Exception, match="has been acted on already"):
        await env.run(verify, check.model_copy(update={"claimant": "run-2"}))


async def test_a_person_cannot_date_or_name_a_request_nor_an_administrator_take_over_another_clients_person(
    app_pool, migrated_db, cli_env
) -> None:
    a, b = await make_engagement(app_pool), await make_engagement(app_pool)
    owner = await give_login(migrated_db, a.owner_id)
    conn = await asyncpg.connect(migrated_db.app_url, user=owner["PGUSER"], password=owner["PGPASSWORD"])
    try:
        for columns, values in (("id", "gen_random_uuid()"), ("created_at", "'2100-01-01'"), ("used_by", "'x'")):
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
                async with conn.transaction():
                    await conn.execute(sql("set_tenant_context"), str(a.ref.client_account_id), str(a.ref.id), None)
                    await conn.execute(
                        f"INSERT INTO migration.person_requests (client_account_id, engagement_id, kind, {columns})"
                        f" VALUES ($1, $2, 'pause', {values})", a.ref.client_account_id, a.ref.id)
    finally:
        await conn.close()
    # An administrator of client A gives logins to new people, not to B's owner, who has none yet.
    admin = await give_login(migrated_db)
    admin_id = await app_pool.fetchval("SELECT id FROM migration.users WHERE login_role = $1", admin["PGUSER"])
    async with app_pool.acquire() as c, c.transaction():
        await c.execute(sql("set_tenant_context"), str(a.ref.client_account_id), None, None)
        await c.execute("INSERT INTO migration.client_admins (client_account_id, user_id) VALUES ($1, $2)",
                        a.ref.client_account_id, admin_id)
    as_admin = {k: v for k, v in cli_env.items() if k not in ("PGUSER", "PGPASSWORD")} | admin
    b_owner = await app_pool.fetchval("SELECT email FROM migration.users WHERE id = $1", b.owner_id)
    code, out, err = await run_starter(as_admin, "people", "add", b_owner, "--login", "taken_over", "--json")
    assert (code, out) == (1, "") and "works for a client you do not administer" in err
    assert await app_pool.fetchval("SELECT login_role FROM migration.users WHERE id = $1", b.owner_id) is None
    code, out, err = await run_starter(as_admin, "people", "add", f"new-{admin['PGUSER']}@a.example", "--login",
                                       f"n{admin['PGUSER']}", "--json")
    assert code == 0, err


async def test_a_person_changes_their_own_password(cli_env, migrated_db) -> None:
    person = await give_login(migrated_db)
    env = {k: v for k, v in cli_env.items() if k not in ("PGUSER", "PGPASSWORD")} | person
    code, out, err = await run_starter(env, "people", "password")
    assert code == 0, err
    new = out.split("new password ")[1].split()[0]
    code, _, err = await run_starter(env, "people", "whoami")
    assert code == 1 and "password authentication failed" in err  # the old one no longer works
    code, out, err = await run_starter(env | {"PGPASSWORD": new}, "people", "whoami")
    assert code == 0 and person["PGUSER"] in out, err
