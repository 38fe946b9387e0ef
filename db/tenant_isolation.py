"""Tenant isolation checked in the data itself: no row references a row of another client (db/queries/
cross_tenant_rows.sql, generic over the foreign keys between tenant tables). For benchmarks, tests and operators;
needs a role that sees every row (a superuser)."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from db.queries import sql


@dataclass(frozen=True)
class ForeignKeyCheck:
    """One foreign key between two tenant tables, and how many of its rows cross from one client to another."""

    name: str
    child_table: str
    parent_table: str
    cross_tenant_rows: int


async def cross_tenant_rows(conn: asyncpg.Connection) -> list[ForeignKeyCheck]:
    """Every foreign key between tenant tables with its count of cross-tenant rows (all 0 when isolation holds)."""
    return [ForeignKeyCheck(k["name"], k["child_table"], k["parent_table"], await conn.fetchval(k["count_query"]))
            for k in await conn.fetch(sql("cross_tenant_rows"))]


def violations(checks: list[ForeignKeyCheck]) -> list[ForeignKeyCheck]:
    """The foreign keys with at least one row referencing another client's row."""
    return [check for check in checks if check.cross_tenant_rows]
