"""Tenant isolation in the database itself (DESIGN contract 4), tested through the application role.

Two tenants A and B each get a full graph of rows in EVERY tenant table, written by the
application role inside the tenant's own context. Then, as the application role:
  * in A's context nothing of B can be read, updated, deleted, or inserted (a copy of a B row);
  * with no context at all nothing can be read or inserted;
  * the context set by db.pool.tenant_transaction ends with its transaction.
The set of tenant tables is discovered from the catalog, so a new tenant table that the seeding
below does not cover makes the suite fail.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING
from uuid import UUID, uuid4

import asyncpg
import pytest

from db.pool import connect, create_pool, tenant_transaction
from domain.vocabulary import PHASES

if TYPE_CHECKING:
    from tests.conftest import TestDatabase

RLS_REFUSED = "new row violates row-level security policy"
PERMISSION_DENIED = "permission denied"

# Every tenant table the seeding below writes. Must equal the catalog's set (see
# test_every_tenant_table_is_seeded_for_both_tenants); security_audit_logs fills itself by triggers.
SEEDED_TABLES = frozenset(
    {
        "client_accounts",
        "engagements",
        "engagement_members",
        "crewai_flow_state_extensions",
        *(f"{phase}_flows" for phase in PHASES),
        "data_imports",
        "import_file_chunks",
        "raw_import_records",
        "import_field_mappings",
        "assets",
        "asset_dependencies",
        "asset_merge_conflicts",
        "asset_external_ids",
        "application_assessments",
        "migration_waves",
        "migration_wave_assets",
        "plan_violations",
        "agent_learning_patterns",
        "llm_usage_log",
        "agent_task_history",
        "agent_recommendations",
        "flow_transitions",
        "phase_approvals",
        "security_audit_logs",
        "client_admins",
        "retention_policies",
        "person_requests",
        "runbook_templates",
        "wave_runbooks",
        "runbook_steps",
        "step_runs",
        "execution_notifications",
    }
)

# Tenant tables of the client alone (no engagement column).
CLIENT_LEVEL_TABLES = frozenset({"client_accounts", "client_admins", "retention_policies"})

TENANT_TABLES_SQL = """
SELECT c.relname
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'migration'
   AND c.relkind IN ('r', 'p')
   AND NOT c.relispartition
   AND (c.relname = 'client_accounts'
        OR EXISTS (SELECT 1 FROM pg_attribute a
                    WHERE a.attrelid = c.oid AND a.attname = 'client_account_id'
                      AND a.attnum > 0 AND NOT a.attisdropped))
 ORDER BY 1
