"""The right to be forgotten (`privacy erase-user|erase-client`, schema 0032, docs/privacy.md).

Realistic data first: two clients, a person who works for both (owns an engagement, approves its discovery
with a comment naming themselves, owns assets of the inventory they are named in), a real engagement on the
dev server. After the erasure, the whole database (every table of every schema, every text, json and bytea
column, as a superuser bypassing row-level security) holds neither their e-mail nor their name, while the other
client's rows are unchanged.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import asyncpg
import pytest

from db import tenancy
from domain.discovery.sample_inventory import generate_inventory, write_csv
from runtime import engagement_control as control
from tests.conftest import give_login, make_engagement
from tests.flow_helpers import eventually, fetchval, run_starter, running_worker, wait_for
from workflows.ids import master_workflow_id

pytestmark = pytest.mark.asyncio(loop_scope="session")

TEXT_TYPES = ("text", "character varying", "character", "json", "jsonb", "text[]", "name")


def _inventory(directory: Path, name: str, email: str) -> Path:
    """The sample's first 12 servers, owned by the person: by name, by e-mail, and named in a note."""
    rows = [{**row, "Environment": "production"} for row in generate_inventory(12, seed=7)]
    for i, row in enumerate(rows):
        row["Owner"] = name if i < 4 else (email if i < 7 else row["Owner"])
    rows[8]["Notes"] = f"ask {name} <{email}> before the move"
    path = directory / f"inventory-{uuid.uuid4().hex[:6]}.csv"
    write_csv(rows, path)
    return path


async def _columns(conn: asyncpg.Connection) -> list[tuple[str, str, str, str]]:
    return [tuple(r) for r in await conn.fetch(
        "SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, NULL) FROM pg_attribute a"
        "  JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped"
        "   AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')"
        "   AND (format_type(a.atttypid, NULL) = ANY ($1) OR a.atttypid = 'bytea'::regtype)", list(TEXT_TYPES))]


async def _everywhere(conn: asyncpg.Connection, needle: str) -> list[str]:
    """Every table.column of the database that holds `needle` (any case; bytea as bytes and as UTF-8 text)."""
    found = []
    for schema, table, column, type_name in await _columns(conn):
        target = f'"{schema}"."{table}"'
        if type_name == "bytea":
            hits = await conn.fetchval(
                f'SELECT count(*) FROM {target} WHERE position(convert_to($1, \'UTF8\') IN "{column}") > 0'
                f' OR lower(encode("{column}", \'escape\')) LIKE \'%\' || lower($1) || \'%\'', needle)
        else:
            hits = await conn.fetchval(f'SELECT count(*) FROM {target} WHERE "{column}"::text ILIKE $1',
                                       f"%{needle}%")
        if hits:
            found.append(f"{schema}.{table}.{column} ({hits})")
    return found


async def _tenant_counts(conn: asyncpg.Connection, client_id: uuid.UUID) -> dict[str, int]:
    """Rows per table of a tenant (leaf tables, partitions included)."""
    tables = await conn.fetch(
        "SELECT n.nspname, c.relname, coalesce(pg_partition_root(c.oid), c.oid)::regclass::text AS root"
        "  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relkind = 'r' AND n.nspname = 'migration' AND EXISTS (SELECT 1 FROM pg_attribute a"
        "  WHERE a.attrelid = c.oid AND a.attname = 'client_account_id' AND NOT a.attisdropped)")
    counts: dict[str, int] = {}
    for t in tables:  # a partitioned log counted as one table
        table = t["root"].removeprefix("migration.")
        counts[table] = counts.get(table, 0) + await conn.fetchval(
            f'SELECT count(*) FROM "{t["nspname"]}"."{t["relname"]}" WHERE client_account_id = $1', client_id)
    counts["client_accounts"] = await conn.fetchval("SELECT count(*) FROM migration.client_accounts WHERE id = $1",
                                                    client_id)
    return {table: n for table, n in counts.items() if n}


async def test_every_tenant_table_opens_to_the_erasure_only(superuser_conn) -> None:
    missing = await superuser_conn.fetch(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'migration' AND c.relkind IN ('r', 'p') AND c.relrowsecurity AND NOT c.relispartition"
        "   AND NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = 'privacy_erasure')")
    assert [r["relname"] for r in missing] == []


