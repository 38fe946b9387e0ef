"""One client's backup: every row of the client in every tenant table, its client account, and the rows outside
the tenant tables that those rows reference (the people who are members, approved or imported something), read in
one snapshot by a role that sees every row (forced row-level security binds everyone else).

The file is a gzip'd tar:
  manifest.json  format, format_version, created_at, the schema's applied migrations (version, name, checksum),
                 the client (id, name, slug) and the tables in restore order: name, kind (client | shared | tenant),
                 columns, file, rows, sha256
  data/<table>.copy  the table's rows in PostgreSQL's COPY text format, in primary-key order

A restore needs a server with the same applied migrations and without that client (its id, slug or name). It
writes in one transaction with `session_replication_role = replica`: no trigger runs, so the audit log gets no
rows claiming someone inserted the client's rows now (the client's own audit history is restored as it was), and
`updated_at` keeps its value. Foreign keys are not checked by triggers then, so the restore checks every one of
the restored rows' keys itself before it commits. People already on the server (same id) are kept as they are;
a person restored keeps their login only where the server has that login role and no one else holds it.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg

from db.output_files import replacing
from db.queries import sql

FORMAT = "migration-platform client backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SCHEMA = "migration"
CLIENT_TABLE = "client_accounts"
# Files a backup holds every client row of: readable by its owner only.
BACKUP_FILE_MODE = 0o600
# What a client restore unpacks at most: a manifest of a few hundred tables, one member per table, and table files
# of at most this many times the backup file's size (COPY text compresses well below that; zeros, a gzip bomb's
# payload, compress a thousandfold), or of this many bytes where the file is small.
MAX_MANIFEST_BYTES = 4 << 20
MAX_MEMBERS = 1000
MAX_UNPACK_RATIO = 200
MIN_UNPACK_BYTES = 64 << 20


class BackupError(ValueError):
    """A backup cannot be made or restored as asked; the message says why and what to do."""


@dataclass(frozen=True)
class TableCopy:
    """One table of a client backup: which rows, and where they go on restore."""

    name: str
    kind: str  # client (the account row), shared (rows outside tenant tables the client's rows reference), tenant
    columns: list[str]
    primary_key: list[str]


@dataclass(frozen=True)
class ClientRestored:
    client_id: UUID
    name: str
    rows: int
    tables: int
    people_added: int
    people_without_login: int


def ident(name: str) -> str:
    """A catalog name as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _qualified(table: str) -> str:
    return f"{ident(SCHEMA)}.{ident(table)}"


def _column_list(columns: list[str], alias: str = "") -> str:
    return ", ".join(f"{alias}{ident(c)}" for c in columns)


async def schema_version(conn: asyncpg.Connection) -> list[list[Any]]:
    """The applied migrations (version, name, checksum), or [] where the schema has not been migrated."""
    if not (await conn.fetchrow(sql("backup_database_contents")))["migrated"]:
        return []
    return [[r["version"], r["name"], r["checksum"]] for r in await conn.fetch(sql("schema_migrations_list"))]


async def check_sees_every_row(conn: asyncpg.Connection, what: str) -> None:
    if not await conn.fetchval(sql("backup_reader_sees_all")):
        raise BackupError(f"{what} needs a superuser or BYPASSRLS role (forced row-level security hides rows from "
                          "every other role, the owner's included): give --superuser-url or DATABASE_SUPERUSER_URL")


async def _plan(conn: asyncpg.Connection) -> tuple[list[TableCopy], list[asyncpg.Record]]:
    """The tables a client backup holds, in an order that inserts every referenced row before its referrers, and
    the foreign keys among them."""
    tables = {r["name"]: r for r in await conn.fetch(sql("backup_tables"))}
    keys = await conn.fetch(sql("backup_foreign_keys"))
    tenant = {name for name, r in tables.items() if r["tenant"]}
    shared = {k["parent_table"] for k in keys if k["child_table"] in tenant and k["parent_table"] not in tenant
              and k["parent_table"] != CLIENT_TABLE}
    chosen = tenant | shared | {CLIENT_TABLE}
    sequenced = sorted(name for name in chosen if tables[name]["sequenced"])
    if sequenced:  # ids are UUIDs; a sequence's position would have to travel too
        raise BackupError(f"a client backup cannot carry sequence-numbered tables yet ({', '.join(sequenced)})")
    order = TopologicalSorter({name: set() for name in chosen})
    for k in keys:
        if k["child_table"] in chosen and k["parent_table"] in chosen and k["child_table"] != k["parent_table"]:
            order.add(k["child_table"], k["parent_table"])
    try:
        ordered = list(order.static_order())
    except CycleError as exc:
        raise BackupError(f"the tables' foreign keys form a cycle: {exc.args[1]}") from None
    kinds = {name: "tenant" if name in tenant else "shared" for name in chosen} | {CLIENT_TABLE: "client"}
    return [TableCopy(name, kinds[name], list(tables[name]["columns"]), list(tables[name]["primary_key"]))
            for name in ordered], [k for k in keys if k["child_table"] in chosen]