"""


def client_column(table: str) -> str:
    return "id" if table == "client_accounts" else "client_account_id"


@dataclass(frozen=True)
class Tenant:
    client_id: UUID
    engagement_id: UUID
    user_id: UUID
    master_flow_id: UUID


def _embedding(hot: int) -> list[float]:
    vector = [0.0] * 1536
    vector[hot] = 1.0
    return vector


async def seed_tenant_graph(pool: asyncpg.Pool) -> Tenant:
    """One tenant with a row in every tenant table, written as migration_app in its own context."""
    client, engagement, user, master = uuid4(), uuid4(), uuid4(), uuid4()
    phase_flow = {phase: uuid4() for phase in PHASES}
    data_import, asset_1, asset_2, wave, transition = uuid4(), uuid4(), uuid4(), uuid4(), uuid4()
    content = f"hostname,os\nweb-{client.hex[:6]},linux\n".encode()

    async with tenant_transaction(pool, client, engagement, user) as conn:
        await conn.execute(
            "INSERT INTO migration.client_accounts (id, name, slug) VALUES ($1, $2, $3)",
            client, f"Isolation client {client}", f"iso-{client.hex}",
        )
        await conn.execute(
            "INSERT INTO migration.engagements (id, client_account_id, name, status) VALUES ($1, $2, $3, 'active')",
            engagement, client, f"Isolation engagement {engagement}",
        )
        await conn.execute(
            "INSERT INTO migration.users (id, email, display_name) VALUES ($1, $2, 'Iso User')",
            user, f"iso-{user.hex}@example.test",
        )
        await conn.execute(
            "INSERT INTO migration.engagement_members (client_account_id, engagement_id, user_id, role)"
            " VALUES ($1, $2, $3, 'owner')",
            client, engagement, user,
        )
        await conn.execute(
            "INSERT INTO migration.crewai_flow_state_extensions"
            " (client_account_id, engagement_id, flow_id, status, current_phase, temporal_workflow_id)"
            " VALUES ($1, $2, $3, 'running', 'discovery', $4)",
            client, engagement, master, f"engagement-{engagement}",
        )
        for phase, flow_id in phase_flow.items():
            await conn.execute(
                f"INSERT INTO migration.{phase}_flows (client_account_id, engagement_id, flow_id, master_flow_id)"
                " VALUES ($1, $2, $3, $4)",
                client, engagement, flow_id, master,
            )
        await conn.execute(
            "INSERT INTO migration.data_imports (id, client_account_id, engagement_id, master_flow_id,"
            " discovery_flow_id, file_name, content_sha256, file_size_bytes, imported_by)"
            " VALUES ($1, $2, $3, $4, $5, 'servers.csv', $6, $7, $8)",
            data_import, client, engagement, master, phase_flow["discovery"],
            hashlib.sha256(content).hexdigest(), len(content), user,
        )
        await conn.execute(
            "INSERT INTO migration.import_file_chunks (client_account_id, engagement_id, data_import_id, chunk_no, content)"
            " VALUES ($1, $2, $3, 0, $4)",
            client, engagement, data_import, content,
        )
        for asset_id, name in ((asset_1, "web"), (asset_2, "db")):
            await conn.execute(
                "INSERT INTO migration.assets (id, client_account_id, engagement_id, name, hostname, asset_type,"
                " data_import_id, master_flow_id, discovery_flow_id)"
                " VALUES ($1, $2, $3, $4, $4, 'server', $5, $6, $7)",
                asset_id, client, engagement, f"{name}-{client.hex[:6]}", data_import, master, phase_flow["discovery"],
            )
        await conn.execute(
            "INSERT INTO migration.raw_import_records (client_account_id, engagement_id, data_import_id, row_number,"
            " raw_data, status, asset_id) VALUES ($1, $2, $3, 1, $4, 'processed', $5)",
            client, engagement, data_import, {"hostname": f"web-{client.hex[:6]}", "os": "linux"}, asset_1,
        )
        await conn.execute(
            "INSERT INTO migration.import_field_mappings (client_account_id, engagement_id, data_import_id,"
            " source_field, target_field, confidence, source) VALUES ($1, $2, $3, 'hostname', 'hostname', 1.0, 'exact')",
            client, engagement, data_import,
        )
        await conn.execute(
            "INSERT INTO migration.asset_dependencies (client_account_id, engagement_id, source_asset_id,"
            " target_asset_id, port, protocol) VALUES ($1, $2, $3, $4, 5432, 'tcp')",
            client, engagement, asset_1, asset_2,
        )
        await conn.execute(
            "INSERT INTO migration.asset_merge_conflicts (client_account_id, engagement_id, asset_id, field,"
            " kept_value, incoming_value, data_import_id, row_number) VALUES ($1, $2, $3, 'os', $4, $5, $6, 1)",
            client, engagement, asset_1, "linux", "windows", data_import,
        )
        await conn.execute(
            "INSERT INTO migration.asset_external_ids (client_account_id, engagement_id, external_id, asset_id,"
            " data_import_id) VALUES ($1, $2, $3, $4, $5)",
            client, engagement, f"sys-{client.hex[:8]}", asset_1, data_import,
        )
        await conn.execute(
            "INSERT INTO migration.application_assessments (client_account_id, engagement_id, application_name,"
            " asset_count, six_r_strategy, strategy_confidence, strategy_rationale)"
            " VALUES ($1, $2, 'billing', 2, 'rehost', 0.8, $3)",
            client, engagement, {"votes": {"rehost": 2}},
        )
        await conn.execute(
            "INSERT INTO migration.migration_waves (id, client_account_id, engagement_id, planning_flow_id, wave_number)"
            " VALUES ($1, $2, $3, $4, 1)",
            wave, client, engagement, phase_flow["planning"],
        )
        await conn.execute(
            "INSERT INTO migration.migration_wave_assets (client_account_id, engagement_id, wave_id, asset_id)"
            " VALUES ($1, $2, $3, $4)",
            client, engagement, wave, asset_1,
        )
        await conn.execute(
            "INSERT INTO migration.plan_violations (client_account_id, engagement_id, planning_flow_id, rule, detail,"
            " move_groups, asset_ids) VALUES ($1, $2, $3, 'wave_cap', 'wave 1 holds 2 assets, over max_assets = 1',"
            " '{MG-0001}', $4)",
            client, engagement, phase_flow["planning"], [asset_1, asset_2],
        )
        # One engagement-scoped pattern and one client-wide pattern (engagement_id NULL).
        await conn.execute(
            "INSERT INTO migration.agent_learning_patterns (client_account_id, engagement_id, master_flow_id,"
            " insight_type, scope, pattern_key, embedding, embedding_model, raw_evidence, confidence_score)"
            " VALUES ($1, $2, $3, 'field_mapping_suggestion', 'engagement', 'hostname', $4, 'test-onehot', $5, 0.9)",
            client, engagement, master, _embedding(7), {"column": "hostname"},
        )
        await conn.execute(
            "INSERT INTO migration.agent_learning_patterns (client_account_id, engagement_id, insight_type, scope,"
            " pattern_key, embedding, embedding_model, raw_evidence, confidence_score)"
            " VALUES ($1, NULL, 'risk_pattern', 'client', 'eol-os', $2, 'test-onehot', $3, 0.5)",
            client, _embedding(8), {"os": "windows 2008"},
        )
        await conn.execute(
            "INSERT INTO migration.llm_usage_log (client_account_id, engagement_id, master_flow_id, agent_name,"
            " model, provider, prompt_tokens, completion_tokens, cost_usd, success)"
            " VALUES ($1, $2, $3, 'mapper', 'gpt-test', 'openai', 10, 5, 0.001, true)",
            client, engagement, master,
        )
        await conn.execute(
            "INSERT INTO migration.agent_task_history (client_account_id, engagement_id, master_flow_id,"
            " agent_name, task_name, status, duration_ms) VALUES ($1, $2, $3, 'mapper', 'map_columns', 'completed', 12)",
            client, engagement, master,
        )
        await conn.execute(
            "INSERT INTO migration.agent_recommendations (client_account_id, engagement_id, master_flow_id,"
            " subject_type, asset_id, strategy, confidence, rationale, model, input_digest)"
            " VALUES ($1, $2, $3, 'asset', $4, 'replatform', 0.6, 'a managed database fits', 'gpt-test', 'd1')",
            client, engagement, master, asset_1,
        )
        await conn.execute(
            "INSERT INTO migration.flow_transitions (id, client_account_id, engagement_id, master_flow_id, flow_id,"
            " seq, event, phase, occurred_at) VALUES ($1, $2, $3, $4, $4, 1, 'approved', 'discovery', now())",
            transition, client, engagement, master,
        )
        await conn.execute(
            "INSERT INTO migration.phase_approvals (client_account_id, engagement_id, master_flow_id, phase,"
            " phase_flow_id, decision, decided_by, transition_id, decided_at)"
            " VALUES ($1, $2, $3, 'discovery', $4, 'approved', $5, $6, now())",
            client, engagement, master, phase_flow["discovery"], user, transition,
        )
        await conn.execute("INSERT INTO migration.client_admins (client_account_id, user_id) VALUES ($1, $2)",
                           client, user)
        await conn.execute("INSERT INTO migration.retention_policies (client_account_id, archive_after_days)"
                           " VALUES ($1, 30)", client)
        await conn.execute(
            "INSERT INTO migration.person_requests (client_account_id, engagement_id, requested_by, kind, phase)"
            " VALUES ($1, $2, $3, 'approve', 'discovery')", client, engagement, user)
        await conn.execute(
            "INSERT INTO migration.runbook_templates (client_account_id, engagement_id, strategy, version, name, body,"
            " imported_by) VALUES ($1, $2, 'rehost', 1, 'rehost-custom', '{\"groups\": []}', $3)",
            client, engagement, user)
        runbook = await conn.fetchval(
            "INSERT INTO migration.wave_runbooks (client_account_id, engagement_id, execution_flow_id, wave_number,"
            " run_number) VALUES ($1, $2, $3, 1, 1) RETURNING id", client, engagement, phase_flow["execution"])
        step = await conn.fetchval(
            "INSERT INTO migration.runbook_steps (client_account_id, engagement_id, runbook_id, strategy, step_key,"
            " title, step_type, group_index, group_name, scope, position, spec)"
            " VALUES ($1, $2, $3, 'rehost', 'replicate', 'Replicate', 'automated', 1, 'migrate', 'asset', 1, '{}')"
            " RETURNING id", client, engagement, runbook)
        await conn.execute(
            "INSERT INTO migration.step_runs (client_account_id, engagement_id, runbook_id, step_id, workload_key,"
            " asset_id, idempotency_key) VALUES ($1, $2, $3, $4, $5::uuid::text, $5::uuid, $6)",
            client, engagement, runbook, step, asset_1, f"{engagement}/wave-1.run-1/rehost.replicate/{asset_1}/1")
        await conn.execute(
            "INSERT INTO migration.execution_notifications (client_account_id, engagement_id, runbook_id, kind,"
            " dedupe_key, payload) VALUES ($1, $2, $3, 'wave_completed', 'wave-1.run-1/completed', '{}')",
            client, engagement, runbook)
    return Tenant(client, engagement, user, master)


@pytest.fixture(scope="module")
async def tenants(app_pool: asyncpg.Pool) -> tuple[Tenant, Tenant]:
    return await seed_tenant_graph(app_pool), await seed_tenant_graph(app_pool)


@pytest.fixture(scope="module")
async def tenant_tables(superuser_conn: asyncpg.Connection) -> list[str]:
    return [r["relname"] for r in await superuser_conn.fetch(TENANT_TABLES_SQL)]


async def _app_may(superuser_conn: asyncpg.Connection, table: str, privilege: str) -> bool:
    return await superuser_conn.fetchval(
        "SELECT has_table_privilege('migration_app', $1, $2)", f"migration.{table}", privilege
    )


async def _rows_of(superuser_conn: asyncpg.Connection, table: str, client_id: UUID) -> int:
    return await superuser_conn.fetchval(
        f"SELECT count(*) FROM migration.{table} WHERE {client_column(table)} = $1", client_id
    )


async def _copy_with_fresh_id(superuser_conn: asyncpg.Connection, table: str, client_id: UUID) -> tuple[dict, UUID]:
    row = await superuser_conn.fetchval(
        f"SELECT to_jsonb(t) FROM migration.{table} t WHERE {client_column(table)} = $1 LIMIT 1", client_id
    )
    assert row is not None, f"no {table} row of client {client_id} to copy"
    fresh = uuid4()
    row["id"] = str(fresh)
    return row, fresh


async def _assert_insert_refused(
    conn: asyncpg.Connection, superuser_conn: asyncpg.Connection, table: str, row: dict, fresh_id: UUID
) -> None:
    expected = RLS_REFUSED if await _app_may(superuser_conn, table, "INSERT") else PERMISSION_DENIED
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match=expected):
        async with conn.transaction():
            await conn.execute(
                f"INSERT INTO migration.{table} SELECT * FROM jsonb_populate_record(NULL::migration.{table}, $1)", row
            )
    assert await superuser_conn.fetchval(f"SELECT count(*) FROM migration.{table} WHERE id = $1", fresh_id) == 0


# ---------------------------------------------------------------------------------------------
# Structure: the catalog's tenant tables, row-level security flags, the application role.
# ---------------------------------------------------------------------------------------------


async def test_every_tenant_table_is_seeded_for_both_tenants(
    tenants: tuple[Tenant, Tenant], tenant_tables: list[str], superuser_conn: asyncpg.Connection
) -> None:
    assert set(tenant_tables) == SEEDED_TABLES, (
        "tenant tables in the catalog differ from the tables this test seeds: "
        f"unseeded {sorted(set(tenant_tables) - SEEDED_TABLES)}, gone {sorted(SEEDED_TABLES - set(tenant_tables))}"
    )
    for tenant in tenants:
        empty = [t for t in tenant_tables if await _rows_of(superuser_conn, t, tenant.client_id) == 0]
        assert empty == [], f"client {tenant.client_id} has no rows in {empty}"


async def test_row_level_security_is_enabled_and_forced_on_every_tenant_table(
    tenant_tables: list[str], superuser_conn: asyncpg.Connection
) -> None:
    rows = await superuser_conn.fetch(
        "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,"
        "       EXISTS (SELECT 1 FROM pg_policies p WHERE p.schemaname = 'migration' AND p.tablename = c.relname"
        "                  AND 'migration_app' = ANY (p.roles)) AS app_policy"
        "  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'migration' AND c.relname = ANY ($1::text[])",
        tenant_tables,
    )
    assert sorted(r["relname"] for r in rows) == sorted(tenant_tables)
    for r in rows:
        assert r["relrowsecurity"], f"{r['relname']}: row-level security not enabled"
        assert r["relforcerowsecurity"], f"{r['relname']}: row-level security not forced"
        assert r["app_policy"], f"{r['relname']}: no policy for migration_app"


async def test_application_role_cannot_bypass_row_level_security(superuser_conn: asyncpg.Connection) -> None:
    role = await superuser_conn.fetchrow(
        "SELECT rolsuper, rolbypassrls, pg_has_role('migration_app', 'migration_owner', 'MEMBER') AS owner_member"
        "  FROM pg_roles WHERE rolname = 'migration_app'"
    )
    assert role is not None
    assert role["rolsuper"] is False
    assert role["rolbypassrls"] is False
    assert role["owner_member"] is False, "migration_app can become migration_owner"
    owned = await superuser_conn.fetch(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'migration' AND c.relowner = 'migration_app'::regrole"
    )
    assert [r["relname"] for r in owned] == []


async def test_application_role_has_no_privileges_on_partitions(
    app_pool: asyncpg.Pool, superuser_conn: asyncpg.Connection
) -> None:
    """Policies of a partitioned parent do not apply to its partitions queried directly, so the
    application must have no privileges on any partition, including those made later on schedule."""
    async with app_pool.acquire() as conn:
        for table in ("llm_usage_log", "agent_task_history", "security_audit_logs"):
            await conn.fetchval("SELECT migration.ensure_partitions($1, '2150-06-01', 1)", table)
    partitions = await superuser_conn.fetch(
        "SELECT c.oid::regclass::text AS name,"
        "       has_table_privilege('migration_app', c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE') AS granted"
        "  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'migration' AND c.relispartition"
    )
    assert partitions, "no partitions found"
    assert [r["name"] for r in partitions if r["granted"]] == []


# ---------------------------------------------------------------------------------------------
# Behaviour: what the application role can do with another tenant's rows.
# ---------------------------------------------------------------------------------------------


async def test_own_context_sees_exactly_own_rows(
    tenants: tuple[Tenant, Tenant], tenant_tables: list[str], app_pool: asyncpg.Pool,
    superuser_conn: asyncpg.Connection,
) -> None:
    """Positive control: the seeded rows are visible to their own tenant, and nothing else is."""
    a, _ = tenants
    async with tenant_transaction(app_pool, a.client_id, a.engagement_id) as conn:
        for table in tenant_tables:
            visible = await conn.fetchval(f"SELECT count(*) FROM migration.{table}")
            assert visible == await _rows_of(superuser_conn, table, a.client_id) > 0, table


@pytest.mark.parametrize("engagement_of", ["own", "none", "other"])
async def test_other_tenants_rows_are_invisible_and_untouchable(
    engagement_of: str, tenants: tuple[Tenant, Tenant], tenant_tables: list[str], app_pool: asyncpg.Pool,
    superuser_conn: asyncpg.Connection,
) -> None:
    """In A's client context (with A's, no, or B's engagement id) B's rows cannot be read or written."""
    a, b = tenants
    engagement = {"own": a.engagement_id, "none": None, "other": b.engagement_id}[engagement_of]
    before = {t: await _rows_of(superuser_conn, t, b.client_id) for t in tenant_tables}
    async with tenant_transaction(app_pool, a.client_id, engagement, a.user_id) as conn:
        for table in tenant_tables:
            col = client_column(table)
            assert await conn.fetchval(f"SELECT count(*) FROM migration.{table} WHERE {col} = $1", b.client_id) == 0, table
            if table not in CLIENT_LEVEL_TABLES:
                by_engagement = "id" if table == "engagements" else "engagement_id"
                assert await conn.fetchval(
                    f"SELECT count(*) FROM migration.{table} WHERE {by_engagement} = $1", b.engagement_id
                ) == 0, table

            if await _app_may(superuser_conn, table, "UPDATE"):
                async with conn.transaction():
                    status = await conn.execute(f"UPDATE migration.{table} SET {col} = {col} WHERE {col} = $1", b.client_id)
                assert status == "UPDATE 0", table
            else:
                with pytest.raises(asyncpg.InsufficientPrivilegeError, match=PERMISSION_DENIED):
                    async with conn.transaction():
                        await conn.execute(f"UPDATE migration.{table} SET {col} = {col} WHERE {col} = $1", b.client_id)

            if await _app_may(superuser_conn, table, "DELETE"):
                async with conn.transaction():
                    status = await conn.execute(f"DELETE FROM migration.{table} WHERE {col} = $1", b.client_id)
                assert status == "DELETE 0", table
            else:
                with pytest.raises(asyncpg.InsufficientPrivilegeError, match=PERMISSION_DENIED):
                    async with conn.transaction():
                        await conn.execute(f"DELETE FROM migration.{table} WHERE {col} = $1", b.client_id)

            row, fresh = await _copy_with_fresh_id(superuser_conn, table, b.client_id)
            await _assert_insert_refused(conn, superuser_conn, table, row, fresh)
    after = {t: await _rows_of(superuser_conn, t, b.client_id) for t in tenant_tables}
    assert after == before


async def test_own_rows_cannot_be_handed_to_another_tenant(
    tenants: tuple[Tenant, Tenant], tenant_tables: list[str], app_pool: asyncpg.Pool,
    superuser_conn: asyncpg.Connection,
) -> None:
    a, b = tenants
    async with tenant_transaction(app_pool, a.client_id, a.engagement_id) as conn:
        for table in tenant_tables:
            if not await _app_may(superuser_conn, table, "UPDATE"):
                continue
            col = client_column(table)
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match=RLS_REFUSED):
                async with conn.transaction():
                    await conn.execute(f"UPDATE migration.{table} SET {col} = $2 WHERE {col} = $1", a.client_id, b.client_id)
            if table not in CLIENT_LEVEL_TABLES | {"engagements"}:
                with pytest.raises(asyncpg.InsufficientPrivilegeError, match=RLS_REFUSED):
                    async with conn.transaction():
                        await conn.execute(
                            f"UPDATE migration.{table} SET engagement_id = $2 WHERE engagement_id = $1",
                            a.engagement_id, b.engagement_id,
                        )


async def test_engagement_context_separates_the_engagements_of_one_client(
    tenant_tables: list[str], app_pool: asyncpg.Pool,
    superuser_conn: asyncpg.Connection,
) -> None:
    """Engagement-scoped rows of a client's first engagement stay out of its second engagement;
    client-wide rows (engagement_id NULL) and the client's engagement list are shared."""
    a = await seed_tenant_graph(app_pool)  # a tenant of its own: the shared ones keep one engagement
    second = uuid4()
    async with tenant_transaction(app_pool, a.client_id, second) as conn:
        await conn.execute(
            "INSERT INTO migration.engagements (id, client_account_id, name) VALUES ($1, $2, $3)",
            second, a.client_id, f"Second engagement {second}",
        )
    scoped = [t for t in tenant_tables if t not in CLIENT_LEVEL_TABLES | {"engagements"}]
    async with tenant_transaction(app_pool, a.client_id, second) as conn:
        for table in scoped:
            assert await conn.fetchval(
                f"SELECT count(*) FROM migration.{table} WHERE engagement_id = $1", a.engagement_id
            ) == 0, table
            client_wide = await superuser_conn.fetchval(
                f"SELECT count(*) FROM migration.{table} WHERE client_account_id = $1 AND engagement_id IS NULL",
                a.client_id,
            )
            assert await conn.fetchval(
                f"SELECT count(*) FROM migration.{table} WHERE engagement_id IS NULL"
            ) == client_wide, table
        assert await conn.fetchval("SELECT count(*) FROM migration.engagements") == 2
    assert await superuser_conn.fetchval(
        "SELECT count(*) FROM migration.agent_learning_patterns WHERE client_account_id = $1 AND engagement_id IS NULL",
        a.client_id,
    ) == 1  # the client-wide pattern is among the rows checked above


