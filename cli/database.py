"""`db migrate|bootstrap`: the database's roles and schema."""

from __future__ import annotations

import typer

from cli.common import (
    console,
    run_async,
)
from db.bootstrap import bootstrap
from db.migrator import discover, migrate
from runtime.devstack import ensure_database
from runtime.settings import get_settings

app = typer.Typer(no_args_is_help=True, help='Database bootstrap and schema migrations.')


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


@app.command("bootstrap")
@run_async
async def db_bootstrap(
    superuser_url: str = typer.Option(..., envvar="DATABASE_SUPERUSER_URL", help="A superuser connection URL."),
    database: str = typer.Option("migration", help="Database to create and prepare."),
    owner_password: str = typer.Option(..., envvar="MIGRATION_OWNER_PASSWORD", prompt=True, hide_input=True),
    app_password: str = typer.Option(..., envvar="MIGRATION_APP_PASSWORD", prompt=True, hide_input=True),
) -> None:
    """Create the owner and application roles, the database, its extensions and schema (run once)."""
    await bootstrap(superuser_url, database, owner_password, app_password)
    console.print(f"database {database} is ready; now run `db migrate` with DATABASE_OWNER_URL")
