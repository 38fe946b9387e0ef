"""`ops backup` and `ops restore`: the whole platform database with pg_dump/pg_restore (custom format), or one
client with db.client_backup, both as a role that sees every row.

Where they connect: a superuser (or BYPASSRLS) URL of the platform's database (`--superuser-url`,
DATABASE_SUPERUSER_URL); on the embedded default, the embedded server's superuser. A whole-database restore goes
into a database `db bootstrap` made (roles are server-wide: a dump holds none); one that already holds clients or
people is replaced only with `clean`, never merged into.
"""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import asyncpg

from db import tenancy
from db.client_backup import (
    BACKUP_FILE_MODE,
    BackupError,
    ClientRestored,
    back_up_client,
    check_sees_every_row,
    read_backup,
    restore_client,
    schema_version,
)
from db.output_files import replacing
from db.pool import connect, connecting, create_pool
from db.queries import sql
from domain.wording import counted
from runtime.devstack import EMBEDDED_DATABASE, embedded_postgres, ensure_database
from runtime.embedded_postgres import postgres_bin_dir
from runtime.settings import Settings

SUPERUSER_URL_ORIGIN = "--superuser-url or DATABASE_SUPERUSER_URL"
DUMP_MAGIC = b"PGDMP"  # how a pg_dump custom-format file begins
_MIGRATION_ROW = re.compile(r"^(\d+)\t")


@dataclass(frozen=True)
class Target:
    """A superuser connection URL of the platform's database, and where it comes from (for error messages)."""

    url: str
    origin: str


async def platform_database(settings: Settings, superuser_url: str | None) -> Target:
    """The platform's database as a role that sees every row: the URL given, else the embedded server's
    superuser; a configured database without a superuser URL is refused in one line."""
    if superuser_url:
        return Target(superuser_url, SUPERUSER_URL_ORIGIN)
    if settings.database_url:
        raise BackupError("backups read and write every tenant's rows, past row-level security: set "
                          "DATABASE_SUPERUSER_URL (or give --superuser-url) to a superuser or BYPASSRLS role's URL of "
                          "the platform's database")
    await ensure_database(settings)
    return Target(embedded_postgres(settings).superuser_url(EMBEDDED_DATABASE), "the embedded PostgreSQL")


async def _connect(target: Target) -> asyncpg.Connection:
    with connecting(target.url, target.origin):
        return await connect(target.url)


# ----------------------------------------------------------------------------------------------- backup
async def back_up(target: Target, path: Path, client: str | None) -> str:
    """Write the backup (the whole database, or one client's) to `path`; returns what was written, in words."""
    if client is None:
        await _check_reader(target)
        await _dump(target, path)
        return f"the whole database written to {path} (pg_dump custom format)"
    with connecting(target.url, target.origin):
        pool = await create_pool(target.url, max_size=1)
    try:
        client_id = await tenancy.find_client(pool, client)
        async with pool.acquire() as conn:
            manifest = await back_up_client(conn, client_id, path)
    finally:
        await pool.close()
    rows = sum(t["rows"] for t in manifest["tables"])
    return f"client {manifest['client']['name']}: {rows} rows of {len(manifest['tables'])} tables written to {path}"


async def _check_reader(target: Target) -> None:
    conn = await _connect(target)
    try:
        await check_sees_every_row(conn, "a backup")
    finally:
        await conn.close()


async def _dump(target: Target, path: Path) -> None:
    with replacing(path, "wb") as out:
        os.fchmod(out.fileno(), BACKUP_FILE_MODE)
        await _run_tool(target, "pg_dump", ["--format=custom", "--no-password"], stdout=out)


# ---------------------------------------------------------------------------------------------- restore
async def restore(target: Target, path: Path, *, clean: bool, staging_root: Path, force: bool = False) -> str:
    """Restore the backup at `path` (either kind, told apart by its first bytes); returns what was restored. A
    client backup is unpacked in a folder under `staging_root` (a disk, not the system's temporary folder: that may
    be memory); `force` restores a client (or people) this database erased."""
    try:
        with path.open("rb") as fh:
            magic = fh.read(len(DUMP_MAGIC))
    except FileNotFoundError:
        raise BackupError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise BackupError(f"{path}: a folder; give the backup file") from None
    if magic == DUMP_MAGIC:
        return await _restore_database(target, path, clean=clean)
    staging_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=staging_root, prefix="client-restore-") as staging:
        manifest = read_backup(path, Path(staging))
        conn = await _connect(target)
        try:
            done = await restore_client(conn, manifest, Path(staging), force=force)
        finally:
            await conn.close()
    return _client_restored(done)


def _client_restored(done: ClientRestored) -> str:
    without = (f"; {done.people_without_login} of its people have no login on this server (a platform administrator "
               "gives them one)") if done.people_without_login else ""
    return (f"client {done.name} ({done.client_id}) restored: {done.rows} rows in {done.tables} tables, "
            f"{done.people_added} people added{without}")