async def test_erase_user_leaves_no_trace_and_the_other_client_intact(
        dev_env, app_pool, superuser_conn, cli_env, tmp_path: Path) -> None:
    tag = uuid.uuid4().hex[:8]
    name, email = f"Ingrid Kowalczyk{tag}", f"ingrid.k{tag}@example.org"
    person = await tenancy.ensure_user(app_pool, email, name)
    a = await make_engagement(app_pool)
    b = await make_engagement(app_pool)
    successor = a.owner_id
    # the person alone owns an engagement of client A, approves in it, and is a viewer at client B
    solo = await make_engagement(app_pool, a.ref.client_account_id)
    await superuser_conn.execute("DELETE FROM migration.engagement_members WHERE engagement_id = $1", solo.ref.id)
    await tenancy.add_member(app_pool, solo.ref, person, "owner")
    await tenancy.add_member(app_pool, b.ref, person, "viewer")
    successor_email = await fetchval(app_pool, a.ref, "SELECT email FROM migration.users WHERE id = $1", successor)
    await tenancy.add_member(app_pool, solo.ref, successor, "viewer")
    b_before = await _tenant_counts(superuser_conn, b.ref.client_account_id)

    async with running_worker(dev_env.client, app_pool) as queue:
        await control.launch(dev_env.client, app_pool, solo.ref, [_inventory(tmp_path, name, email)], queue,
                             launched_by=person)
        await wait_for(dev_env.client, solo.ref, lambda st: st.awaiting_approval == "discovery")
        await control.approve(dev_env.client, app_pool, solo.ref, "discovery", person, f"checked by {name}")
        await wait_for(dev_env.client, solo.ref, lambda st: st.awaiting_approval == "assessment")
        await control.cancel(dev_env.client, app_pool, solo.ref, person)
    assert await _everywhere(superuser_conn, email) and await _everywhere(superuser_conn, name)
    owners = await fetchval(app_pool, solo.ref, "SELECT count(*) FROM migration.assets WHERE business_owner ~* $1",
                            f"kowalczyk|ingrid\\.k{tag}")
    assert owners == 7

    code, out, err = await run_starter(cli_env, "privacy", "erase-user", email)
    assert code == 2 and "--yes" in err and len(err.strip().splitlines()) == 1
    code, out, err = await run_starter(cli_env, "privacy", "erase-user", email, "--yes")
    assert code == 1 and "--new-owner" in err and solo.ref.name in err and len(err.strip().splitlines()) == 1
    code, out, err = await run_starter(cli_env, "privacy", "erase-user", email, "--yes", "--new-owner", successor_email)
    assert code == 0, err
    assert out.startswith(f"erased {email}: ") and "assets" in out and "retention" in out

    assert await _everywhere(superuser_conn, email) == []
    assert await _everywhere(superuser_conn, name) == []
    pseudonym = await superuser_conn.fetchval("SELECT display_name FROM migration.users WHERE id = $1", person)
    assert pseudonym.startswith("erased-user-")
    # decisions stay, attributed to the pseudonym; the engagement keeps an owner; the assets keep their owner field
    assert await superuser_conn.fetchval("SELECT count(*) FROM migration.phase_approvals WHERE decided_by = $1",
                                         person) == 1
    assert await superuser_conn.fetchval(
        "SELECT user_id FROM migration.engagement_members WHERE engagement_id = $1 AND role = 'owner'",
        solo.ref.id) == successor
    assert await superuser_conn.fetchval("SELECT count(*) FROM migration.assets WHERE engagement_id = $1"
                                         " AND business_owner LIKE 'erased-user-%'", solo.ref.id) == 7
    assert await superuser_conn.fetchval("SELECT count(*) FROM migration.engagement_members WHERE user_id = $1",
                                         person) == 0
    record = await superuser_conn.fetchrow("SELECT * FROM migration.privacy_erasures WHERE pseudonym = $1", pseudonym)
    assert record["subject_kind"] == "user" and record["erased_rows"]["assets"] >= 7
    assert await superuser_conn.fetchval(
        "SELECT count(*) FROM migration.security_audit_logs WHERE table_name = 'users' AND row_id = $1"
        " AND changes ? 'privacy_erasure'", person) == 2   # one per client they worked for
    # client B lost the person's membership only
    b_after = await _tenant_counts(superuser_conn, b.ref.client_account_id)
    assert b_after.pop("engagement_members") == b_before.pop("engagement_members") - 1
    assert b_after.pop("security_audit_logs") == b_before.pop("security_audit_logs") + 2  # the delete, the erasure
    assert b_after == b_before

    code, out, err = await run_starter(cli_env, "privacy", "erase-user", email, "--yes")
    assert code == 0 and "already erased" in out