async def test_views_over_tenant_tables_respect_row_level_security(
    tenants: tuple[Tenant, Tenant], app_pool: asyncpg.Pool, superuser_conn: asyncpg.Connection
) -> None:
    a, b = tenants
    views = [
        r["relname"]
        for r in await superuser_conn.fetch(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'migration' AND c.relkind = 'v'"
            "   AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'client_account_id')"
        )
    ]
    assert "flows" in views
    async with tenant_transaction(app_pool, a.client_id, a.engagement_id) as conn:
        for view in views:
            assert await conn.fetchval(f"SELECT count(*) FROM migration.{view} WHERE client_account_id = $1", b.client_id) == 0
            assert await conn.fetchval(f"SELECT count(*) FROM migration.{view} WHERE client_account_id = $1", a.client_id) > 0


async def test_without_context_nothing_is_visible_and_inserts_are_refused(
    tenants: tuple[Tenant, Tenant], tenant_tables: list[str], migrated_db: TestDatabase,
    superuser_conn: asyncpg.Connection,
) -> None:
    a, b = tenants
    conn = await connect(migrated_db.app_url)  # a fresh session: app.* never set (NULL)
    try:
        assert await conn.fetchval("SELECT current_setting('app.client_id', true)") is None
        for table in tenant_tables:
            assert await conn.fetchval(f"SELECT count(*) FROM migration.{table}") == 0, table
            for tenant in (a, b):
                row, fresh = await _copy_with_fresh_id(superuser_conn, table, tenant.client_id)
                await _assert_insert_refused(conn, superuser_conn, table, row, fresh)
    finally:
        await conn.close()


