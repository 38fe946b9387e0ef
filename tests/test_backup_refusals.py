"""Client restores refuse crafted or unwanted backups in one line and restore nothing: rows pointing at another
client's rows, an erased client or person, a person here under another id, a gzip bomb; and a crafted person's
login that is a superuser's or a platform administrator's is dropped. Small data: two clients made without a
worker, one in the source database, one already on the target."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import pytest

from db.client_backup import BackupError
from db.pool import create_pool
from runtime import backups
from tests.conftest import TestDatabase, create_test_database, make_engagement
from tests.test_backups import HELD, _env, _fetch, _refused

pytestmark = pytest.mark.asyncio(loop_scope="session")


class Databases:
    """The source (client A: assets a1 -> a2, its owner's login a platform administrator's, its viewer's the
    superuser's) and the target (client B: asset b1), with A's backup."""

    def __init__(self, source: TestDatabase, target: TestDatabase, a: Any, b: Any, assets: dict[str, uuid.UUID],
                 backup: Path) -> None:
        self.source, self.target, self.a, self.b, self.assets, self.backup = source, target, a, b, assets, backup


async def _asset(url: str, engagement: Any, name: str) -> uuid.UUID:
    rows = await _fetch(url, "INSERT INTO migration.assets (client_account_id, engagement_id, name) VALUES ($1, $2, $3)"
                        " RETURNING id", engagement.ref.client_account_id, engagement.ref.id, name)
    return rows[0]["id"]


@pytest.fixture(scope="module")
async def dbs(pg_superuser_url: str, tmp_path_factory) -> AsyncIterator[Databases]:
    source, target = await create_test_database(pg_superuser_url), await create_test_database(pg_superuser_url)
    pools = [await create_pool(db.app_url, max_size=2) for db in (source, target)]
    try:
        a, b = await make_engagement(pools[0]), await make_engagement(pools[1])
    finally:
        for pool in pools:
            await pool.close()
    assets = {"a1": await _asset(source.superuser_url, a, "a1"), "a2": await _asset(source.superuser_url, a, "a2"),
              "b1": await _asset(target.superuser_url, b, "b1")}
    await _fetch(source.superuser_url, "INSERT INTO migration.asset_dependencies (client_account_id, engagement_id, "
                 "source_asset_id, target_asset_id) VALUES ($1, $2, $3, $4) RETURNING id",
                 a.ref.client_account_id, a.ref.id, assets["a1"], assets["a2"])
    admin = f"p_{uuid.uuid4().hex[:12]}"
    await _fetch(source.superuser_url, f"CREATE ROLE {admin} LOGIN IN ROLE migration_person, migration_admin")
    for person, login in ((a.owner_id, admin), (a.viewer_id, urlsplit(pg_superuser_url).username or "postgres")):
        await _fetch(source.superuser_url, "UPDATE migration.users SET login_role = $1 WHERE id = $2", login, person)
    backup = tmp_path_factory.mktemp("client-backups") / "a.tgz"
    await backups.back_up(backups.Target(source.superuser_url, "test"), backup, str(a.ref.client_account_id))
    yield Databases(source, target, a, b, assets, backup)
    await _fetch(source.superuser_url, "UPDATE migration.users SET login_role = NULL WHERE login_role = $1", admin)
    await _fetch(source.superuser_url, f"DROP ROLE {admin}")


def _rewrite(original: Path, crafted: Path, member: str, change: Callable[[bytes], bytes]) -> None:
    """A copy of a client backup whose `member` is changed, its manifest's checksum and row count made to match."""
    with tarfile.open(original, "r:gz") as tar:
        files = {info.name: tar.extractfile(info).read() for info in tar.getmembers()}  # type: ignore[union-attr]
    files[member] = change(files[member])
    manifest = json.loads(files["manifest.json"])
    for entry in manifest["tables"]:
        if entry["file"] == member:
            entry["sha256"], entry["rows"] = hashlib.sha256(files[member]).hexdigest(), files[member].count(b"\n")
    files["manifest.json"] = json.dumps(manifest).encode()
    with tarfile.open(crafted, "w:gz") as tar:
        for name in ["manifest.json", *(n for n in files if n != "manifest.json")]:
            info = tarfile.TarInfo(name)
            info.size = len(files[name])
            tar.addfile(info, io.BytesIO(files[name]))


async def _restore_refused(dbs: Databases, path: Path, tmp_path: Path) -> str:
    with pytest.raises(BackupError) as refused:
        await backups.restore(backups.Target(dbs.target.superuser_url, "test"), path, clean=False,
                              staging_root=tmp_path / "staging")
    said = str(refused.value)
    assert "\n" not in said
    assert [tuple(r) for r in await _fetch(dbs.target.superuser_url, HELD)] == [(1, 2)]  # B and its two people only
    assert not list((tmp_path / "staging").iterdir())  # nothing left staged
    return said


async def test_a_row_pointing_at_another_clients_row_is_refused(dbs: Databases, tmp_path: Path) -> None:
    crafted = tmp_path / "cross.tgz"
    _rewrite(dbs.backup, crafted, "data/asset_dependencies.copy",
             lambda rows: rows.replace(str(dbs.assets["a2"]).encode(), str(dbs.assets["b1"]).encode()))
    said = await _restore_refused(dbs, crafted, tmp_path)
    assert "1 asset_dependencies row(s) reference assets rows it lacks or another client's" in said, said


async def test_a_person_here_under_another_id_is_named(dbs: Databases, tmp_path: Path) -> None:
    email = (await _fetch(dbs.source.superuser_url, "SELECT email FROM migration.users WHERE id = $1",
                          dbs.a.owner_id))[0]["email"]
    await _fetch(dbs.target.superuser_url, "UPDATE migration.users SET email = $1 WHERE id = $2", email.upper(),
                 dbs.b.owner_id)
    try:
        said = await _restore_refused(dbs, dbs.backup, tmp_path)
    finally:
        await _fetch(dbs.target.superuser_url, "UPDATE migration.users SET email = $1 WHERE id = $2",
                     f"b-{uuid.uuid4().hex[:8]}@example.com", dbs.b.owner_id)
    assert f"{email.upper()} is already a person on this server under another id ({dbs.b.owner_id}" in said, said


async def test_a_gzip_bomb_is_refused_from_its_headers(dbs: Databases, tmp_path: Path) -> None:
    """128 MiB of zeros in a file of a few hundred KiB: refused by the CLI in one line, nothing unpacked."""
    with tarfile.open(dbs.backup, "r:gz") as tar:
        manifest = tar.extractfile("manifest.json").read()  # type: ignore[union-attr]
    bomb = tmp_path / "bomb.tgz"

    class Zeros:
        def read(self, size: int) -> bytes:
            return bytes(size)

    with tarfile.open(bomb, "w:gz", compresslevel=1) as tar:
        info = tarfile.TarInfo("manifest.json")
        info.size = len(manifest)
        tar.addfile(info, io.BytesIO(manifest))
        info = tarfile.TarInfo(json.loads(manifest)["tables"][0]["file"])
        info.size = 128 << 20
        tar.addfile(info, Zeros())  # type: ignore[arg-type]
    assert bomb.stat().st_size < 2 << 20
    env = _env(tmp_path, dbs.target.superuser_url)
    said = await _refused(env, "ops", "restore", str(bomb))
    assert "refused as a possible gzip bomb" in said, said
    assert not list((tmp_path / "data" / "restore").iterdir())
    assert [tuple(r) for r in await _fetch(dbs.target.superuser_url, HELD)] == [(1, 2)]


async def _erased(url: str, kind: str, subject: str) -> None:
    await _fetch(url, "INSERT INTO migration.privacy_erasures (subject_kind, subject_hashes, pseudonym) "
                 "VALUES ($1, ARRAY[migration.privacy_hash($2)], 'erased') RETURNING id", kind, subject)


async def test_an_erased_client_or_person_comes_back_only_with_force(dbs: Databases, tmp_path: Path) -> None:
    """Last in this module: restores A for good, its crafted logins (a superuser's, a platform administrator's)
    dropped."""
    target = dbs.target.superuser_url
    await _erased(target, "user", (await _fetch(dbs.source.superuser_url, "SELECT email FROM migration.users "
                                                "WHERE id = $1", dbs.a.viewer_id))[0]["email"])
    said = await _restore_refused(dbs, dbs.backup, tmp_path)
    assert "1 of the backup's people were erased from this database" in said and "--force" in said, said
    await _erased(target, "client", (await _fetch(dbs.source.superuser_url, "SELECT slug FROM "
                                                  "migration.client_accounts WHERE id = $1",
                                                  dbs.a.ref.client_account_id))[0]["slug"])
    said = await _restore_refused(dbs, dbs.backup, tmp_path)
    assert "was erased from this database on " in said and "give --force" in said, said

    said = await backups.restore(backups.Target(target, "test"), dbs.backup, clean=False, force=True,
                                 staging_root=tmp_path / "staging")
    assert "2 people added; 2 of its people have no login on this server" in said, said
    logins = await _fetch(target, "SELECT login_role FROM migration.users WHERE id = ANY($1)",
                          [dbs.a.owner_id, dbs.a.viewer_id])
    assert [r["login_role"] for r in logins] == [None, None]
    conn = await asyncpg.connect(target)
    try:
        from db.tenant_isolation import cross_tenant_rows, violations

        assert violations(await cross_tenant_rows(conn)) == []
    finally:
        await conn.close()