async def test_erase_client_removes_every_row_and_its_workflows(
        dev_env, app_pool, superuser_conn, cli_env, tmp_path: Path) -> None:
    tag = uuid.uuid4().hex[:8]
    name, email = f"Bartholomew Quist{tag}", f"b.quist{tag}@example.org"
    gone = await make_engagement(app_pool)
    kept = await make_engagement(app_pool)
    person = await tenancy.ensure_user(app_pool, email, name)        # works for the erased client only
    await tenancy.add_member(app_pool, gone.ref, person, "approver")
    shared = kept.owner_id                                             # works for both
    await tenancy.add_member(app_pool, gone.ref, shared, "contributor")
    kept_before = await _tenant_counts(superuser_conn, kept.ref.client_account_id)
    client_name = await superuser_conn.fetchval("SELECT name FROM migration.client_accounts WHERE id = $1",
                                                gone.ref.client_account_id)

    async with running_worker(dev_env.client, app_pool) as queue:
        await control.launch(dev_env.client, app_pool, gone.ref, [_inventory(tmp_path, name, email)], queue,
                             launched_by=gone.owner_id)
        await wait_for(dev_env.client, gone.ref, lambda st: st.awaiting_approval == "discovery")
        code, out, err = await run_starter(cli_env, "privacy", "erase-client", client_name, "--yes")
        assert code == 1 and "--force" in err and len(err.strip().splitlines()) == 1
        code, out, err = await run_starter(cli_env, "privacy", "erase-client", client_name, "--yes", "--force")
    assert code == 0, err
    assert out.startswith(f"erased client {client_name}: ") and "terminated" in out

    assert await _tenant_counts(superuser_conn, gone.ref.client_account_id) == {}
    assert await _everywhere(superuser_conn, str(gone.ref.client_account_id)) == []
    assert await _everywhere(superuser_conn, email) == [] and await _everywhere(superuser_conn, name) == []
    assert await superuser_conn.fetchval("SELECT email FROM migration.users WHERE id = $1", shared) != ""
    assert await superuser_conn.fetchval("SELECT login_role IS NULL AND email LIKE 'erased-user-%'"
                                         " FROM migration.users WHERE id = $1", person)
    assert await _tenant_counts(superuser_conn, kept.ref.client_account_id) == kept_before

    async def no_executions() -> bool:
        return [w async for w in dev_env.client.list_workflows(f"WorkflowId STARTS_WITH 'engagement-{gone.ref.id}'")
                ] == []
    await eventually(no_executions, "the client's workflows deleted")

    code, out, err = await run_starter(cli_env, "privacy", "erase-client", client_name, "--yes")
    assert code == 0 and "already erased" in out


async def test_bad_usage_answers_in_one_line(app_pool, migrated_db, cli_env) -> None:
    e = await make_engagement(app_pool)
    not_admin = cli_env | await give_login(migrated_db, e.owner_id)
    for env, args, expected in [
        (cli_env, ("erase-user", "nobody-here@example.org", "--yes"), "no person with that e-mail"),
        (cli_env, ("erase-user", "not-an-email", "--yes"), "e-mail"),
        (cli_env, ("erase-client", "no such client", "--yes"), "no client account"),
        (cli_env, ("erase-client", "whatever"), "--yes"),
        (not_admin, ("erase-user", "someone@example.org", "--yes"), "platform administrator"),
        (not_admin, ("erase-client", str(e.ref.client_account_id), "--yes"), "platform administrator"),
    ]:
        code, out, err = await run_starter(env, "privacy", *args)
        assert code != 0 and expected in err and len(err.strip().splitlines()) == 1, (args, err)


async def test_erase_user_reaches_an_archived_engagement(app_pool, superuser_conn, cli_env) -> None:
    """An archived engagement is read-only to everyone but an erasure: the person's e-mail in its description goes,
    and it stays archived."""
    e = await make_engagement(app_pool)
    email = await superuser_conn.fetchval("SELECT email FROM migration.users WHERE id = $1", e.viewer_id)
    async with superuser_conn.transaction():  # archived as it is, without a flow that completed (no triggers)
        await superuser_conn.execute("SET LOCAL session_replication_role = replica")
        await superuser_conn.execute(
            "UPDATE migration.engagements SET status = 'archived', archived_at = now(), description = $2 WHERE id = $1",
            e.ref.id, f"questions to {email}")
    code, out, err = await run_starter(cli_env, "privacy", "erase-user", email, "--yes")
    assert code == 0, err
    row = await superuser_conn.fetchrow("SELECT status, description FROM migration.engagements WHERE id = $1", e.ref.id)
    assert row["status"] == "archived" and email not in row["description"], row


async def _binary_upload(conn: asyncpg.Connection, e, imported_by: uuid.UUID) -> uuid.UUID:
    """A workbook's upload (bytes that are not UTF-8) of engagement `e`, with no records."""
    upload = await conn.fetchval(
        "INSERT INTO migration.data_imports (client_account_id, engagement_id, file_name, imported_by)"
        " VALUES ($1, $2, 'inventory.xlsx', $3) RETURNING id", e.ref.client_account_id, e.ref.id, imported_by)
    await conn.execute(
        "INSERT INTO migration.import_file_chunks (client_account_id, engagement_id, data_import_id, chunk_no, content)"
        " VALUES ($1, $2, $3, 0, $4)", e.ref.client_account_id, e.ref.id, upload, b"PK\x03\x04\xff\xfe\x00binary")
    return upload


