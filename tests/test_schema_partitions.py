"""Partitioned logs: llm_usage_log and security_audit_logs by UTC month, agent_task_history by ISO week.

Rows written now land in the partition of their period; rows outside every partition land in
`<table>_default`; migration.ensure_partitions() creates the missing partition and moves such
rows out of the default partition, and does nothing the second time.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from uuid import UUID, uuid4

import asyncpg
import pytest

from db.pool import tenant_transaction
from tests.conftest import RawTenant, insert_raw_tenant

MONTHLY = ("llm_usage_log", "security_audit_logs")
WEEKLY = ("agent_task_history",)

# Far from today and distinct per table and direction, so no other test creates these partitions.
FAR_PAST = {
    "llm_usage_log": datetime(1999, 3, 10, 12, 30, tzinfo=timezone.utc),
    "security_audit_logs": datetime(1999, 4, 30, 23, 59, 59, tzinfo=timezone.utc),
    "agent_task_history": datetime(1999, 5, 16, 23, 0, tzinfo=timezone.utc),  # a Sunday: ISO week 19
}
FAR_FUTURE = {
    "llm_usage_log": datetime(2197, 1, 1, 0, 0, tzinfo=timezone.utc),  # first instant of the month
    "security_audit_logs": datetime(2197, 2, 14, 8, 0, tzinfo=timezone.utc),
    "agent_task_history": datetime(2197, 3, 6, 0, 0, tzinfo=timezone.utc),  # a Monday, 00:00
}


def expected_partition(table: str, at: datetime) -> str:
    at = at.astimezone(timezone.utc)
    if table in WEEKLY:
        year, week, _ = at.isocalendar()
        return f"{table}_p{year}_w{week:02d}"
    return f"{table}_p{at:%Y%m}"


@pytest.fixture(scope="module")
async def tenant(app_pool: asyncpg.Pool) -> RawTenant:
    return await insert_raw_tenant(app_pool, "part")


async def insert_log_row(conn: asyncpg.Connection, table: str, tenant: RawTenant, created_at: datetime | None) -> UUID:
    """One row in `table`; created_at NULL means the column default, now(). Audit rows are written
    only by the audit trigger (the application role has no INSERT), so callers pass a superuser
    connection for security_audit_logs."""
    row_id = uuid4()
    if table == "llm_usage_log":
        sql = (
            "INSERT INTO migration.llm_usage_log (id, client_account_id, engagement_id, model, provider, success,"
            " created_at) VALUES ($1, $2, $3, 'gpt-test', 'openai', true, coalesce($4, now()))"
        )
    elif table == "agent_task_history":
        sql = (
            "INSERT INTO migration.agent_task_history (id, client_account_id, engagement_id, agent_name, task_name,"
            " status, created_at) VALUES ($1, $2, $3, 'mapper', 'map', 'completed', coalesce($4, now()))"
        )
    else:
        sql = (
            "INSERT INTO migration.security_audit_logs (id, client_account_id, engagement_id, operation, table_name,"
            " created_at) VALUES ($1, $2, $3, 'insert', 'partition_test', coalesce($4, now()))"
        )
    await conn.execute(sql, row_id, tenant.client_id, tenant.engagement_id, created_at)
    return row_id


def _writer(table: str, app_conn: asyncpg.Connection, superuser_conn: asyncpg.Connection) -> asyncpg.Connection:
    return superuser_conn if table == "security_audit_logs" else app_conn


async def placement(superuser_conn: asyncpg.Connection, table: str, row_id: UUID) -> list[tuple[str, dict]]:
    """Where the row with this id is (partition name, row as JSON): one entry per copy."""
    rows = await superuser_conn.fetch(
        f"SELECT tableoid::regclass::text AS part, to_jsonb(t) AS j FROM migration.{table} t WHERE id = $1", row_id
    )
    return [(r["part"].removeprefix("migration."), r["j"]) for r in rows]


@pytest.mark.parametrize("table", MONTHLY + WEEKLY)
async def test_a_row_written_now_lands_in_the_partition_of_its_period(
    table: str, tenant: RawTenant, app_pool: asyncpg.Pool, superuser_conn: asyncpg.Connection
) -> None:
    async with tenant_transaction(app_pool, tenant.client_id, tenant.engagement_id) as conn:
        row_id = await insert_log_row(_writer(table, conn, superuser_conn), table, tenant, None)
        created_at = await conn.fetchval(f"SELECT created_at FROM migration.{table} WHERE id = $1", row_id)
    [(part, _)] = await placement(superuser_conn, table, row_id)
    assert part == expected_partition(table, created_at)


@pytest.mark.parametrize("table", MONTHLY + WEEKLY)
async def test_ensure_partitions_moves_rows_out_of_the_default_partition(
    table: str, tenant: RawTenant, app_pool: asyncpg.Pool, superuser_conn: asyncpg.Connection
) -> None:
    past, future = FAR_PAST[table], FAR_FUTURE[table]
    async with tenant_transaction(app_pool, tenant.client_id, tenant.engagement_id) as conn:
        writer = _writer(table, conn, superuser_conn)
        past_id = await insert_log_row(writer, table, tenant, past)
        future_id = await insert_log_row(writer, table, tenant, future)
    [(part, past_row)] = await placement(superuser_conn, table, past_id)
    assert part == f"{table}_default"
    [(part, future_row)] = await placement(superuser_conn, table, future_id)
    assert part == f"{table}_default"

    # The application's worker calls it (SECURITY DEFINER), with no tenant context.
    async with app_pool.acquire() as conn:

        async def ensure(day: date) -> int:
            return await conn.fetchval("SELECT migration.ensure_partitions($1, $2, 1)", table, day)

        assert await ensure(past.date()) == 1
        assert await placement(superuser_conn, table, past_id) == [(expected_partition(table, past), past_row)]
        # the other row of the default partition stayed where it was
        assert await placement(superuser_conn, table, future_id) == [(f"{table}_default", future_row)]

        assert await ensure(future.date()) == 1
        assert await placement(superuser_conn, table, future_id) == [(expected_partition(table, future), future_row)]

        assert await ensure(past.date()) == 0
        assert await ensure(future.date()) == 0
    assert await placement(superuser_conn, table, past_id) == [(expected_partition(table, past), past_row)]

    bounds = await superuser_conn.fetchval(
        "SELECT pg_get_expr(c.relpartbound, c.oid) FROM pg_class c WHERE c.oid = to_regclass($1)",
        f"migration.{expected_partition(table, future)}",
    )
    # UTC midnights: the Monday starting the ISO week, or the first of the month (both rows of FAR_FUTURE
    # lie early in their period, so the next period is in the same year).
    start = future.date() - timedelta(days=future.weekday()) if table in WEEKLY else future.date().replace(day=1)
    end = start + timedelta(days=7) if table in WEEKLY else start.replace(month=start.month + 1)
    assert bounds == f"FOR VALUES FROM ('{start} 00:00:00+00') TO ('{end} 00:00:00+00')"


async def test_ensure_partitions_creates_consecutive_periods(superuser_conn: asyncpg.Connection, app_pool: asyncpg.Pool) -> None:
    async with app_pool.acquire() as conn:
        assert await conn.fetchval("SELECT migration.ensure_partitions('agent_task_history', '2188-12-29', 3)") == 3
        assert await conn.fetchval("SELECT migration.ensure_partitions('llm_usage_log', '2188-11-15', 3)") == 3
    names = {
        r["relname"]
        for r in await superuser_conn.fetch(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'migration' AND c.relispartition AND c.relname LIKE '%\\_p2189%'"
        )
    }
    # 2188-12-29 is the Monday of ISO week 2189-W01 (ISO year, not calendar year, in the name).
    assert {"agent_task_history_p2189_w01", "agent_task_history_p2189_w02", "agent_task_history_p2189_w03"} <= names
    assert "llm_usage_log_p218901" in names


@pytest.mark.parametrize(
    "args",
    [("assets", "2020-01-01", 1), ("llm_usage_log; DROP TABLE migration.assets", "2020-01-01", 1),
     ("llm_usage_log_default", "2020-01-01", 1), (None, "2020-01-01", 1),
     ("llm_usage_log", None, 1), ("llm_usage_log", "2020-01-01", -1), ("llm_usage_log", "2020-01-01", 10_000)],
)
async def test_ensure_partitions_refuses_bad_arguments(
    args: tuple, app_pool: asyncpg.Pool, superuser_conn: asyncpg.Connection
) -> None:
    table, start, count = args
    async with app_pool.acquire() as conn:
        with pytest.raises(asyncpg.InvalidParameterValueError, match="ensure_partitions"):
            await conn.fetchval(
                "SELECT migration.ensure_partitions($1, $2, $3)",
                table, None if start is None else date.fromisoformat(start), count,
            )
    assert await superuser_conn.fetchval("SELECT to_regclass('migration.assets')") is not None