def _selection(table: TableCopy, keys: list[asyncpg.Record]) -> str:
    """The query of the table's rows of client $1, in primary-key order."""
    columns = _column_list(table.columns, "t.")
    if table.kind == "client":
        where = "t.id = $1"
    elif table.kind == "tenant":
        where = "t.client_account_id = $1"
    else:  # the rows some tenant row of the client references
        where = " OR ".join(
            f"EXISTS (SELECT 1 FROM {_qualified(k['child_table'])} c WHERE c.client_account_id = $1 AND "
            + " AND ".join(f"c.{ident(cc)} = t.{ident(pc)}" for cc, pc in zip(k["child_columns"], k["parent_columns"],
                                                                              strict=True)) + ")"
            for k in keys if k["parent_table"] == table.name and k["child_table"] != table.name)
    order = _column_list(table.primary_key, "t.") or columns
    return f"SELECT {columns} FROM {_qualified(table.name)} t WHERE {where} ORDER BY {order}"


async def back_up_client(conn: asyncpg.Connection, client_id: UUID, path: Path) -> dict[str, Any]:
    """Write the client's backup to `path` (replaced only once complete; owner-readable only) from one snapshot.
    Returns its manifest."""
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        await check_sees_every_row(conn, "a client backup")
        client = await conn.fetchrow(sql("backup_client_row"), client_id)
        if client is None:
            raise BackupError(f"no client account {client_id}; `tenant list` shows them")
        tables, keys = await _plan(conn)
        manifest: dict[str, Any] = {
            "format": FORMAT, "format_version": FORMAT_VERSION, "created_at": datetime.now(UTC).isoformat(),
            "schema": await schema_version(conn),
            "client": {"id": str(client["id"]), "name": client["name"], "slug": client["slug"]}, "tables": []}
        with tempfile.TemporaryDirectory(dir=path.parent, prefix=f".{path.name}.") as staging:
            for table in tables:
                file = Path(staging) / f"{table.name}.copy"
                status = await conn.copy_from_query(_selection(table, keys), client_id, output=file, format="text")
                manifest["tables"].append({
                    "name": table.name, "kind": table.kind, "columns": table.columns,
                    "primary_key": table.primary_key, "file": f"data/{table.name}.copy",
                    "rows": int(status.split()[-1]), "sha256": _sha256(file)})
            with replacing(path, "wb") as out:
                os.fchmod(out.fileno(), BACKUP_FILE_MODE)
                with tarfile.open(fileobj=out, mode="w:gz") as tar:
                    _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=1).encode())
                    for entry in manifest["tables"]:
                        tar.add(Path(staging) / Path(entry["file"]).name, arcname=entry["file"])
    return manifest


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    tar.addfile(info, io.BytesIO(data))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# ------------------------------------------------------------------------------------------------ restore
_TABLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_KINDS = ("client", "shared", "tenant")


def _unreadable(path: Path, why: str) -> BackupError:
    return BackupError(f"{path} is not a readable client backup ({why}); give a file `ops backup --client` wrote")


def read_backup(path: Path, staging: Path) -> dict[str, Any]:
    """The backup's manifest, each table's rows copied into `staging/<table>.copy` and checked against the
    manifest's checksum. A file that is missing, truncated, corrupt, altered or larger unpacked than a backup of its
    size can be (a gzip bomb: refused from the tar headers, before anything is unpacked) is refused in one line."""
    budget = max(MAX_UNPACK_RATIO * path.stat().st_size, MIN_UNPACK_BYTES) if path.is_file() else 0
    try:
        with tarfile.open(path, "r|gz") as tar:  # a stream: members in order, the manifest first
            manifest: dict[str, Any] | None = None
            unread: dict[str, dict[str, Any]] = {}
            for count, member in enumerate(tar, start=1):
                if count > MAX_MEMBERS:
                    raise _unreadable(path, f"more than {MAX_MEMBERS} members")
                if manifest is None:
                    manifest = _manifest(path, tar, member)
                    unread = {entry["file"]: entry for entry in manifest["tables"]}
                    continue
                entry = unread.pop(member.name, None)
                if entry is None or not member.isfile():
                    raise _unreadable(path, f"{member.name} is not one of its manifest's table files")
                budget -= member.size
                if budget < 0:
                    raise BackupError(f"{path} unpacks to more than a client backup of its size can hold ({member.name}"
                                      f" alone is {member.size:,} bytes): refused as a possible gzip bomb")
                _stage(path, tar, member, entry, staging / f"{entry['name']}.copy")
            if manifest is None:
                raise _unreadable(path, "no manifest of one")
            if unread:
                raise _unreadable(path, f"{next(iter(unread))} is missing")
    except FileNotFoundError:
        raise BackupError(f"{path}: no such file") from None
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        if isinstance(exc, PermissionError):
            raise BackupError(f"{path}: cannot be read (permission denied)") from None
        raise _unreadable(path, "truncated or corrupt: " + (str(exc).splitlines() or [type(exc).__name__])[0]
                          ) from None
    return manifest


