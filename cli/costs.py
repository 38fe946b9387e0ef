"""`costs assumptions show|set`: the business case's assumptions of an engagement, with their sources."""

from __future__ import annotations

import typer
from rich.table import Table

from cli.common import JsonOption, console, print_json, run_async, session
from db import tenancy
from db.business_case import set_assumptions, show_assumptions
from domain.assessment.assumptions import AssumptionRow, parse_assignments
from domain.settings_text import shown

app = typer.Typer(no_args_is_help=True, help="The business case: its cost assumptions per engagement.")
assumptions_app = typer.Typer(no_args_is_help=True,
                              help="The total-cost-of-ownership assumptions: show them with their sources, set them.")
app.add_typer(assumptions_app, name="assumptions")


@assumptions_app.command("show")
@run_async
async def assumptions_show(engagement: str, as_json: bool = JsonOption) -> None:
    """Every assumption: the value the engagement uses, its unit, whether the engagement set it, date and source."""
    async with session(temporal=False) as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        rows = await show_assumptions(s.pool, ref)
    _print(rows, as_json)


@assumptions_app.command("set")
@run_async
async def assumptions_set(engagement: str,
                          assignments: list[str] = typer.Argument(..., metavar="KEY=VALUE...",
                                                                  help="Assumptions to change; KEY= goes back to "
                                                                       "the default."),
                          as_json: bool = JsonOption) -> None:
    """Change assumptions (owners, approvers and contributors); every value is checked before anything is
    written. The costs change when the assessment runs again (`reject ENGAGEMENT assessment`)."""
    parse_assignments(assignments, {})  # a bad key or value is refused before the stack is reached
    async with session(temporal=False) as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        rows = await set_assumptions(s.pool, ref, s.me.id, assignments)
    if as_json:
        _print(rows, as_json)
        return
    changed = {text.partition("=")[0].strip() for text in assignments}
    console.print(f"{ref.name}: " + ", ".join(
        f"{r.key} = {shown(r.value)}" + ("" if r.overridden else " (the default)") for r in rows if r.key in changed))
    console.print("the costs change when the assessment runs again")


def _print(rows: list[AssumptionRow], as_json: bool) -> None:
    if as_json:
        print_json([row.model_dump(mode="json") for row in rows])
        return
    table = Table("assumption", "value", "unit", "from", "as of", "source")
    for row in rows:
        table.add_row(row.key, shown(row.value), row.unit,
                      f"engagement (default {shown(row.default)})" if row.overridden else "default",
                      row.as_of.isoformat(), row.source)
    console.print(table)