async def test_erase_user_spares_namesakes_and_other_peoples_workbooks(app_pool, superuser_conn, cli_env) -> None:
    """The name is rewritten where the person is tied, never in a namesake's user row nor another client's row; a
    workbook goes only when it holds the person (they uploaded it), another upload of their client stays."""
    tag = uuid.uuid4().hex[:8]
    name, email = f"Oona Vestergaard{tag}", f"oona.v{tag}@example.org"
    a = await make_engagement(app_pool)
    b = await make_engagement(app_pool)
    person = await tenancy.ensure_user(app_pool, email, name)
    namesake = await tenancy.ensure_user(app_pool, f"other.oona{tag}@example.org", name)
    await tenancy.add_member(app_pool, a.ref, person, "contributor")
    await tenancy.add_member(app_pool, a.ref, namesake, "viewer")
    await superuser_conn.execute("UPDATE migration.client_accounts SET settings = jsonb_build_object('contact', $2::text)"
                                 " WHERE id = ANY ($1::uuid[])", [a.ref.client_account_id, b.ref.client_account_id],
                                 name)
    theirs = await _binary_upload(superuser_conn, a, person)
    others = await _binary_upload(superuser_conn, a, a.owner_id)

    code, out, err = await run_starter(cli_env, "privacy", "erase-user", email, "--yes")
    assert code == 0, err

    assert await superuser_conn.fetchval("SELECT display_name FROM migration.users WHERE id = $1", namesake) == name
    contacts = dict(await superuser_conn.fetch(
        "SELECT id, settings ->> 'contact' FROM migration.client_accounts WHERE id = ANY ($1::uuid[])",
        [a.ref.client_account_id, b.ref.client_account_id]))
    assert contacts[b.ref.client_account_id] == name
    assert contacts[a.ref.client_account_id].startswith("erased-user-")
    chunks = dict(await superuser_conn.fetch(
        "SELECT data_import_id, count(*) FROM migration.import_file_chunks WHERE data_import_id = ANY ($1::uuid[])"
        " GROUP BY 1", [theirs, others]))
    assert chunks == {others: 1}


async def test_a_new_owner_comes_from_the_engagements_client(app_pool, superuser_conn, cli_env) -> None:
    tag = uuid.uuid4().hex[:8]
    email = f"solo.owner{tag}@example.org"
    a = await make_engagement(app_pool)
    b = await make_engagement(app_pool)
    person = await tenancy.ensure_user(app_pool, email, f"Solo Owner{tag}")
    await superuser_conn.execute("DELETE FROM migration.engagement_members WHERE engagement_id = $1", a.ref.id)
    await tenancy.add_member(app_pool, a.ref, person, "owner")
    stranger = await superuser_conn.fetchval("SELECT email FROM migration.users WHERE id = $1", b.owner_id)
    client_name = await superuser_conn.fetchval("SELECT name FROM migration.client_accounts WHERE id = $1",
                                                a.ref.client_account_id)

    code, out, err = await run_starter(cli_env, "privacy", "erase-user", email, "--yes", "--new-owner", stranger)
    assert code == 1 and a.ref.name in err and client_name in err and len(err.strip().splitlines()) == 1, err
    assert await superuser_conn.fetchval("SELECT email FROM migration.users WHERE id = $1", person) == email


async def test_a_rerun_deletes_the_executions_a_dead_erasure_left(dev_env, superuser_conn, app_pool, cli_env) -> None:
    """erase-client died after the database's commit: run again, it says "already erased" and deletes the
    executions of the engagements its record keeps (the client named by name: its id is gone)."""
    e = await make_engagement(app_pool)
    client_name = await superuser_conn.fetchval("SELECT name FROM migration.client_accounts WHERE id = $1",
                                                e.ref.client_account_id)
    await dev_env.client.start_workflow("MasterFlowWorkflow", id=master_workflow_id(e.ref.id),
                                        task_queue=f"nobody-polls-{uuid.uuid4().hex[:6]}")
    await superuser_conn.fetchval("SELECT migration.privacy_erase_client($1)", e.ref.client_account_id)

    code, out, err = await run_starter(cli_env, "privacy", "erase-client", client_name, "--yes")
    assert code == 0 and "already erased" in out and "1 leftover Temporal execution(s) deleted" in out, (out, err)

    async def no_executions() -> bool:
        return [w async for w in dev_env.client.list_workflows(f"WorkflowId STARTS_WITH 'engagement-{e.ref.id}'")
                ] == []
    await eventually(no_executions, "the leftover execution deleted")