async def _restore_database(target: Target, path: Path, *, clean: bool) -> str:
    dumped = await _dumped_schema_version(target, path)
    conn = await _connect(target)
    try:
        await check_sees_every_row(conn, "a restore")
        missing = [r["name"] for r in await conn.fetch(sql("backup_platform_roles"))]
        if missing:
            raise BackupError(f"this server lacks the platform's roles ({', '.join(missing)}): run `db bootstrap` "
                              "on it first (a dump holds no roles)")
        contents = await conn.fetchrow(sql("backup_database_contents"))
        if not contents["bootstrapped"]:
            raise BackupError("this database has no schema migration: run `db bootstrap --database NAME` for it first")
        ours = [v for v, *_ in await schema_version(conn)]
        held = await conn.fetchrow(sql("backup_database_rows")) if contents["migrated"] else None
    finally:
        await conn.close()
    if held and (held["clients"] or held["people"]) and not clean:
        raise BackupError(f"the target database holds {counted(held['clients'], 'client account')} and "
                          f"{_people(held['people'])}: restore into a database `db bootstrap` just made, or give "
                          "--clean to replace everything in it with the backup")
    if ours and ours != dumped:
        raise BackupError(f"the backup is of schema version {_last(dumped)} and the target database is migrated to "
                          f"{_last(ours)}: restore into a database `db bootstrap` made (not migrated), then run "
                          "`db migrate`")
    await _replay_dump(target, path)
    conn = await _connect(target)
    try:
        contents = await conn.fetchrow(sql("backup_database_rows"))
        no_login = await conn.fetchval(sql("backup_people_without_login"))
    finally:
        await conn.close()
    without = (f"; {no_login} people have no login role on this server: carry the roles over with `pg_dumpall "
               "--roles-only` or give them logins again") if no_login else ""
    return (f"database restored from {path}: {counted(contents['clients'], 'client account')}, "
            f"{_people(contents['people'])}, "
            f"schema version {_last(dumped)}{without}")


async def _replay_dump(target: Target, path: Path) -> None:
    """In one transaction on the target: drop schema migration (empty, or replaced with --clean) and replay the
    dump's script (pg_restore's output fed to psql). COMMIT is sent only once pg_restore has read the whole file
    without error, so a truncated or corrupt dump leaves the target as it was."""
    url, password = _without_password(target.url)
    env = dict(os.environ) | {"PGOPTIONS": "-c client_min_messages=warning"} | (
        {"PGPASSWORD": password} if password is not None else {})
    psql = await asyncio.create_subprocess_exec(
        str(postgres_bin_dir() / "psql"), "--no-psqlrc", "--quiet", "--no-password", "--set=ON_ERROR_STOP=1",
        f"--dbname={url}", env=env, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE)
    reader = await asyncio.create_subprocess_exec(
        str(postgres_bin_dir() / "pg_restore"), "--file=-", str(path), stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    assert psql.stdin is not None and psql.stderr is not None and reader.stdout is not None
    assert reader.stderr is not None
    read_errors, psql_errors = asyncio.ensure_future(reader.stderr.read()), asyncio.ensure_future(psql.stderr.read())
    stopped = False  # psql stopped reading at an error of its own
    try:
        psql.stdin.write(b"BEGIN;\nDROP SCHEMA IF EXISTS migration CASCADE;\n")
        while chunk := await reader.stdout.read(1 << 16):
            psql.stdin.write(chunk)
            await psql.stdin.drain()
        if await reader.wait() == 0:
            psql.stdin.write(b"COMMIT;\n")
        psql.stdin.close()
    except (BrokenPipeError, ConnectionResetError):  # psql stopped at an error: it says which below
        stopped = True
        reader.kill()
        await reader.wait()
    await psql.wait()
    if reader.returncode != 0 and not stopped:
        raise BackupError(f"pg_restore failed: {_tool_error('pg_restore', (await read_errors).decode(errors='replace'))}"
                          "; nothing was restored")
    if psql.returncode != 0:
        raise BackupError(f"the restore failed: {_tool_error('psql', (await psql_errors).decode(errors='replace'))}; "
                          "nothing was restored")


def _people(count: int) -> str:
    return f"{count:,} {'person' if count == 1 else 'people'}"


def _last(versions: list[int]) -> str:
    return f"{versions[-1]:04d} ({len(versions)} migrations)" if versions else "none"


async def _dumped_schema_version(target: Target, path: Path) -> list[int]:
    """The migrations applied in the dumped database (its schema_migrations rows); a file pg_restore cannot read,
    or a dump of another database, is refused in one line."""
    listing = await _run_tool(target, "pg_restore", ["--data-only", "--table=schema_migrations",
                                                     "--schema=migration", "--file=-", str(path)], connect=False)
    versions = sorted(int(m.group(1)) for line in listing.splitlines() if (m := _MIGRATION_ROW.match(line)))
    if not versions:
        raise BackupError(f"{path} is no dump of the platform's database (it has no migration.schema_migrations "
                          "rows)")
    return versions


async def _run_tool(target: Target, tool: str, args: list[str], *, stdout: Any = None, connect: bool = True
                    ) -> str:
    """Run one of the embedded binaries' PostgreSQL tools against the target (its password in the environment,
    never on the command line); a failure is one line with the tool's own error."""
    env = dict(os.environ)
    argv = [str(postgres_bin_dir() / tool), *args]
    if connect:
        url, password = _without_password(target.url)
        if password is not None:
            env["PGPASSWORD"] = password
        argv.insert(1, f"--dbname={url}")
    proc = await asyncio.create_subprocess_exec(*argv, env=env, stdin=asyncio.subprocess.DEVNULL,
                                                stdout=stdout or asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.PIPE)
    out, err = await proc.communicate()
    if proc.returncode != 0:
        raise BackupError(f"{tool} failed: {_tool_error(tool, err.decode(errors='replace'))}")
    return out.decode(errors="replace") if out else ""


def _tool_error(tool: str, stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if "error:" in line.lower()] or lines or ["no message"]
    return re.sub(r"^.*?\berror:\s*", "", errors[0], flags=re.IGNORECASE)


def _without_password(url: str) -> tuple[str, str | None]:
    parts = urlsplit(url)
    if parts.password is None:
        return url, None
    userinfo, _, hosts = parts.netloc.rpartition("@")
    return urlunsplit(parts._replace(netloc=f"{userinfo.partition(':')[0]}@{hosts}")), unquote(parts.password)