def _stage(path: Path, tar: tarfile.TarFile, member: tarfile.TarInfo, entry: dict[str, Any], out_path: Path) -> None:
    """Copy one table file out of the backup, checking it against the manifest's checksum."""
    source = tar.extractfile(member)
    assert source is not None  # a regular file
    digest = hashlib.sha256()
    with source, out_path.open("wb") as out:
        while chunk := source.read(1 << 20):
            digest.update(chunk)
            out.write(chunk)
    if digest.hexdigest() != entry["sha256"]:
        raise _unreadable(path, f"{entry['file']} does not match its checksum")


def _manifest(path: Path, tar: tarfile.TarFile, member: tarfile.TarInfo) -> dict[str, Any]:
    if member.name != MANIFEST or not member.isfile():
        raise _unreadable(path, f"its first member is not {MANIFEST}")
    if member.size > MAX_MANIFEST_BYTES:
        raise _unreadable(path, f"its {MANIFEST} is {member.size:,} bytes, more than a manifest's "
                                f"{MAX_MANIFEST_BYTES:,}")
    source = tar.extractfile(member)
    try:
        manifest = json.loads(source.read()) if source else None
    except (ValueError, UnicodeDecodeError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _unreadable(path, "no manifest of one")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"{path} is a client backup of format version {manifest.get('format_version')!r}; this "
                          f"release reads version {FORMAT_VERSION}")
    client, schema = manifest.get("client"), manifest.get("schema")
    if not (isinstance(client, dict) and all(isinstance(client.get(k), str) for k in ("id", "name", "slug"))
            and isinstance(schema, list)):
        raise _unreadable(path, "its manifest's client or schema is damaged")
    tables = manifest.get("tables")
    if not isinstance(tables, list) or not all(
            isinstance(t, dict) and isinstance(t.get("name"), str) and _TABLE_NAME.fullmatch(t["name"])
            and t.get("kind") in _KINDS and t.get("file") == f"data/{t['name']}.copy"
            and isinstance(t.get("columns"), list) and isinstance(t.get("primary_key"), list)
            and isinstance(t.get("rows"), int) and isinstance(t.get("sha256"), str) for t in tables):
        raise _unreadable(path, "its manifest's table list is damaged")
    return manifest


