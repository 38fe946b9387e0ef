"""The audit trail: statement-level triggers write one security_audit_logs row per changed row.

Updates record only the columns that changed (old/new), with the actor from app.user_id; an update
that changes nothing is not recorded; bulk statements are audited set-based; inserts that merge a data import are one event per
statement, and so are a worker's rule rewrites (never a person's updates); deletes keep the old row; and the
application role can only append to the trail, never rewrite it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING
from uuid import UUID

import asyncpg
import pytest

from db.pool import connect, tenant_transaction
from db.queries import sql
from tests.conftest import RawTenant, give_login, insert_raw_tenant, make_engagement

if TYPE_CHECKING:
    from tests.conftest import TestDatabase


@pytest.fixture
async def tenant(app_pool: asyncpg.Pool) -> RawTenant:
    """A fresh tenant per test, so every audit row of the tenant belongs to that test."""
    return await insert_raw_tenant(app_pool, "audit")


class _OneConnection:
    """A pool-shaped wrapper that always hands out the same connection."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[asyncpg.Connection]:
        yield self._conn


async def insert_assets(pool: asyncpg.Pool | _OneConnection, tenant: RawTenant, count: int) -> list[UUID]:
    async with tenant_transaction(pool, tenant.client_id, tenant.engagement_id, tenant.user_id) as conn:
        rows = await conn.fetch(
            "INSERT INTO migration.assets (client_account_id, engagement_id, name, hostname, cpu_cores, environment)"
            " SELECT $1, $2, 'asset-' || g, 'host-' || g, 2, 'test' FROM generate_series(1, $3) g RETURNING id",
            tenant.client_id, tenant.engagement_id, count,
        )
    return [r["id"] for r in rows]


async def audit_rows(superuser_conn: asyncpg.Connection, tenant: RawTenant, operation: str, table: str = "assets") -> list:
    return await superuser_conn.fetch(
        "SELECT * FROM migration.security_audit_logs"
        " WHERE client_account_id = $1 AND table_name = $2 AND operation = $3 ORDER BY created_at, row_id",
        tenant.client_id, table, operation,
    )


async def test_an_update_is_recorded_with_actor_and_only_the_changed_columns(
    tenant: RawTenant, app_pool: asyncpg.Pool, superuser_conn: asyncpg.Connection
) -> None:
    [asset] = await insert_assets(app_pool, tenant, 1)
    assert await audit_rows(superuser_conn, tenant, "update") == []
    async with tenant_transaction(app_pool, tenant.client_id, tenant.engagement_id, tenant.user_id) as conn:
        status = await conn.execute(
            "UPDATE migration.assets SET cpu_cores = 8, environment = 'production', hostname = hostname WHERE id = $1",
            asset,
        )
    assert status == "UPDATE 1"
    [row] = await audit_rows(superuser_conn, tenant, "update")
    assert row["actor_user_id"] == tenant.user_id
    assert row["table_name"] == "assets"
    assert row["row_id"] == asset
    assert row["client_account_id"] == tenant.client_id
    assert row["engagement_id"] == tenant.engagement_id
    # hostname was assigned its own value and updated_at moved (trigger): neither is a change to record
    assert row["changes"] == {
        "cpu_cores": {"old": 2, "new": 8},
        "environment": {"old": "test", "new": "production"},
    }


async def test_an_update_that_changes_nothing_is_not_recorded(
    tenant: RawTenant, app_pool: asyncpg.Pool, superuser_conn: asyncpg.Connection
) -> None:
    [asset] = await insert_assets(app_pool, tenant, 1)
    async with tenant_transaction(app_pool, tenant.client_id, tenant.engagement_id, tenant.user_id) as conn:
        before = await conn.fetchval("SELECT updated_at FROM migration.assets WHERE id = $1", asset)
        assert await conn.execute("UPDATE migration.assets SET name = name, cpu_cores = 2 WHERE id = $1", asset) == "UPDATE 1"
    async with tenant_transaction(app_pool, tenant.client_id, tenant.engagement_id, tenant.user_id) as conn:
        # updated_at is touched by its trigger even so: it is the only difference, and it is excluded
        assert await conn.fetchval("SELECT updated_at FROM migration.assets WHERE id = $1", asset) > before
    assert await audit_rows(superuser_conn, tenant, "update") == []


