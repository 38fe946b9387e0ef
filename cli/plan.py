"""`plan export|import|settings|preview|replan`: the wave plan, edited outside and checked on the way back; its
settings, what other settings would plan, and planning again while the plan awaits approval."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from cli import paths
from cli.common import (
    USER_ERRORS,
    JsonOption,
    console,
    print_json,
    run_async,
    session,
)
from db import plan_settings, tenancy
from db.plan_review import PROBLEMS_SHOWN, PlanImportError, export_plan, import_plan
from domain.assessment.effort import DAY_RATE
from domain.settings_text import RESET, shown
from domain.wording import counted
from runtime import engagement_control as control

app = typer.Typer(no_args_is_help=True, help='The wave plan: export it, edit it, import it back; its settings, '
                                             'a preview with other settings, re-planning.')
settings_app = typer.Typer(no_args_is_help=True, help="The engagement's planning settings: show and set them.")
app.add_typer(settings_app, name="settings")
MOVED_SHOWN = 20


@app.command("export")
@run_async
async def plan_export(
    engagement: str,
    out: Path = typer.Option(..., "--out", parser=paths.given_path,
                             help="File to write: .csv, .xlsx or .md (format from the extension)."),
) -> None:
    """Write the wave plan, one row per asset with its wave and why; edit the wave column and import it."""
    fmt = paths.output_file(out, {".csv": "csv", ".xlsx": "xlsx", ".md": "md"})
    async with session(temporal=False, read_only=True) as s:
        ref = await tenancy.resolve_engagement(s.read_pool, engagement)
        count = await export_plan(s.read_pool, ref, out, fmt)  # type: ignore[arg-type]
    console.print(f"{counted(count, 'asset')} written to {out}")


@app.command("import")
@run_async
async def plan_import(engagement: str,
                      path: Path = typer.Argument(..., parser=paths.given_path,
                                                  help="An edited plan (.csv or .xlsx)."),
                      as_json: bool = JsonOption) -> None:
    """Check an edited plan against the dependencies and rules; apply it whole, or refuse it with its problems
    (the first 30 on stderr, one a line; with --json, up to 1,000 as JSON on stdout). An applied plan lists its
    warnings, the first 30 (all with --json)."""
    try:
        paths.plan_file(path)
        async with session(temporal=False) as s:
            ref = await tenancy.resolve_engagement(s.pool, engagement)
            result = await import_plan(s.pool, ref, path, s.me.id)
            waiting = await plan_settings.awaits_planning_approval(s.pool, ref)
        told = await _tell_the_engagement(ref) if waiting else None
    except PlanImportError as exc:
        if not as_json:
            raise
        print_json({"applied": False, "refusal": exc.headline, "problems": exc.problems, "problem_count": exc.count})
        shown = f"; {counted(exc.count, 'problem')}, listed in the JSON output" if exc.count else ""
        raise PlanImportError(exc.headline + shown) from None
    if as_json:
        print_json(result.__dict__)
        return
    console.print(f"plan applied: {counted(result.assets_planned, 'asset')} in {counted(result.waves, 'wave')}, "
                  f"{result.assets_moved:,} moved")
    for warning in result.warnings[:PROBLEMS_SHOWN]:
        console.print(f"  warning: {warning}")
    if len(result.warnings) > PROBLEMS_SHOWN:
        console.print(f"  … and {counted(len(result.warnings) - PROBLEMS_SHOWN, 'more warning')} (--json lists them)")
    if told:
        console.print(told)


@settings_app.command("show")
@run_async
async def settings_show(engagement: str, as_json: bool = JsonOption) -> None:
    """Every planning setting: its value, whether the engagement sets it or it is the default, what it means."""
    async with session(temporal=False) as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        settings = await plan_settings.show_settings(s.pool, ref)
    if as_json:
        print_json([asdict(setting) for setting in settings])
        return
    table = Table("setting", "value", "from", "allowed", "meaning")
    for setting in settings:
        value = "not set (the planning phase's first Monday)" if setting.name == plan_settings.START and \
            setting.value is None else shown(setting.value)
        table.add_row(setting.name, value, setting.source, setting.allowed, setting.description)
    console.print(table)


@settings_app.command("set")
@run_async
async def settings_set(engagement: str,
                       assignments: list[str] = typer.Argument(..., metavar="KEY=VALUE...",
                                                               help="Settings to change; KEY= resets one to its "
                                                                    "default. Lists are comma separated."),
                       as_json: bool = JsonOption) -> None:
    """Change planning settings (owners, approvers and contributors), checked as a whole before anything is
    written; refused once execution has begun. A plan already written changes only when planned again."""
    changes = plan_settings.parse_assignments(assignments)
    async with session(temporal=False) as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        planned = await plan_settings.set_settings(s.pool, ref, s.me.id, changes)
    if as_json:
        print_json({"changed": {key: plan_settings.default_value(key) if value is RESET else value
                                for key, value in changes.items()}, "plan_written": planned})
        return
    console.print(f"{ref.name}: " + ", ".join(
        f"{key} reset to its default ({shown(plan_settings.default_value(key))})" if value is RESET
        else f"{key} = {shown(value)}" for key, value in changes.items()))
    if planned:
        console.print(plan_settings.NOT_YET_PLANNED)


@app.command("preview")
@run_async
async def plan_preview(engagement: str,
                       assignments: list[str] = typer.Option([], "--set", metavar="KEY=VALUE",
                                                              help="A setting changed for the preview only "
                                                                   "(repeat it; KEY= uses the default)."),
                       as_json: bool = JsonOption) -> None:
    """Plan in memory with the engagement's settings changed by --set, and show it beside the written plan;
    writes nothing."""
    changes = plan_settings.parse_assignments(assignments)
    async with session(temporal=False) as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        comparison = await plan_settings.preview(s.pool, ref, changes)
    _print_comparison(comparison, "current plan", "preview", as_json)


@app.command("replan")
@run_async
async def plan_replan(engagement: str, as_json: bool = JsonOption) -> None:
    """Plan again with the current settings and replace the plan, while planning awaits approval (owners,
    approvers and contributors); the approval then approves the new plan."""
    async with session(temporal=False) as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        comparison = await plan_settings.replan(s.pool, ref, s.me.id)
    told = await _tell_the_engagement(ref)
    _print_comparison(comparison, "before", "after", as_json)
    if not as_json:
        console.print(f"{ref.name}: re-planned; planning still awaits approval, of this plan")
        if told:
            console.print(told)


async def _tell_the_engagement(ref: tenancy.EngagementRef) -> str | None:
    """Signal the engagement, whose planning awaits approval, that its plan was rewritten, so its planning summaries
    (`status`) are read again; the plan is written whatever happens here. A note when the engagement could not be
    told, else None."""
    try:
        async with session() as s:
            if await control.is_running(s.client, ref):
                await control.signal(s.client, ref, "plan_rewritten")
    except USER_ERRORS as exc:
        return f"note: the plan is written, but the running engagement was not told ({exc}); `status` shows the " \
               "planning phase's figures until it is"
    return None


def _outline_json(outline: plan_settings.PlanOutline | None) -> dict[str, Any] | None:
    if outline is None:
        return None
    return {"waves": sum(outline.waves_by_kind.values()), **{k: v for k, v in asdict(outline).items()
                                                             if k != "wave_of"}}


def _print_comparison(comparison: plan_settings.PlanComparison, before: str, after: str, as_json: bool) -> None:
    """Two plans side by side, then the assets whose wave changes (the first `MOVED_SHOWN`)."""
    if as_json:
        print_json({"settings_changed": comparison.changes, "current": _outline_json(comparison.current),
                    "proposed": _outline_json(comparison.proposed),
                    "moved": [asdict(m) for m in comparison.moved]})
        return
    table = Table("", before, after)
    for label, cells in _measures(comparison.current, comparison.proposed):
        table.add_row(label, *cells)
    table.add_row("assets whose wave changes", "", f"{len(comparison.moved):,}")
    console.print(table)
    if comparison.moved:
        moved = Table("asset", f"wave ({before})", f"wave ({after})")
        for asset in comparison.moved[:MOVED_SHOWN]:
            moved.add_row(asset.name, _wave(asset.wave_before), _wave(asset.wave_after))
        console.print(moved)
        if len(comparison.moved) > MOVED_SHOWN:
            console.print(f"… and {len(comparison.moved) - MOVED_SHOWN:,} more (--json lists them all)")


def _measures(current: plan_settings.PlanOutline | None,
              proposed: plan_settings.PlanOutline) -> list[tuple[str, list[str]]]:
    outlines = [current, proposed]

    def row(label: str, cell: Any) -> tuple[str, list[str]]:
        return label, ["no plan" if o is None else cell(o) for o in outlines]

    kinds = list(dict.fromkeys(k for o in outlines if o for k in o.waves_by_kind))
    rules = sorted({r for o in outlines if o for r in o.violations_by_rule})
    return [
        row("waves", lambda o: f"{sum(o.waves_by_kind.values()):,}"),
        *(row(f"  {kind.replace('_', '-')} waves", lambda o, k=kind: f"{o.waves_by_kind.get(k, 0):,}") for kind in kinds),
        row("first start", lambda o: str(o.first_start or "-")),
        row("last end", lambda o: str(o.last_end or "-")),
        row("effort (person-days)", lambda o: f"{o.effort_days:,.1f}"),
        row(f"labour cost (at {DAY_RATE:,.0f} a day)", lambda o: f"{o.cost:,.0f}"),
        row("largest wave (assets)", lambda o: f"{o.largest_wave:,}"),
        row("violations", lambda o: f"{sum(o.violations_by_rule.values()):,}"),
        *(row(f"  {rule}", lambda o, r=rule: f"{o.violations_by_rule.get(r, 0):,}") for rule in rules),
    ]


def _wave(number: int | None) -> str:
    return "-" if number is None else str(number)
