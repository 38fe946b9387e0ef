"""The cross-tenant row check (db/tenant_isolation.py) on a real database: it covers the foreign keys between tenant
tables, finds nothing where isolation holds, and finds a row moved to another client."""

from __future__ import annotations

from db.tenant_isolation import cross_tenant_rows, violations
from tests.conftest import make_engagement


async def test_the_check_covers_the_tenant_foreign_keys(superuser_conn, app_pool):
    await make_engagement(app_pool)
    checks = await cross_tenant_rows(superuser_conn)
    pairs = {(c.child_table, c.parent_table) for c in checks}
    assert {("engagement_members", "engagements"), ("assets", "engagements"),
            ("asset_dependencies", "assets")} <= pairs
    assert all(c.parent_table != "client_accounts" for c in checks)  # no client_account_id there: not a tenant pair
    assert violations(checks) == []


async def test_a_row_moved_to_another_client_fails_the_check(superuser_conn, app_pool):
    first, second = await make_engagement(app_pool), await make_engagement(app_pool)
    transaction = superuser_conn.transaction()
    await transaction.start()
    try:
        # a corrupted database: the foreign keys' triggers off, the memberships of the first client's engagement
        # relabelled as the second client's
        await superuser_conn.execute("SET LOCAL session_replication_role = replica")
        moved = await superuser_conn.execute(
            "UPDATE migration.engagement_members SET client_account_id = $1 WHERE engagement_id = $2",
            second.ref.client_account_id, first.ref.id)
        assert moved != "UPDATE 0"
        found = violations(await cross_tenant_rows(superuser_conn))
        assert [(v.child_table, v.parent_table) for v in found] == [("engagement_members", "engagements")]
        assert found[0].cross_tenant_rows == int(moved.split()[1])
    finally:
        await transaction.rollback()  # the planted rows never stay
    assert violations(await cross_tenant_rows(superuser_conn)) == []
