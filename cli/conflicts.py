"""`conflicts list|resolve`: values imports disagreed about."""

from __future__ import annotations

import typer
from rich.table import Table

from cli.common import (
    JsonOption,
    console,
    print_json,
    run_async,
    session,
)
from db import tenancy
from db.conflict_review import list_conflicts, resolve_conflict

app = typer.Typer(no_args_is_help=True, help='Values imports disagreed about: review and settle them.')


@app.command("list")
@run_async
async def conflicts_list(engagement: str, as_json: bool = JsonOption,
                         resolved: bool = typer.Option(False, "--all", help="Also the resolved ones.")) -> None:
    """Values imports disagreed about, open ones first, with the asset's value and the imported one."""
    async with session(temporal=False) as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        rows = await list_conflicts(s.pool, ref, include_resolved=resolved)
    if as_json:
        print_json(rows)
        return
    table = Table("id", "asset", "column", "asset's value", "imported value", "from", "status")
    for r in rows:
        incoming = f"also matched {r['other_asset_name']}" if r["field"] == "asset" else repr(r["incoming_value"])
        kept = "" if r["field"] == "asset" else repr(r["kept_value"])
        table.add_row(str(r["id"])[:8], r["asset_name"], r["field"], kept, incoming,
                      f"{r['file_name']} row {r['row_number']}", r["resolution"] or r["status"])
    console.print(table)
    console.print(f"{sum(r['status'] == 'open' for r in rows)} open; settle one with "
                  "`conflicts resolve ENGAGEMENT ID --keep|--take`")


@app.command("resolve")
@run_async
async def conflicts_resolve(
    ctx: typer.Context,
    engagement: str,
    conflict: str = typer.Argument(..., help="The conflict's id (its first 8 characters are enough)."),
    keep: bool = typer.Option(False, "--keep", help="Keep the asset's value."),
    take: bool = typer.Option(False, "--take", help="Take the imported value."),
    reason: str = typer.Option("", help="Why; kept with the decision."),
    as_json: bool = JsonOption,
) -> None:
    """Settle a column of an asset: keep its value or take the imported one (every open conflict of that
    column is resolved with it)."""
    if keep == take:
        ctx.fail("decide with exactly one of --keep (the asset's value) and --take (the imported one)")
    async with session(temporal=False) as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        result = await resolve_conflict(s.pool, ref, conflict, "keep" if keep else "take", s.me.id, reason)
    if as_json:
        print_json(result)
        return
    value = result["incoming_value"] if take else result["kept_value"]
    console.print(f"{result['asset_name']}.{result['field']}: {result['resolution']} ({value!r}); "
                  f"{len(result['resolved'])} conflict(s) resolved")
