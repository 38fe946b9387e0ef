"""`tenant create|list|add-admin`: client accounts and their administrators."""

from __future__ import annotations

from uuid import UUID

import typer
from rich.table import Table

from cli.common import (
    JsonOption,
    console,
    print_json,
    run_async,
    session,
)
from cli.input_checks import checked_uuid, usage_check
from db import people, tenancy

app = typer.Typer(no_args_is_help=True, help='Client accounts (tenants).')


@app.command("create")
@run_async
async def tenant_create(
    name: str = typer.Argument(
        ..., help=f"1-{tenancy.NAME_MAX_CHARS} characters on one line, without '/', with a letter or digit.",
        callback=usage_check(tenancy.checked_client_name)),
    tenant_id: str = typer.Option(None, "--id", callback=usage_check(checked_uuid),
                                  help="Fixed id, a UUID (test tenants)."),
    as_json: bool = JsonOption,
) -> None:
    """Create a client account (its slug, the name in lower case with '-' between words, names it too)."""
    async with session(temporal=False) as s:
        client_id = await tenancy.create_client(s.pool, name, UUID(tenant_id) if tenant_id else None)
    if as_json:
        print_json({"id": str(client_id), "name": name})
    else:
        console.print(f"client {name}: {client_id}", highlight=False, markup=False)


@app.command("list")
@run_async
async def tenant_list(as_json: bool = JsonOption) -> None:
    """List client accounts."""
    async with session(temporal=False, read_only=True) as s:
        rows = await tenancy.list_clients(s.read_pool)
    if as_json:
        print_json([dict(r) for r in rows])
        return
    table = Table("id", "name", "slug", "status")
    for r in rows:
        table.add_row(str(r["id"]), r["name"], r["slug"], r["status"])
    console.print(table)


@app.command("add-admin")
@run_async
async def tenant_add_admin(
    client: str = typer.Argument(..., help="Client id, slug or name."),
    email: str = typer.Argument(..., callback=usage_check(tenancy.checked_email)),
) -> None:
    """Make a person an administrator of a client: they create its engagements and manage its people
    (platform administrators only; nobody names themselves)."""
    async with session(temporal=False) as s:
        await people.add_client_admin(s.pool, await tenancy.find_client(s.pool, client), email)
    console.print(f"{email} administers client {client}", highlight=False, markup=False)