async def restore_client(conn: asyncpg.Connection, manifest: dict[str, Any], staging: Path, *, force: bool = False
                         ) -> ClientRestored:
    """Insert the backup's rows (staged by `read_backup`) into this database in one transaction; refused when the
    schema differs, the client is already here, one of its people is here under another id, or this database
    erased the client or one of its people (unless `force`)."""
    await check_sees_every_row(conn, "a client restore")
    client = manifest["client"]
    ours = await schema_version(conn)
    if ours != manifest["schema"]:
        raise BackupError(f"the backup is of schema version {_version(manifest['schema'])}, this database's is "
                          f"{_version(ours)}: restore into a database migrated by the same release")
    present = await conn.fetchrow(sql("backup_client_present"), UUID(client["id"]), client["slug"], client["name"])
    if present is not None:
        raise BackupError(f"client {present['name']!r} ({present['id']}) already exists in this database: a client "
                          "is restored only where it is not")
    erased = await conn.fetchval(sql("backup_erased_client"), client["id"], client["name"], client["slug"])
    if erased is not None and not force:
        raise BackupError(f"client {client['name']!r} was erased from this database on {erased:%Y-%m-%d} (right to "
                          "be forgotten): give --force to restore it all the same")
    tables, keys = await _plan(conn)
    restored_tables = {t["name"] for t in manifest["tables"]}
    expected = {t.name: t for t in tables}
    for entry in manifest["tables"]:
        known = expected.get(entry["name"])
        if known is None or (entry["kind"], entry["columns"]) != (known.kind, known.columns):
            raise BackupError(f"the backup's table {entry['name']} does not match this database's: restore into a "
                              "database migrated by the same release")
    rows = people_added = people_without_login = 0
    async with conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")  # no trigger: audit, updated_at, keys
        for entry in manifest["tables"]:
            source = staging / f"{entry['name']}.copy"
            if entry["kind"] != "shared":
                status = await conn.copy_to_table(entry["name"], schema_name=SCHEMA, source=source,
                                                  columns=entry["columns"], format="text")
                await _check_owner(conn, entry["name"], entry["kind"], UUID(client["id"]), int(status.split()[-1]))
                rows += int(status.split()[-1])
                continue
            staged = f"restore_{entry['name']}"
            await conn.execute(f"CREATE TEMP TABLE {ident(staged)} (LIKE {_qualified(entry['name'])}) "
                               "ON COMMIT DROP")
            await conn.copy_to_table(staged, source=source, columns=entry["columns"], format="text")
            if entry["name"] == "users":
                await _check_people(conn, force=force)
                people_without_login = await conn.fetchval(sql("backup_restore_people_logins"))
            status = await conn.execute(
                f"INSERT INTO {_qualified(entry['name'])} ({_column_list(entry['columns'])}) "
                f"SELECT {_column_list(entry['columns'])} FROM {ident(staged)} "
                f"ON CONFLICT ({_column_list(expected[entry['name']].primary_key)}) DO NOTHING")
            added = int(status.split()[-1])
            rows += added
            people_added += added if entry["name"] == "users" else 0
        await _check_keys(conn, UUID(client["id"]), [k for k in keys if k["child_table"] in restored_tables],
                          {t.name for t in tables if t.kind == "tenant"})
    return ClientRestored(UUID(client["id"]), client["name"], rows, len(manifest["tables"]), people_added,
                          people_without_login)


async def _check_people(conn: asyncpg.Connection, *, force: bool) -> None:
    """The backup's people (staged in restore_users) can be added: none is here under another id with the same
    e-mail, and none was erased here (unless `force`)."""
    taken = await conn.fetchrow(sql("backup_restore_people_taken"))
    if taken is not None:
        raise BackupError(f"{taken['email']} is already a person on this server under another id ({taken['id']}, "
                          f"the backup's is {taken['backup_id']}): change or erase that person's e-mail here, or "
                          "restore into a database without them; nothing was restored")
    erased = await conn.fetchval(sql("backup_restore_people_erased"))
    if erased is not None and not force:
        raise BackupError(f"{erased} of the backup's people were erased from this database (right to be forgotten): "
                          "give --force to restore them all the same; nothing was restored")


async def _check_owner(conn: asyncpg.Connection, table: str, kind: str, client_id: UUID, copied: int) -> None:
    """Every row copied into `table` is the client's (the client had none before): a file that says one client
    and holds another's rows is refused."""
    column = "id" if kind == "client" else "client_account_id"
    owned = await conn.fetchval(f"SELECT count(*) FROM {_qualified(table)} WHERE {ident(column)} = $1", client_id)
    if owned != copied:
        raise BackupError(f"the backup's {table} rows are not all of client {client_id}; nothing was restored")


async def _check_keys(conn: asyncpg.Connection, client_id: UUID, keys: list[asyncpg.Record], tenant: set[str]
                      ) -> None:
    """Every foreign key of the client's restored rows leads to a row, the client's own where it is a tenant
    table's (the triggers that check them did not run; they would not have checked whose)."""
    for k in keys:
        if k["child_table"] == CLIENT_TABLE:
            continue
        pairs = list(zip(k["child_columns"], k["parent_columns"], strict=True))
        scope = "c.client_account_id = $1" if k["child_table"] in tenant else "true"
        owner = (" AND p.client_account_id = c.client_account_id"
                 if k["child_table"] in tenant and k["parent_table"] in tenant else "")
        orphans = await conn.fetchval(
            f"SELECT count(*) FROM {_qualified(k['child_table'])} c WHERE {scope} AND "
            + " AND ".join(f"c.{ident(cc)} IS NOT NULL" for cc, _ in pairs)
            + f" AND NOT EXISTS (SELECT 1 FROM {_qualified(k['parent_table'])} p WHERE "
            + " AND ".join(f"p.{ident(pc)} = c.{ident(cc)}" for cc, pc in pairs) + owner + ")",
            *([client_id] if scope != "true" else []))
        if orphans:
            raise BackupError(f"the backup is inconsistent: {orphans} {k['child_table']} row(s) reference "
                              f"{k['parent_table']} rows it lacks or another client's ({k['name']}); nothing was "
                              "restored")


def _version(applied: list[list[Any]]) -> str:
    return f"{applied[-1][0]:04d} ({len(applied)} migrations)" if applied else "none (not migrated)"