# ---------------------------------------------------------------------------------------------
# The context set by tenant_transaction is transaction-local.
# ---------------------------------------------------------------------------------------------


class _SameConnectionPool:
    """Hands out one connection without the pool's reset on release (which would hide a leak)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[asyncpg.Connection]:
        yield self._conn


async def _visible_rows(conn: asyncpg.Connection, tables: list[str]) -> dict[str, int]:
    return {t: await conn.fetchval(f"SELECT count(*) FROM migration.{t}") for t in tables}


async def test_tenant_context_ends_with_its_transaction_on_the_same_connection(
    tenants: tuple[Tenant, Tenant], tenant_tables: list[str], migrated_db: TestDatabase
) -> None:
    a, _ = tenants
    conn = await connect(migrated_db.app_url)
    try:
        async with tenant_transaction(_SameConnectionPool(conn), a.client_id, a.engagement_id, a.user_id) as tx:
            assert tx is conn
            assert await conn.fetchval("SELECT migration.current_client_id()") == a.client_id
            inside = await _visible_rows(conn, tenant_tables)
            assert all(inside.values()), inside
        for setting in ("app.client_id", "app.engagement_id", "app.user_id"):
            assert await conn.fetchval("SELECT current_setting($1, true)", setting) in ("", None), setting
        assert await conn.fetchval("SELECT migration.current_client_id()") is None
        assert set((await _visible_rows(conn, tenant_tables)).values()) == {0}
    finally:
        await conn.close()


async def test_tenant_context_does_not_survive_in_a_pooled_connection(
    tenants: tuple[Tenant, Tenant], tenant_tables: list[str], migrated_db: TestDatabase
) -> None:
    a, _ = tenants
    pool = await create_pool(migrated_db.app_url, min_size=1, max_size=1)
    try:
        async with tenant_transaction(pool, a.client_id, a.engagement_id) as conn:
            pid = await conn.fetchval("SELECT pg_backend_pid()")
            assert await conn.fetchval("SELECT count(*) FROM migration.assets") > 0
        async with pool.acquire() as conn:
            assert await conn.fetchval("SELECT pg_backend_pid()") == pid
            assert set((await _visible_rows(conn, tenant_tables)).values()) == {0}
    finally:
        await pool.close()
