"""Superuser bootstrap of a database for the platform: roles, extensions, the `migration` schema.

Runs once per server (roles) and once per database; idempotent. The embedded default runs it
automatically; a real deployment's DBA runs `starter.py db bootstrap`.
"""

from __future__ import annotations

import re

import asyncpg

from db.pool import connecting
from db.queries import sql

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


async def bootstrap(superuser_dsn: str, database: str, owner_password: str, app_password: str, *,
                    origin: str | None = None) -> None:
    """Create roles and the database (if missing), then extensions and schema inside it.

    `origin` names where `superuser_dsn` comes from if it cannot connect (never the URL: it holds a password).
    """
    if not _IDENTIFIER.match(database):
        raise ValueError(f"database name {database!r} must be a lower-case SQL identifier")
    with connecting(superuser_dsn, origin):
        conn = await asyncpg.connect(superuser_dsn)
    try:
        async with conn.transaction():
            await conn.execute(sql("bootstrap_lock"))
            await conn.execute(sql("bootstrap_passwords"), owner_password, app_password)
            await conn.execute(sql("bootstrap_roles"))
        if not await conn.fetchval(sql("database_exists"), database):
            # CREATE DATABASE takes no parameters and cannot run in a transaction; the name is a
            # validated identifier from configuration, never user input.
            await conn.execute(f'CREATE DATABASE "{database}" OWNER migration_owner')
    finally:
        await conn.close()
    with connecting(superuser_dsn, origin):
        conn = await asyncpg.connect(superuser_dsn, database=database)
    try:
        async with conn.transaction():
            await conn.execute(sql("bootstrap_lock"))
            await conn.execute(sql("bootstrap_database"))
    finally:
        await conn.close()
