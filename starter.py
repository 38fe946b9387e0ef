"""The starter CLI: manage the embedded stack and the database, launch and steer engagements."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from db.bootstrap import bootstrap
from db.migrator import MigrationError, discover
from runtime.devstack import ensure_database, ensure_stack, stack_status, stop_stack
from runtime.embedded_postgres import EmbeddedPostgresError
from runtime.embedded_temporal import EmbeddedTemporalError
from runtime.logging import configure_logging
from runtime.settings import get_settings

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
dev_app = typer.Typer(no_args_is_help=True, help="Embedded PostgreSQL and Temporal dev server.")
db_app = typer.Typer(no_args_is_help=True, help="Database bootstrap and schema migrations.")
app.add_typer(dev_app, name="dev")
app.add_typer(db_app, name="db")

console = Console()
err_console = Console(stderr=True)

# Errors a user can act on: shown as one line, exit code 1. Anything else is a bug and keeps its trace.
USER_ERRORS: tuple[type[BaseException], ...] = (
    EmbeddedPostgresError,
    EmbeddedTemporalError,
    MigrationError,
    ValueError,
    OSError,
)

T = TypeVar("T")


def run_async(fn: Callable[..., Awaitable[T]]) -> Callable[..., T]:
    """Run an async command; report user errors as one clear line and a non-zero exit code."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            return asyncio.run(fn(*args, **kwargs))
        except USER_ERRORS as exc:
            err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
            raise typer.Exit(1) from None

    return wrapper


@app.callback()
def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)


@dev_app.command("up")
@run_async
async def dev_up(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """Start (or reuse) the embedded services, migrate the database, print the addresses."""
    endpoints = await ensure_stack(get_settings())
    info = {
        "database": _redact(endpoints.database_url),
        "temporal": endpoints.temporal_address,
        "namespace": endpoints.temporal_namespace,
        "ui": endpoints.ui_url,
    }
    if as_json:
        print(json.dumps(info))
        return
    for key, value in info.items():
        console.print(f"[bold]{key:>9}[/]  {value or '(external)'}")
    if endpoints.ui_url:
        console.print(f"\nTemporal Web UI: [link={endpoints.ui_url}]{endpoints.ui_url}[/link]")


@dev_app.command("down")
def dev_down() -> None:
    """Stop the embedded services (data stays under the data directory)."""
    try:
        stopped = stop_stack(get_settings())
    except USER_ERRORS as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(1) from None
    for name, was_running in stopped.items():
        console.print(f"{name}: {'stopped' if was_running else 'was not running'}")


@dev_app.command("status")
def dev_status(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """Show whether the embedded services run, and where."""
    pg, temporal = stack_status(get_settings())
    rows = {
        "postgres": None if pg is None else {"running": pg.running, "port": pg.port, "pid": pg.pid},
        "temporal": None
        if temporal is None
        else {"running": temporal.running, "address": temporal.address, "ui": temporal.ui_url, "pid": temporal.pid},
    }
    if as_json:
        print(json.dumps(rows))
        return
    table = Table("service", "state", "where")
    for name, row in rows.items():
        if row is None:
            table.add_row(name, "external", "configured by environment")
        else:
            where = row.get("ui") or row.get("address") or f"127.0.0.1:{row['port']}"
            table.add_row(name, "[green]running[/]" if row["running"] else "[red]stopped[/]", str(where))
    console.print(table)


@db_app.command("migrate")
@run_async
async def db_migrate() -> None:
    """Apply pending schema migrations with DATABASE_OWNER_URL (or the embedded database)."""
    settings = get_settings()
    if settings.database_url and not settings.database_owner_url:
        raise ValueError("DATABASE_OWNER_URL must be set to migrate a configured database")
    await ensure_database(settings)
    console.print(f"schema is up to date ({len(discover())} migration files applied)")


@db_app.command("bootstrap")
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


def _redact(url: str) -> str:
    """Hide the password in a connection URL before printing it."""
    scheme, sep, rest = url.partition("://")
    if "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***@{host}"


if __name__ == "__main__":
    sys.exit(app())
