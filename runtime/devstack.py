"""The stack a command runs on: real servers when configured, the embedded default otherwise.

`ensure_stack` starts (or reuses) what is embedded, bootstraps and migrates the embedded database,
and returns the endpoints. If a later step fails, what this call started is stopped again, so a
failure never leaves a half-started stack behind.

The embedded services live under the data directory (`Settings.data_path`): `postgres/` and `temporal/`.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import secrets
import shlex
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from db.bootstrap import bootstrap
from db.migrator import migrate
from db.people import put_platform_admin
from db.pool import without_credentials
from db.queries import sql
from runtime.embedded_postgres import SUPERUSER, EmbeddedPostgres, PostgresStatus
from runtime.embedded_temporal import EmbeddedTemporal, TemporalStatus
from runtime.settings import Settings, default_data_dir

EMBEDDED_DATABASE = "migration"
# Where checkouts before the per-user default kept the embedded stack: `.data` of the folder they ran
# from, in practice the repository.
OLDER_CHECKOUT_DATA_DIR = Path(__file__).resolve().parent.parent / ".data"
# Where the URL of the embedded database comes from, as a connection error names it.
EMBEDDED_DATABASE_ORIGIN = "the embedded PostgreSQL; see `starter.py dev status`"


class DataDirError(RuntimeError):
    """MIGRATION_DATA_DIR cannot hold the embedded stack: not a folder, cannot be created, or not writable."""


@dataclass(frozen=True)
class Endpoints:
    database_url: str  # the service role's (workers)
    database_owner_url: str | None
    temporal_address: str
    temporal_namespace: str
    ui_url: str | None
    embedded_postgres: bool
    embedded_temporal: bool

    @property
    def person_database_url(self) -> str:
        """Where a person connects: the database's server, with the person's own login (never the service's)."""
        return without_credentials(self.database_url)

    def person_connect_options(self, settings: Settings) -> dict[str, str]:
        """How a person's connection finds their login: the libpq environment (PGUSER, PGPASSWORD, PGPASSFILE
        or ~/.pgpass, PGSERVICE) when set; on the embedded default, else, the local administrator's login and
        the password file the stack keeps for it."""
        if not self.embedded_postgres or _LIBPQ_LOGIN.intersection(os.environ):
            return {}
        passfile = embedded_postgres(settings).root / PEOPLE_PASSFILE
        return {"user": local_login(), **({"passfile": str(passfile)} if passfile.exists() else {})}

    @property
    def database_origin(self) -> str:
        """Where the application URL comes from, as a connection error names it."""
        return EMBEDDED_DATABASE_ORIGIN if self.embedded_postgres else "DATABASE_URL"


# The libpq variables that say who connects; when any is set, a person's connection follows them.
_LIBPQ_LOGIN = frozenset({"PGUSER", "PGPASSWORD", "PGPASSFILE", "PGSERVICE"})
# The embedded stack's password file for the local administrator's login (owner-readable only).
PEOPLE_PASSFILE = "people.pgpass"


def local_login() -> str:
    """The login of the person who runs the embedded stack: their operating-system user name, spelled as a
    person's login may be (lower-case letters, digits and _; never a platform or superuser role's name)."""
    name = re.sub(r"[^a-z0-9_]", "_", getpass.getuser().lower()).replace("migration", "m")[:55] or "admin"
    if not re.match(r"[a-z]", name) or name.startswith("pg_") or name == SUPERUSER:
        name = f"person_{name}"
    return name


async def ensure_local_admin(pg: EmbeddedPostgres, database: str = EMBEDDED_DATABASE) -> str:
    """The embedded stack's first person: a platform administrator with the local user's login, whose password
    the stack keeps in its password file (made again if the file is lost). Returns the login."""
    login = local_login()
    passfile = pg.root / PEOPLE_PASSFILE
    conn = await asyncpg.connect(pg.superuser_url(database))
    try:
        if passfile.exists() and await conn.fetchval(sql("role_exists"), login):
            return login
        password = await put_platform_admin(conn, login, f"{login}@localhost.localdomain")
    finally:
        await conn.close()
    passfile.write_text(f"127.0.0.1:*:{database}:{login}:{password}\n")
    passfile.chmod(0o600)
    return login


def embedded_postgres(settings: Settings) -> EmbeddedPostgres:
    return EmbeddedPostgres(settings.data_path / "postgres", settings.embedded_pg_port)


def embedded_temporal(settings: Settings) -> EmbeddedTemporal:
    return EmbeddedTemporal(
        settings.data_path / "temporal",
        settings.embedded_temporal_port,
        settings.embedded_temporal_ui_port,
        settings.temporal_namespace,
    )


def _holds_embedded_stack(settings: Settings) -> bool:
    """Whether the settings' data directory holds an embedded database or Temporal history."""
    return embedded_postgres(settings).initialised or embedded_temporal(settings).db_file.exists()


def refuse_to_hide_older_stack(settings: Settings, older_data_dir: Path = OLDER_CHECKOUT_DATA_DIR) -> None:
    """Refuse to start an empty stack in the per-user default while an older checkout's `.data` holds one.

    Nothing is moved: the person keeps the old stack (MIGRATION_DATA_DIR) or starts anew by creating
    the default directory. Once the default directory exists this never refuses again.
    """
    default = default_data_dir().resolve()
    if settings.data_path != default or default.exists():
        return
    if not _holds_embedded_stack(settings.model_copy(update={"data_dir": older_data_dir})):
        return
    keep, start_anew = shlex.quote(str(older_data_dir)), shlex.quote(str(default))
    raise FileNotFoundError(
        f"the embedded stack now lives in {default}, which does not exist yet, while {older_data_dir} holds an "
        f"older checkout's stack: keep using that one with `export MIGRATION_DATA_DIR={keep}`, or start an empty "
        f"one with `mkdir -p {start_anew}`"
    )


def prepare_data_dir(settings: Settings) -> Path:
    """The data directory, created if missing; refused in one line naming MIGRATION_DATA_DIR if it cannot hold
    the embedded stack."""
    path = settings.data_path
    if path.exists() and not path.is_dir():
        raise DataDirError(f"MIGRATION_DATA_DIR {path} is not a folder; point MIGRATION_DATA_DIR at a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataDirError(f"MIGRATION_DATA_DIR {path} cannot be created ({exc.strerror}); point "
                           "MIGRATION_DATA_DIR at a folder you can write to") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise DataDirError(f"MIGRATION_DATA_DIR {path} is not writable; point MIGRATION_DATA_DIR at a folder you "
                           "can write to")
    return path


def role_passwords(credentials_file: Path) -> dict[str, str]:
    """The embedded roles' passwords, generated once and kept owner-readable only."""
    if credentials_file.exists():
        return json.loads(credentials_file.read_text())
    creds = {"migration_owner": secrets.token_urlsafe(24), "migration_app": secrets.token_urlsafe(24)}
    credentials_file.write_text(json.dumps(creds))
    credentials_file.chmod(0o600)
    return creds


def role_url(pg: EmbeddedPostgres, role: str, password: str, database: str = EMBEDDED_DATABASE) -> str:
    return f"postgresql://{role}:{password}@127.0.0.1:{pg.port}/{database}"


async def ensure_database(settings: Settings) -> tuple[str, str | None, bool]:
    """Start or reuse the embedded database if none is configured, and migrate it when an owner URL is known.

    Returns (application URL, owner URL or None, whether this call started the embedded server).
    """
    if settings.database_url:
        owner_url = settings.database_owner_url
        if owner_url:
            await migrate(owner_url)
        return settings.database_url, owner_url, False
    refuse_to_hide_older_stack(settings)
    prepare_data_dir(settings)
    pg = embedded_postgres(settings)
    started = pg.ensure_running()
    try:
        creds = role_passwords(pg.root / "roles.json")
        await bootstrap(pg.superuser_url(), EMBEDDED_DATABASE, creds["migration_owner"], creds["migration_app"],
                        origin=EMBEDDED_DATABASE_ORIGIN)
        owner_url = role_url(pg, "migration_owner", creds["migration_owner"])
        await migrate(owner_url, origin=EMBEDDED_DATABASE_ORIGIN)
        await ensure_local_admin(pg)
    except BaseException:
        if started:
            pg.stop()
        raise
    return role_url(pg, "migration_app", creds["migration_app"]), owner_url, started


async def ensure_stack(settings: Settings) -> Endpoints:
    """Start or reuse every embedded service the settings call for; migrate the database."""
    database_url, owner_url, pg_started = await ensure_database(settings)
    if settings.temporal_address:
        address, ui_url = settings.temporal_address, None
    else:
        temporal = embedded_temporal(settings)
        try:
            refuse_to_hide_older_stack(settings)
            prepare_data_dir(settings)
            temporal.ensure_running()
        except BaseException:
            if pg_started:
                embedded_postgres(settings).stop()
            raise
        address, ui_url = temporal.address, temporal.ui_url
    return Endpoints(
        database_url=database_url,
        database_owner_url=owner_url,
        temporal_address=address,
        temporal_namespace=settings.temporal_namespace,
        ui_url=ui_url,
        embedded_postgres=not settings.database_url,
        embedded_temporal=not settings.temporal_address,
    )


def stop_stack(settings: Settings) -> dict[str, bool]:
    """Stop the embedded services (real servers are never touched). Returns what was running."""
    if not settings.data_path.is_dir():  # no stack can run from it
        return {"temporal": False, "postgres": False}
    return {
        "temporal": embedded_temporal(settings).stop(),
        "postgres": embedded_postgres(settings).stop(),
    }


def stack_status(settings: Settings) -> tuple[PostgresStatus | None, TemporalStatus | None]:
    pg = None if settings.database_url else embedded_postgres(settings).status()
    temporal = None if settings.temporal_address else embedded_temporal(settings).status()
    return pg, temporal
