"""Forward-only schema migrator: `schema/NNNN_name.sql`, applied once each, checksummed, serialised.

Each file runs in its own transaction together with its bookkeeping row. A file edited after it was
applied, or an applied version whose file is gone, stops the run with a clear error. A session-level
advisory lock makes concurrent migrators (several workers starting at once) take turns.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from db.pool import connecting
from db.queries import sql

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schema"
_FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
# Arbitrary constant shared by every migrator of this platform (pg_advisory_lock takes a bigint).
ADVISORY_LOCK_KEY = 0x6D69_6772_6174_65  # "migrate"


class MigrationError(RuntimeError):
    """The schema files and the database disagree, or a file failed to apply."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path

    @property
    def text(self) -> str:
        return self.path.read_text()

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def discover(schema_dir: Path = SCHEMA_DIR) -> list[Migration]:
    """The migration files in version order; malformed names and duplicate versions are errors."""
    found: dict[int, Migration] = {}
    for path in sorted(schema_dir.glob("*.sql")):
        match = _FILE_NAME.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: schema files must be named NNNN_lower_snake_name.sql")
        version = int(match.group(1))
        if version in found:
            raise MigrationError(f"{path.name}: version {version} is used twice")
        found[version] = Migration(version, match.group(2), path)
    return [found[v] for v in sorted(found)]


async def migrate(owner_dsn: str, schema_dir: Path = SCHEMA_DIR, *,
                  origin: str = "DATABASE_OWNER_URL") -> list[Migration]:
    """Apply every pending migration as the owner role; return the ones applied by this call.

    `origin` names where `owner_dsn` comes from if it cannot connect (the embedded stack names itself).
    """
    migrations = discover(schema_dir)
    with connecting(owner_dsn, origin):
        conn = await asyncpg.connect(owner_dsn)
    try:
        await conn.execute(sql("advisory_lock"), ADVISORY_LOCK_KEY)
        try:
            await conn.execute(sql("schema_migrations_create"))
            applied = {r["version"]: r for r in await conn.fetch(sql("schema_migrations_list"))}
            _check_applied(migrations, applied)
            done: list[Migration] = []
            for migration in migrations:
                if migration.version in applied:
                    continue
                try:
                    async with conn.transaction():
                        await conn.execute(migration.text)
                        await conn.execute(
                            sql("schema_migrations_record"), migration.version, migration.name, migration.checksum
                        )
                except asyncpg.PostgresError as exc:
                    raise MigrationError(f"{migration.path.name} failed to apply: {exc}") from exc
                done.append(migration)
            return done
        finally:
            await conn.execute(sql("advisory_unlock"), ADVISORY_LOCK_KEY)
    finally:
        await conn.close()


def _check_applied(migrations: list[Migration], applied: dict[int, asyncpg.Record]) -> None:
    by_version = {m.version: m for m in migrations}
    for version, row in applied.items():
        migration = by_version.get(version)
        if migration is None:
            raise MigrationError(
                f"version {version:04d}_{row['name']} is applied in the database but its file is missing"
            )
        if migration.checksum != row["checksum"]:
            raise MigrationError(
                f"{migration.path.name} was edited after it was applied "
                f"(applied checksum {row['checksum'][:12]}, file now {migration.checksum[:12]}); "
                "schema changes go into a new migration file"
            )
