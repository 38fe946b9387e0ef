"""`assets show`: the inventory's assets, as a person checks them."""

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
from db import import_review, tenancy

app = typer.Typer(no_args_is_help=True, help="The inventory's assets, as a person checks them.")


@app.command("show")
@run_async
async def assets_show(engagement: str, asset: str = typer.Argument(..., help="Asset id or name."),
                      as_json: bool = JsonOption) -> None:
    """One asset: its values, which file and row each came from, what cleansing changed, conflicts."""
    async with session(temporal=False) as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        detail = await import_review.asset_detail(s.pool, ref, asset)
    if as_json:
        print_json(detail)
        return
    lineage, changes, conflicts = detail.pop("field_lineage"), detail.pop("cleansing_changes"), detail.pop("conflicts")
    table = Table("field", "value", "from")
    for field, value in detail.items():
        if value in (None, [], {}):
            continue
        source = lineage.get(field)
        origin = f"{source.get('file_name') or 'import'} row {source.get('row_number', '-')}" if source else ""
        if source and source.get("decided_by"):
            origin += " (chosen in a conflict review)"
        table.add_row(field, str(value), origin)
    console.print(table)
    for change in changes or []:
        console.print(f"cleansing: {change['field']}: {change['from']!r} -> {change['to']!r} ({change['rule']})")
    for c in conflicts:
        console.print(f"conflict ({c['status']}): {c['field']} kept {c['kept_value']!r}, {c['file_name']} row "
                      f"{c['row_number']} said {c['incoming_value']!r}")
