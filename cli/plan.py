"""`plan export|import`: the wave plan, edited outside and checked on the way back."""

from __future__ import annotations

from pathlib import Path

import typer

from cli import paths
from cli.common import (
    JsonOption,
    console,
    print_json,
    run_async,
    session,
)
from db import tenancy
from db.plan_review import PlanImportError, export_plan, import_plan

app = typer.Typer(no_args_is_help=True, help='The wave plan: export it, edit it, import it back.')


@app.command("export")
@run_async
async def plan_export(
    engagement: str,
    out: Path = typer.Option(..., "--out", parser=paths.given_path,
                             help="File to write: .csv, .xlsx or .md (format from the extension)."),
) -> None:
    """Write the wave plan, one row per asset with its wave and why; edit the wave column and import it."""
    fmt = paths.output_file(out, {".csv": "csv", ".xlsx": "xlsx", ".md": "md"})
    async with session(temporal=False) as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        count = await export_plan(s.pool, ref, out, fmt)  # type: ignore[arg-type]
    console.print(f"{count} asset(s) written to {out}")


@app.command("import")
@run_async
async def plan_import(engagement: str,
                      path: Path = typer.Argument(..., parser=paths.given_path,
                                                  help="An edited plan (.csv or .xlsx)."),
                      as_json: bool = JsonOption) -> None:
    """Check an edited plan against the dependencies and rules; apply it whole, or refuse it with its problems
    (the first 30 on stderr, one a line; with --json, up to 1,000 as JSON on stdout)."""
    try:
        paths.plan_file(path)
        async with session(temporal=False) as s:
            ref = await tenancy.resolve_engagement(s.pool, engagement)
            result = await import_plan(s.pool, ref, path, s.me.id)
    except PlanImportError as exc:
        if not as_json:
            raise
        print_json({"applied": False, "refusal": exc.headline, "problems": exc.problems, "problem_count": exc.count})
        shown = f"; {exc.count:,} problem(s), listed in the JSON output" if exc.count else ""
        raise PlanImportError(exc.headline + shown) from None
    if as_json:
        print_json(result.__dict__)
        return
    console.print(f"plan applied: {result.assets_planned} assets in {result.waves} waves, "
                  f"{result.assets_moved} moved")
    for warning in result.warnings:
        console.print(f"  warning: {warning}")