async def test_the_actor_is_null_without_app_user_id(
    tenant: RawTenant, app_pool: asyncpg.Pool, superuser_conn: asyncpg.Connection
) -> None:
    [asset] = await insert_assets(app_pool, tenant, 1)
    async with tenant_transaction(app_pool, tenant.client_id, tenant.engagement_id) as conn:
        await conn.execute("UPDATE migration.assets SET cpu_cores = 4 WHERE id = $1", asset)
    [row] = await audit_rows(superuser_conn, tenant, "update")
    assert row["actor_user_id"] is None


async def test_a_bulk_update_writes_one_audit_row_per_asset_from_statement_level_triggers(
    tenant: RawTenant, migrated_db: TestDatabase, superuser_conn: asyncpg.Connection
) -> None:
    triggers = await superuser_conn.fetch(
        "SELECT tgname, (tgtype & 1) = 1 AS for_each_row, tgoldtable, tgnewtable, tgfoid::regproc::text AS fn"
        "  FROM pg_trigger WHERE tgrelid = 'migration.assets'::regclass AND NOT tgisinternal"
    )
    audit = [t for t in triggers if t["fn"] == "migration.audit_changes"]
    assert sorted(t["tgname"] for t in audit) == ["audit_delete", "audit_insert", "audit_update"]
    assert not any(t["for_each_row"] for t in audit), "audit triggers must be FOR EACH STATEMENT"
    assert all(t["tgnewtable"] or t["tgoldtable"] for t in audit), "audit triggers need transition tables"

    # A connection of its own: on a pooled connection that already ran >= 5 small audited UPDATEs of
    # assets, audit_changes() reuses a cached plan that is quadratic in the statement's row count
    # (500 rows: ~9 s instead of ~1 s; see the report). The rows written are the same either way.
    conn = await connect(migrated_db.app_url)
    try:
        one = _OneConnection(conn)
        ids = await insert_assets(one, tenant, 500)
        inserted = await audit_rows(superuser_conn, tenant, "insert")
        assert len(inserted) == 500
        assert {r["row_id"] for r in inserted} == set(ids)

        async with tenant_transaction(one, tenant.client_id, tenant.engagement_id, tenant.user_id) as tx:
            status = await tx.execute(
                "UPDATE migration.assets SET migration_status = 'assessed', six_r_strategy = 'rehost'"
                " WHERE engagement_id = $1",
                tenant.engagement_id,
            )
    finally:
        await conn.close()
    assert status == "UPDATE 500"
    updated = await audit_rows(superuser_conn, tenant, "update")
    assert len(updated) == 500
    assert {r["row_id"] for r in updated} == set(ids)
    assert {r["actor_user_id"] for r in updated} == {tenant.user_id}
    assert all(
        r["changes"] == {
            "migration_status": {"old": "not_started", "new": "assessed"},
            "six_r_strategy": {"old": None, "new": "rehost"},
        }
        for r in updated
    )


