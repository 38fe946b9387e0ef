"""`imports list|quarantine`: the files of an import and the rows kept out."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from cli import paths
from cli.common import (
    JsonOption,
    console,
    latest_imports,
    print_json,
    run_async,
    session,
)
from db import import_review
from domain.status_highlights import file_notes
from domain.wording import counted

app = typer.Typer(no_args_is_help=True, help="The files of an engagement's import and their quarantine.")


@app.command("list")
@run_async
async def imports_list(engagement: str, as_json: bool = JsonOption) -> None:
    """The files of the newest import: format, role, status and row counts (dropped: loop-back and self edges)."""
    async with session(temporal=False) as s:
        _, imports = await latest_imports(s, engagement)
    if as_json:
        print_json(imports)
        return
    table = Table("file", "format", "role", "status", "rows", "valid", "quarantined", "dropped", "errors")
    for d in imports:
        dropped = (d["bundle_report"] or {}).get("dropped_edges", {})  # loop-back and self edges, by kind
        table.add_row(d["file_name"], d["source_format"] or "-", d["import_role"], d["status"], str(d["total_records"]),
                      str(d["valid_records"]), str(d["quarantined_records"]),
                      ", ".join(f"{n} {kind}" for kind, n in dropped.items()) or "0",
                      json.dumps(d["error_summary"], default=str)[:120] if d["error_summary"] else "")
    console.print(table)
    for d in imports:  # sheets not imported, and headers to check
        report = d["bundle_report"] or {}
        reasons = report.get("skipped_reasons") or {}  # in the file's order, which skipped_tables keeps (jsonb not)
        skipped = {name: reasons[name] for name in report.get("skipped_tables", []) if name in reasons}
        for line in file_notes(d["file_name"], skipped, report.get("warnings") or ()):
            console.print(line, soft_wrap=True, highlight=False, markup=False)


@app.command("quarantine")
@run_async
async def imports_quarantine(
    engagement: str,
    out: Path = typer.Option(..., "--out", parser=paths.given_path,
                             help="CSV file to write (safe to open in a spreadsheet)."),
) -> None:
    """Export the quarantined rows with their reasons, to fix and import again."""
    paths.output_file(out, {".csv": "csv"})
    async with session(temporal=False) as s:
        ref, imports = await latest_imports(s, engagement)
        count = await import_review.export_quarantine(s.pool, ref, [d["id"] for d in imports], out)
    console.print(f"{counted(count, 'quarantined row')} written to {out}")
