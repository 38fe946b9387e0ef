"""`ops schedules [run NAME]` and `ops retention show|set CLIENT`: the scheduled maintenance (runtime/schedules.py)
and a client's retention policy (db/retention.py)."""

from __future__ import annotations

import typer
from rich.table import Table

from cli.common import JsonOption, console, print_json, run_async, session
from cli.input_checks import usage_check
from db import retention, tenancy
from domain.maintenance import MAX_RETENTION_DAYS, MIN_RETENTION_DAYS
from runtime import schedules
from runtime.settings import get_settings

schedules_app = typer.Typer(help="The maintenance schedules: partitions, retention, archive.",
                            invoke_without_command=True)
retention_app = typer.Typer(no_args_is_help=True, help="A client's retention of logs and archive delay.")


def _when(value) -> str:
    return value.isoformat(timespec="seconds") if value else "-"


@schedules_app.callback()
@run_async
async def schedules_list(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """List the schedules: spec (cron, UTC), last run (time and result) and next run."""
    if ctx.invoked_subcommand is not None:
        return
    async with session() as s:
        views = await schedules.describe_schedules(s.client)
    if as_json:
        print_json([{"name": v.name, "schedule_id": schedules.schedule_id(v.name), "spec": v.spec,
                     "last_run": _when(v.last_run), "last_result": v.last_result, "next_run": _when(v.next_run)}
                    for v in views])
        return
    table = Table("name", "spec (UTC)", "last run", "last result", "next run")
    for v in views:
        table.add_row(v.name, v.spec, _when(v.last_run), v.last_result or "-", _when(v.next_run))
    console.print(table)


@schedules_app.command("run")
@run_async
async def schedules_run(name: str = typer.Argument(..., help=f"One of {', '.join(schedules.SCHEDULE_NAMES)}.",
                                                   callback=usage_check(schedules.checked_name))) -> None:
    """Start a run of a schedule now (platform administrators; skipped while its previous run is still going);
    `ops schedules` shows it."""
    async with session() as s:
        if not s.me.platform_admin:
            raise schedules.ScheduleError("only a platform administrator runs a schedule; `ops schedules` lists them")
        await schedules.trigger_schedule(s.client, name)
    console.print(f"schedule {schedules.schedule_id(name)} triggered", highlight=False, markup=False)


_DAYS_HELP = f"Days ({MIN_RETENTION_DAYS}-{MAX_RETENTION_DAYS}; 0: back to the platform default)."


def _days(minimum: int):
    def check(value: int | None) -> int | None:
        if value is not None and value != 0 and not minimum <= value <= MAX_RETENTION_DAYS:
            raise typer.BadParameter(f"expected 0 (the default) or {minimum} to {MAX_RETENTION_DAYS} days")
        return value
    return check


@retention_app.command("show")
@run_async
async def retention_show(client: str = typer.Argument(..., help="Client id, slug or name."),
                         as_json: bool = JsonOption) -> None:
    """A client's retention policy: its own values, or the platform defaults (of this environment's settings)."""
    async with session(temporal=False) as s:
        stored = await retention.stored_policy(s.pool, await tenancy.find_client(s.pool, client))
    effective = _effective(stored)
    if as_json:
        print_json({field: {"days": days, "source": source} for field, (days, source) in effective.items()})
        return
    table = Table("setting", "days", "source")
    for field, (days, source) in effective.items():
        table.add_row(field, str(days), source)
    console.print(table)


@retention_app.command("set")
@run_async
async def retention_set(
    client: str = typer.Argument(..., help="Client id, slug or name."),
    llm_usage_days: int = typer.Option(None, callback=_days(MIN_RETENTION_DAYS), help=f"llm_usage_log. {_DAYS_HELP}"),
    agent_tasks_days: int = typer.Option(None, callback=_days(MIN_RETENTION_DAYS),
                                         help=f"agent_task_history. {_DAYS_HELP}"),
    audit_days: int = typer.Option(None, callback=_days(MIN_RETENTION_DAYS), help=f"security_audit_logs. {_DAYS_HELP}"),
    archive_after_days: int = typer.Option(None, callback=_days(1),
                                           help="Days after completion an engagement is archived (0: the default)."),
) -> None:
    """Change a client's retention policy (client and platform administrators); options not given stay."""
    given = {"llm_usage_log_days": llm_usage_days, "agent_task_history_days": agent_tasks_days,
             "security_audit_logs_days": audit_days, "archive_after_days": archive_after_days}
    changes = {field: value or None for field, value in given.items() if value is not None}
    if not changes:
        raise typer.BadParameter("give at least one of --llm-usage-days, --agent-tasks-days, --audit-days, "
                                 "--archive-after-days")
    async with session(temporal=False) as s:
        stored = await retention.set_policy(s.pool, await tenancy.find_client(s.pool, client), changes)
    console.print("; ".join(f"{field} {days} ({source})" for field, (days, source) in _effective(stored).items()),
                  highlight=False, markup=False)


def _effective(stored: dict[str, int | None]) -> dict[str, tuple[int, str]]:
    settings = get_settings()
    defaults = {"llm_usage_log_days": settings.retention_llm_usage_days,
                "agent_task_history_days": settings.retention_agent_tasks_days,
                "security_audit_logs_days": settings.retention_audit_days,
                "archive_after_days": settings.archive_after_days}
    return {field: (stored[field], "client") if stored[field] else (default, "default")
            for field, default in defaults.items()}