async def test_inserts_while_merging_an_import_are_one_event_per_statement_with_the_row_ids(
    tenant: RawTenant, app_pool: asyncpg.Pool, superuser_conn: asyncpg.Connection
) -> None:
    data_import_id = UUID("00000000-0000-4000-8000-00000000b01c")  # the audit row only names it
    async with tenant_transaction(app_pool, tenant.client_id, tenant.engagement_id, tenant.user_id) as conn:
        await conn.execute(sql("audit_bulk_import"), data_import_id)
        ids = [r["id"] for r in await conn.fetch(
            "INSERT INTO migration.assets (client_account_id, engagement_id, name)"
            " SELECT $1, $2, 'bulk-' || g FROM generate_series(1, 300) g RETURNING id",
            tenant.client_id, tenant.engagement_id,
        )]
        await conn.execute("UPDATE migration.assets SET cpu_cores = 8 WHERE id = $1", ids[0])

    [event] = await audit_rows(superuser_conn, tenant, "insert")
    assert event["row_id"] is None
    assert (event["engagement_id"], event["actor_user_id"]) == (tenant.engagement_id, tenant.user_id)
    assert event["changes"] == {"bulk_import": {"data_import_id": str(data_import_id), "rows": 300,
                                                "ids": sorted(str(i) for i in ids)}}
    # updates keep their old and new values, bulk or not
    [update] = await audit_rows(superuser_conn, tenant, "update")
    assert (update["row_id"], update["changes"]) == (ids[0], {"cpu_cores": {"old": None, "new": 8}})

    # the setting is transaction-local: the next transaction's inserts are audited row by row again
    await insert_assets(app_pool, tenant, 2)
    assert len(await audit_rows(superuser_conn, tenant, "insert")) == 3


async def test_a_delete_is_recorded_with_the_old_row(
    tenant: RawTenant, app_pool: asyncpg.Pool, superuser_conn: asyncpg.Connection
) -> None:
    [asset] = await insert_assets(app_pool, tenant, 1)
    async with tenant_transaction(app_pool, tenant.client_id, tenant.engagement_id, tenant.user_id) as conn:
        old = await conn.fetchval("SELECT to_jsonb(a) FROM migration.assets a WHERE id = $1", asset)
        assert await conn.execute("DELETE FROM migration.assets WHERE id = $1", asset) == "DELETE 1"
    [row] = await audit_rows(superuser_conn, tenant, "delete")
    assert row["row_id"] == asset
    assert row["actor_user_id"] == tenant.user_id
    assert row["engagement_id"] == tenant.engagement_id
    assert row["changes"] == {"old": old}


async def test_the_application_role_cannot_rewrite_the_audit_trail(
    tenant: RawTenant, app_pool: asyncpg.Pool, superuser_conn: asyncpg.Connection
) -> None:
    await insert_assets(app_pool, tenant, 1)
    before = await superuser_conn.fetch(
        "SELECT to_jsonb(l) AS j FROM migration.security_audit_logs l WHERE client_account_id = $1 ORDER BY id",
        tenant.client_id,
    )
    assert len(before) >= 3  # client, engagement and asset inserts
    async with tenant_transaction(app_pool, tenant.client_id, tenant.engagement_id, tenant.user_id) as conn:
        assert await conn.fetchval("SELECT count(*) FROM migration.security_audit_logs") == len(before)
        for statement in (
            "UPDATE migration.security_audit_logs SET changes = '{}'::jsonb",
            "UPDATE migration.security_audit_logs SET actor_user_id = NULL WHERE client_account_id = $1",
            "DELETE FROM migration.security_audit_logs",
            "DELETE FROM migration.security_audit_logs WHERE client_account_id = $1",
            "TRUNCATE migration.security_audit_logs",
            "DELETE FROM migration.security_audit_logs_default",
        ):
            args = (tenant.client_id,) if "$1" in statement else ()
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
                async with conn.transaction():
                    await conn.execute(statement, *args)
    after = await superuser_conn.fetch(
        "SELECT to_jsonb(l) AS j FROM migration.security_audit_logs l WHERE client_account_id = $1 ORDER BY id",
        tenant.client_id,
    )
    assert [r["j"] for r in after] == [r["j"] for r in before]


