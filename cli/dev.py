"""`dev up|down|status`: the embedded PostgreSQL and Temporal dev server."""

from __future__ import annotations

import json

import typer
from rich.table import Table
from rich.text import Text

from cli.common import (
    console,
    run_async,
)
from db.pool import redact_url
from runtime.devstack import ensure_stack, stack_status, stop_stack
from runtime.settings import get_settings

app = typer.Typer(no_args_is_help=True, help='Embedded PostgreSQL and Temporal dev server.')


@app.command("up")
@run_async
async def dev_up(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """Start (or reuse) the embedded services, migrate the database, print the addresses."""
    settings = get_settings()
    endpoints = await ensure_stack(settings)
    embedded = endpoints.embedded_postgres or endpoints.embedded_temporal
    info = {
        "database": redact_url(endpoints.database_url),
        "temporal": endpoints.temporal_address,
        "namespace": endpoints.temporal_namespace,
        "ui": endpoints.ui_url,
        "data": str(settings.data_path) if embedded else None,
    }
    if as_json:
        print(json.dumps(info))
        return
    for key, value in info.items():
        console.print(Text.assemble((f"{key:>9}", "bold"), f"  {value or '(external)'}"))
    if endpoints.ui_url:
        console.print(Text.assemble("\nTemporal Web UI: ", (endpoints.ui_url, f"link {endpoints.ui_url}")))


@app.command("down")
def dev_down() -> None:
    """Stop the embedded services (data stays under the data directory)."""
    stopped = stop_stack(get_settings())
    for name, was_running in stopped.items():
        console.print(f"{name}: {'stopped' if was_running else 'was not running'}")


@app.command("status")
def dev_status(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """Show whether the embedded services run, and where."""
    settings = get_settings()
    pg, temporal = stack_status(settings)
    data_dir = str(settings.data_path)
    rows = {
        "postgres": None if pg is None else {"running": pg.running, "port": pg.port, "pid": pg.pid,
                                             "data_dir": data_dir},
        "temporal": None
        if temporal is None
        else {"running": temporal.running, "address": temporal.address, "ui": temporal.ui_url, "pid": temporal.pid,
              "data_dir": data_dir},
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
            state = Text("running", "green") if row["running"] else Text("stopped", "red")
            table.add_row(name, state, str(where))
    console.print(table)
    if pg is not None or temporal is not None:
        console.print(f"data directory: {data_dir} (MIGRATION_DATA_DIR)", highlight=False)
