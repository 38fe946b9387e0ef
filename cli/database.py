"""`db migrate|bootstrap`: the database's roles and schema."""

from __future__ import annotations

import sys
from urllib.parse import urlsplit

import asyncpg
import typer

from cli.common import (
    console,
    run_async,
)
from cli.input_checks import usage_check
from db.bootstrap import bootstrap
from db.migrator import discover, migrate
from db.people import checked_login, put_platform_admin
from db.pool import connecting
from db.tenancy import checked_email
from runtime.devstack import ensure_database
from runtime.settings import get_settings

app = typer.Typer(no_args_is_help=True, help='Database bootstrap and schema migrations.')

PASSWORD_VARIABLES = {"owner": "MIGRATION_OWNER_PASSWORD", "app": "MIGRATION_APP_PASSWORD"}
# Where the superuser URL comes from, as a connection error names it.
SUPERUSER_URL_ORIGIN = "--superuser-url or DATABASE_SUPERUSER_URL"


@app.command("migrate")
@run_async
async def db_migrate() -> None:
    """Apply pending schema migrations with DATABASE_OWNER_URL (or the embedded database)."""
    settings = get_settings()
    if settings.database_url and not settings.database_owner_url:
        raise ValueError("DATABASE_OWNER_URL must be set to migrate a configured database")
    if settings.database_owner_url:
        await migrate(settings.database_owner_url)
    else:
        await ensure_database(settings)
    console.print(f"schema is up to date ({len(discover())} migration files applied)")


def _checked_url(url: str) -> str:
    """A PostgreSQL connection URL (never echoed: it may hold a password)."""
    if urlsplit(url).scheme not in ("postgresql", "postgres"):
        raise ValueError("not a PostgreSQL connection URL: write postgresql://USER:PASSWORD@HOST:PORT/DATABASE")
    return url


@app.command("bootstrap")
@run_async
async def db_bootstrap(
    ctx: typer.Context,
    superuser_url: str = typer.Option(..., envvar="DATABASE_SUPERUSER_URL", callback=usage_check(_checked_url),
                                      help="A superuser connection URL."),
    database: str = typer.Option("migration", help="Database to create and prepare."),
    owner_password: str = typer.Option(None, envvar=PASSWORD_VARIABLES["owner"], show_default=False,
                                       help="Asked for on a terminal when not set."),
    app_password: str = typer.Option(None, envvar=PASSWORD_VARIABLES["app"], show_default=False,
                                     help="Asked for on a terminal when not set."),
) -> None:
    """Create the owner and application roles, the database, its extensions and schema (run once)."""
    missing = [role for role, password in (("owner", owner_password), ("app", app_password)) if not password]
    if missing:
        if not sys.stdin.isatty():
            ctx.fail(f"no terminal to ask for the passwords: set {' and '.join(PASSWORD_VARIABLES[r] for r in missing)}")
        with connecting(superuser_url, SUPERUSER_URL_ORIGIN):  # a wrong URL is found before anything is typed
            await (await asyncpg.connect(superuser_url)).close()
        owner_password = owner_password or typer.prompt("Owner password", hide_input=True)
        app_password = app_password or typer.prompt("App password", hide_input=True)
    await bootstrap(superuser_url, database, owner_password, app_password, origin=SUPERUSER_URL_ORIGIN)
    console.print(f"database {database} is ready; now run `db migrate` with DATABASE_OWNER_URL")


@app.command("add-admin")
@run_async
async def db_add_admin(
    login: str = typer.Argument(..., callback=usage_check(checked_login), help="Their PostgreSQL login."),
    email: str = typer.Argument(..., callback=usage_check(checked_email)),
    superuser_url: str = typer.Option(..., envvar="DATABASE_SUPERUSER_URL", callback=usage_check(_checked_url),
                                      help="A superuser connection URL of the platform's database."),
) -> None:
    """Make a person a platform administrator (the first one of a real deployment; run after `db migrate`);
    prints their new password once."""
    with connecting(superuser_url, SUPERUSER_URL_ORIGIN):
        conn = await asyncpg.connect(superuser_url)
    try:
        password = await put_platform_admin(conn, login, email)
    finally:
        await conn.close()
    console.print(f"{email} administers the platform as login {login}, password {password} (shown once)",
                  highlight=False, markup=False)