async def test_a_workers_rule_rewrite_is_one_event_per_statement_naming_the_step_and_rows(
    tenant: RawTenant, app_pool: asyncpg.Pool, superuser_conn: asyncpg.Connection
) -> None:
    ids = await insert_assets(app_pool, tenant, 300)
    rewrite = {"step": "assessment.score_complexity", "workflow_id": "engagement-1/assessment", "run_id": "run-1"}
    async with tenant_transaction(app_pool, tenant.client_id, tenant.engagement_id) as conn:
        await conn.execute(sql("audit_rule_rewrite"), rewrite | {"extra": "x" * 10_000})  # only the three are kept
        await conn.execute("UPDATE migration.assets SET complexity_score = 12.5 WHERE engagement_id = $1",
                           tenant.engagement_id)
        # other tables than assets keep their diffs
        await conn.execute("UPDATE migration.engagements SET description = 'rewritten' WHERE id = $1",
                           tenant.engagement_id)
    [event] = await audit_rows(superuser_conn, tenant, "update")
    assert (event["row_id"], event["engagement_id"], event["actor_user_id"]) == (None, tenant.engagement_id, None)
    assert event["changes"] == {"rule_rewrite": {**rewrite, "rows": 300, "ids": sorted(str(i) for i in ids)}}
    [engagement] = await audit_rows(superuser_conn, tenant, "update", "engagements")
    assert engagement["changes"]["description"]["new"] == "rewritten"

    # transaction-local: the next update is a diff again
    async with tenant_transaction(app_pool, tenant.client_id, tenant.engagement_id) as conn:
        await conn.execute("UPDATE migration.assets SET complexity_score = 20 WHERE id = $1", ids[0])
    changes = [r["changes"] for r in await audit_rows(superuser_conn, tenant, "update") if r["row_id"] == ids[0]]
    assert changes == [{"complexity_score": {"old": 12.5, "new": 20}}]


@pytest.mark.parametrize("value", ["not json {", "null", '"a step"', "[1, 2]", '{"step": "only a step"}'])
async def test_a_rule_rewrite_setting_that_is_not_the_object_fails_the_update_in_one_line(
    tenant: RawTenant, app_pool: asyncpg.Pool, value: str
) -> None:
    [asset] = await insert_assets(app_pool, tenant, 1)
    with pytest.raises(asyncpg.RaiseError, match="app.rule_rewrite must be a JSON object with step, workflow_id and"):
        async with tenant_transaction(app_pool, tenant.client_id, tenant.engagement_id) as conn:
            await conn.execute("SELECT set_config('app.rule_rewrite', $1, true)", value)
            await conn.execute("UPDATE migration.assets SET cpu_cores = 16 WHERE id = $1", asset)
    async with tenant_transaction(app_pool, tenant.client_id, tenant.engagement_id) as conn:
        assert await conn.fetchval("SELECT cpu_cores FROM migration.assets WHERE id = $1", asset) == 2


async def test_a_persons_login_that_claims_a_rule_rewrite_is_still_audited_row_by_row(
    app_pool: asyncpg.Pool, migrated_db: TestDatabase, superuser_conn: asyncpg.Connection
) -> None:
    made = await make_engagement(app_pool)
    owner = await give_login(migrated_db, made.owner_id)
    conn = await asyncpg.connect(migrated_db.app_url, user=owner["PGUSER"], password=owner["PGPASSWORD"])
    try:
        async with conn.transaction():
            await conn.execute(sql("set_tenant_context"), str(made.ref.client_account_id), str(made.ref.id), None)
            await conn.execute("SELECT set_config('app.rule_rewrite', $1, true)", '{"step": "cover my tracks"}')
            assert await conn.execute("UPDATE migration.engagements SET start_date = '2031-02-03' WHERE id = $1",
                                      made.ref.id) == "UPDATE 1"
    finally:
        await conn.close()
    [row] = await superuser_conn.fetch(
        "SELECT * FROM migration.security_audit_logs WHERE table_name = 'engagements' AND operation = 'update'"
        " AND row_id = $1", made.ref.id)
    assert row["actor_user_id"] == made.owner_id
    assert row["changes"]["start_date"]["new"] == "2031-02-03" and "rule_rewrite" not in row["changes"]
